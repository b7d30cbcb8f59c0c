package inventory

import (
	"encoding/json"
	"fmt"

	"cloud.google.com/go/run/apiv2/runpb"
)

// Names Cloud Run gives its settings in the v1 (Knative) shape, which the Knative conversion
// reads and the checks quote in their remediation text.

// Annotations Cloud Run reads from a Knative service's revision template.
const (
	AnnotationConnector         = "run.googleapis.com/vpc-access-connector"
	AnnotationEgress            = "run.googleapis.com/vpc-access-egress"
	AnnotationNetworkInterfaces = "run.googleapis.com/network-interfaces"
	AnnotationMinScale          = "autoscaling.knative.dev/minScale"
	AnnotationMaxScale          = "autoscaling.knative.dev/maxScale"
	// AnnotationServiceMinScale and AnnotationServiceMaxScale are the Service-level
	// scaling annotations (run/v1 ObjectMeta: "run.googleapis.com/minScale: Service"):
	// total instances for the service, divided among the revisions that get traffic.
	AnnotationServiceMinScale = "run.googleapis.com/minScale"
	AnnotationServiceMaxScale = "run.googleapis.com/maxScale"
	// LabelLocation is the label gcloud's describe output carries with the service's region.
	LabelLocation = "cloud.googleapis.com/location"
)

// Unknown stands for a project or region a service.yaml does not carry; Select fills it
// from flags or the rest of the inventory.
const Unknown = "-"

// ParseNetworkInterfaces reads the JSON of the run.googleapis.com/network-interfaces
// annotation: [{"network": "N", "subnetwork": "S", "tags": ["t"]}].
func ParseNetworkInterfaces(value string) ([]*runpb.VpcAccess_NetworkInterface, error) {
	var raw []struct {
		Network    string   `json:"network"`
		Subnetwork string   `json:"subnetwork"`
		Tags       []string `json:"tags"`
	}
	if err := json.Unmarshal([]byte(value), &raw); err != nil {
		return nil, fmt.Errorf("annotation %s is not the JSON list Cloud Run expects: %v", AnnotationNetworkInterfaces, err)
	}
	nis := make([]*runpb.VpcAccess_NetworkInterface, 0, len(raw))
	for _, r := range raw {
		nis = append(nis, &runpb.VpcAccess_NetworkInterface{Network: r.Network, Subnetwork: r.Subnetwork, Tags: r.Tags})
	}
	return nis, nil
}
