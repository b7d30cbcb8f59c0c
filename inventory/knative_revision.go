package inventory

import (
	"encoding/json"
	"fmt"
	"math"

	"cloud.google.com/go/run/apiv2/runpb"
	runv1 "google.golang.org/api/run/v1"
)

// Labels Cloud Run puts on a Knative revision to tie it to its service.
const labelService = "serving.knative.dev/service"

// addKnativeRevision converts a Cloud Run v1 (Knative) revision, as `gcloud run revisions
// describe` prints it, into the Cloud Run v2 shape, and adds it. It is the revision twin
// of addKnativeService; the snapshot loader calls it for `kind: Revision`.
func (inv *Inventory) addKnativeRevision(path string, line int, obj map[string]any) error {
	data, err := json.Marshal(obj)
	if err != nil {
		return &InputError{Path: path, Line: line, Msg: err.Error()}
	}
	var v1 runv1.Revision
	if err := json.Unmarshal(data, &v1); err != nil {
		return &InputError{Path: path, Line: line, Msg: "not a valid Cloud Run revision: " + jsonErrText(err)}
	}
	rev, err := convertKnativeRevision(&v1)
	if err == nil {
		err = Validate(rev)
	}
	if err == nil {
		err = inv.Add(KindRevision, rev, path)
	}
	if err != nil {
		return &InputError{Path: path, Line: line, Msg: err.Error()}
	}
	return nil
}

// convertKnativeRevision maps the Knative fields the checks read onto runpb.Revision: the
// full name (from the namespace, the location label and the service label), the VPC
// annotations, scaling, the containers' env and the service account. The name takes the
// namespace as gcloud prints it (the project number), as the converted service does, so the
// service's traffic status finds it.
func convertKnativeRevision(v1 *runv1.Revision) (*runpb.Revision, error) {
	meta := v1.Metadata
	if meta == nil || meta.Name == "" {
		return nil, fmt.Errorf("Cloud Run revision has no metadata.name")
	}
	service := meta.Labels[labelService]
	if service == "" {
		return nil, fmt.Errorf("Cloud Run revision %s has no %s label naming its service", meta.Name, labelService)
	}
	project, region := Unknown, Unknown
	if meta.Namespace != "" {
		project = meta.Namespace
	}
	if loc := meta.Labels[LabelLocation]; loc != "" {
		region = loc
	}
	serviceName := LocationRef{Project: project, Region: region, Collection: "services", Name: service}.String()
	rev := &runpb.Revision{
		Name:        serviceName + "/revisions/" + meta.Name,
		Uid:         meta.Uid,
		Labels:      meta.Labels,
		Annotations: meta.Annotations,
		Service:     service,
	}
	vpc, err := vpcAccessFromAnnotations(meta.Annotations)
	if err != nil {
		return nil, err
	}
	rev.VpcAccess = vpc
	scaling, err := scalingFromAnnotations(meta.Annotations)
	if err != nil {
		return nil, err
	}
	rev.Scaling = scaling
	if spec := v1.Spec; spec != nil {
		rev.ServiceAccount = spec.ServiceAccountName
		if c := spec.ContainerConcurrency; c < 0 || c > math.MaxInt32 {
			return nil, fmt.Errorf("spec.containerConcurrency %d is not a number of requests", c)
		}
		rev.MaxInstanceRequestConcurrency = int32(spec.ContainerConcurrency)
		containers, err := convertContainers(spec.Containers)
		if err != nil {
			return nil, fmt.Errorf("spec.containers: %w", err)
		}
		rev.Containers = containers
	}
	return rev, nil
}
