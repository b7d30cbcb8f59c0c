package knative

import (
	"fmt"
	"math"

	"cloud.google.com/go/run/apiv2/runpb"
	runv1 "google.golang.org/api/run/v1"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// Labels Cloud Run puts on a Knative revision to tie it to its service.
const labelService = "serving.knative.dev/service"

// Revision converts a Cloud Run v1 (Knative) revision, decoded from YAML or JSON into
// Go values, as `gcloud run revisions describe` prints it, into the Cloud Run v2 shape, and
// validates it. It is the revision twin of Service.
func Revision(obj map[string]any) (*runpb.Revision, error) {
	v1, err := decode[runv1.Revision](obj, "revision")
	if err != nil {
		return nil, err
	}
	rev, err := convertRevision(v1)
	if err != nil {
		return nil, err
	}
	if err := inventory.Validate(rev); err != nil {
		return nil, err
	}
	return rev, nil
}

// convertRevision maps the Knative fields the checks read onto runpb.Revision: the
// full name (from the namespace, the location label and the service label), the VPC
// annotations, scaling, the containers' env and the service account. The name takes the
// namespace as gcloud prints it (the project number), as the converted service does, so the
// service's traffic status finds it.
func convertRevision(v1 *runv1.Revision) (*runpb.Revision, error) {
	meta := v1.Metadata
	if meta == nil || meta.Name == "" {
		return nil, fmt.Errorf("Cloud Run revision has no metadata.name")
	}
	service := meta.Labels[labelService]
	if service == "" {
		return nil, fmt.Errorf("Cloud Run revision %s has no %s label naming its service", meta.Name, labelService)
	}
	project, region := inventory.Unknown, inventory.Unknown
	if meta.Namespace != "" {
		project = meta.Namespace
	}
	if loc := meta.Labels[inventory.LabelLocation]; loc != "" {
		region = loc
	}
	serviceName := inventory.LocationRef{Project: project, Region: region, Collection: "services", Name: service}.String()
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
