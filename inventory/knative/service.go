// Package knative converts Cloud Run's v1 (Knative) shapes into the Cloud Run v2 types the
// inventory holds: a service as `gcloud run services describe` prints it or as a
// service.yaml is written, a revision as `gcloud run revisions describe` prints it. The v1
// types come from Google's own v1 client; the conversion keeps what the checks read.
package knative

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"cloud.google.com/go/run/apiv2/runpb"
	runv1 "google.golang.org/api/run/v1"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// Service converts a Cloud Run v1 (Knative) service, decoded from YAML or JSON into
// Go values, as `gcloud run services describe` prints it or as a service.yaml is written
// before the first deploy, into the Cloud Run v2 shape the checks read, and validates it.
// The v1 types come from Google's own v1 client. The error is one line a user can act on.
func Service(obj map[string]any) (*runpb.Service, error) {
	quantitiesAsStrings(obj)
	v1, err := decode[runv1.Service](obj, "service")
	if err != nil {
		return nil, err
	}
	svc, err := ConvertService(v1)
	if err != nil {
		return nil, err
	}
	if err := inventory.Validate(svc); err != nil {
		return nil, errors.New("not a valid Cloud Run service: " + err.Error())
	}
	return svc, nil
}

// decode reads a v1 object, decoded from YAML or JSON into Go values, as the v1 client's
// type V; what names it in the error.
func decode[V any](obj map[string]any, what string) (*V, error) {
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var v1 V
	if err := json.Unmarshal(data, &v1); err != nil {
		return nil, errors.New("not a valid Cloud Run " + what + ": " + jsonErrText(err))
	}
	return &v1, nil
}

func jsonErrText(err error) string {
	var typeErr *json.UnmarshalTypeError
	if e, ok := err.(*json.UnmarshalTypeError); ok {
		typeErr = e
		return fmt.Sprintf("field %s: expected %s, found %s", typeErr.Field, typeErr.Type, typeErr.Value)
	}
	return err.Error()
}

// ConvertService maps the Knative fields Cloud Run uses onto runpb.Service: what
// Service does once the document is decoded, for a loader that has the v1 type (a
// Terraform plan's google_cloud_run_service). A service that does not say its project
// (metadata.namespace, which gcloud fills with the project number) or region (the
// cloud.googleapis.com/location label) is named with inventory.Unknown in their place.
func ConvertService(v1 *runv1.Service) (*runpb.Service, error) {
	meta := v1.Metadata
	if meta == nil || meta.Name == "" {
		return nil, fmt.Errorf("Cloud Run service has no metadata.name")
	}
	project, region := inventory.Unknown, inventory.Unknown
	if meta.Namespace != "" {
		project = meta.Namespace // gcloud prints the project number here
	}
	if loc := meta.Labels[inventory.LabelLocation]; loc != "" {
		region = loc
	}
	svc := &runpb.Service{
		Name:        inventory.LocationRef{Project: project, Region: region, Collection: "services", Name: meta.Name}.String(),
		Labels:      meta.Labels,
		Annotations: meta.Annotations,
		Template:    &runpb.RevisionTemplate{},
	}
	var tmplAnnotations map[string]string
	if spec := v1.Spec; spec != nil && spec.Template != nil {
		tmpl := spec.Template
		if tmpl.Metadata != nil {
			tmplAnnotations = tmpl.Metadata.Annotations
			svc.Template.Annotations = tmpl.Metadata.Annotations
			svc.Template.Labels = tmpl.Metadata.Labels
			svc.Template.Revision = tmpl.Metadata.Name
		}
		if tmpl.Spec != nil {
			svc.Template.ServiceAccount = tmpl.Spec.ServiceAccountName
			if c := tmpl.Spec.ContainerConcurrency; c < 0 || c > math.MaxInt32 {
				return nil, fmt.Errorf("spec.template.spec.containerConcurrency %d is not a number of requests", c)
			}
			svc.Template.MaxInstanceRequestConcurrency = int32(tmpl.Spec.ContainerConcurrency)
			containers, err := convertContainers(tmpl.Spec.Containers)
			if err != nil {
				return nil, fmt.Errorf("spec.template.spec.containers: %w", err)
			}
			svc.Template.Containers = containers
		}
		for _, t := range spec.Traffic {
			converted, err := convertTraffic(t)
			if err != nil {
				return nil, fmt.Errorf("spec.traffic: %w", err)
			}
			svc.Traffic = append(svc.Traffic, converted)
		}
	}
	if status := v1.Status; status != nil {
		for _, t := range status.Traffic {
			ts, err := convertTraffic(t)
			if err != nil {
				return nil, fmt.Errorf("status.traffic: %w", err)
			}
			svc.TrafficStatuses = append(svc.TrafficStatuses, &runpb.TrafficTargetStatus{
				Type: ts.Type, Revision: ts.Revision, Percent: ts.Percent, Tag: ts.Tag,
			})
		}
		if status.LatestReadyRevisionName != "" {
			svc.LatestReadyRevision = inventory.LocationRef{Project: project, Region: region, Collection: "services", Name: meta.Name}.String() + "/revisions/" + status.LatestReadyRevisionName
		}
		svc.Uri = status.Url
	}
	vpc, err := vpcAccessFromAnnotations(tmplAnnotations)
	if err != nil {
		return nil, err
	}
	svc.Template.VpcAccess = vpc
	scaling, err := scalingFromAnnotations(tmplAnnotations)
	if err != nil {
		return nil, err
	}
	svc.Template.Scaling = scaling
	serviceScaling, err := serviceScalingFromAnnotations(meta.Annotations)
	if err != nil {
		return nil, err
	}
	svc.Scaling = serviceScaling
	return svc, nil
}

// quantitiesAsStrings rewrites the numbers among the containers' resources.limits and
// resources.requests as the strings the v1 client's types hold. Kubernetes quantities may
// be written as numbers (`cpu: 1`, as Cloud Deploy manifests have): the Quantity type
// accepts an unquoted value as well as a quoted one.
func quantitiesAsStrings(obj map[string]any) {
	spec, _ := obj["spec"].(map[string]any)
	tmpl, _ := spec["template"].(map[string]any)
	tmplSpec, _ := tmpl["spec"].(map[string]any)
	containers, _ := tmplSpec["containers"].([]any)
	for _, c := range containers {
		container, _ := c.(map[string]any)
		resources, _ := container["resources"].(map[string]any)
		for _, key := range []string{"limits", "requests"} {
			values, _ := resources[key].(map[string]any)
			for name, v := range values {
				switch n := v.(type) {
				case float64:
					values[name] = strconv.FormatFloat(n, 'f', -1, 64)
				case int:
					values[name] = strconv.Itoa(n)
				case int64:
					values[name] = strconv.FormatInt(n, 10)
				case json.Number:
					values[name] = n.String()
				}
			}
		}
	}
}

// serviceScalingFromAnnotations reads the Service-level min and max instances; nil when
// neither is set.
func serviceScalingFromAnnotations(ann map[string]string) (*runpb.ServiceScaling, error) {
	scaling := &runpb.ServiceScaling{}
	set, err := readCounts(ann, map[string]*int32{inventory.AnnotationServiceMinScale: &scaling.MinInstanceCount, inventory.AnnotationServiceMaxScale: &scaling.MaxInstanceCount})
	if err != nil || !set {
		return nil, err
	}
	return scaling, nil
}

// readCounts sets each destination from its annotation, a non-negative whole number; set
// says whether any annotation was there.
func readCounts(ann map[string]string, dsts map[string]*int32) (set bool, err error) {
	for key, dst := range dsts {
		value := strings.TrimSpace(ann[key])
		if value == "" {
			continue
		}
		n, err := strconv.ParseInt(value, 10, 32)
		if err != nil || n < 0 {
			return false, fmt.Errorf("annotation %s: %q is not a non-negative whole number", key, value)
		}
		*dst, set = int32(n), true
	}
	return set, nil
}

// vpcAccessFromAnnotations reads the VPC egress settings of a revision template. It
// returns nil when none is set.
func vpcAccessFromAnnotations(ann map[string]string) (*runpb.VpcAccess, error) {
	connector := strings.TrimSpace(ann[inventory.AnnotationConnector])
	egress := strings.TrimSpace(ann[inventory.AnnotationEgress])
	interfaces := strings.TrimSpace(ann[inventory.AnnotationNetworkInterfaces])
	if connector == "" && egress == "" && interfaces == "" {
		return nil, nil
	}
	vpc := &runpb.VpcAccess{Connector: connector}
	switch egress {
	case "":
	case "private-ranges-only":
		vpc.Egress = runpb.VpcAccess_PRIVATE_RANGES_ONLY
	case "all-traffic", "all":
		vpc.Egress = runpb.VpcAccess_ALL_TRAFFIC
	default:
		return nil, fmt.Errorf("annotation %s: %q is not an egress setting (want private-ranges-only or all-traffic)", inventory.AnnotationEgress, egress)
	}
	if interfaces != "" {
		nis, err := inventory.ParseNetworkInterfaces(interfaces)
		if err != nil {
			return nil, err
		}
		vpc.NetworkInterfaces = nis
	}
	return vpc, nil
}

func scalingFromAnnotations(ann map[string]string) (*runpb.RevisionScaling, error) {
	scaling := &runpb.RevisionScaling{}
	if _, err := readCounts(ann, map[string]*int32{inventory.AnnotationMinScale: &scaling.MinInstanceCount, inventory.AnnotationMaxScale: &scaling.MaxInstanceCount}); err != nil {
		return nil, err
	}
	return scaling, nil
}

func convertContainer(c *runv1.Container) (*runpb.Container, error) {
	if c == nil {
		return nil, fmt.Errorf("a container is null")
	}
	out := &runpb.Container{Name: c.Name, Image: c.Image, Args: c.Args, Command: c.Command}
	for _, p := range c.Ports {
		if p == nil {
			return nil, fmt.Errorf("container %q: a port is null", c.Name)
		}
		if p.ContainerPort < 0 || p.ContainerPort > 65535 {
			return nil, fmt.Errorf("container %q: containerPort %d is not a TCP port", c.Name, p.ContainerPort)
		}
		out.Ports = append(out.Ports, &runpb.ContainerPort{Name: p.Name, ContainerPort: int32(p.ContainerPort)})
	}
	for _, e := range c.Env {
		if e == nil {
			return nil, fmt.Errorf("container %q: an env entry is null", c.Name)
		}
		env := &runpb.EnvVar{Name: e.Name}
		switch {
		case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil:
			ref := e.ValueFrom.SecretKeyRef
			env.Values = &runpb.EnvVar_ValueSource{ValueSource: &runpb.EnvVarSource{
				SecretKeyRef: &runpb.SecretKeySelector{Secret: ref.Name, Version: ref.Key},
			}}
		default:
			env.Values = &runpb.EnvVar_Value{Value: e.Value}
		}
		out.Env = append(out.Env, env)
	}
	return out, nil
}

// convertContainers converts a template's containers.
func convertContainers(containers []*runv1.Container) ([]*runpb.Container, error) {
	var out []*runpb.Container
	for _, c := range containers {
		converted, err := convertContainer(c)
		if err != nil {
			return nil, err
		}
		out = append(out, converted)
	}
	return out, nil
}

func convertTraffic(t *runv1.TrafficTarget) (*runpb.TrafficTarget, error) {
	if t == nil {
		return nil, fmt.Errorf("a traffic entry is null")
	}
	if t.Percent < 0 || t.Percent > 100 {
		return nil, fmt.Errorf("traffic percent %d is not a percentage", t.Percent)
	}
	out := &runpb.TrafficTarget{Revision: t.RevisionName, Percent: int32(t.Percent), Tag: t.Tag}
	if t.LatestRevision {
		out.Type = runpb.TrafficTargetAllocationType_TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST
	} else if t.RevisionName != "" {
		out.Type = runpb.TrafficTargetAllocationType_TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION
	}
	return out, nil
}
