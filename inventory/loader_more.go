package inventory

import (
	"cloud.google.com/go/run/apiv2/runpb"
	runv1 "google.golang.org/api/run/v1"
)

// More of the loader API, for loaders that change an inventory in place (a Terraform plan).

// Reindex makes the next lookup rebuild its indexes. A loader that changes the exported
// slices or Problems directly, rather than through Add, Remove or Retain (a network's
// peerings replaced in a copy, gaps noted after resources were looked up), calls it once it
// is done, so the lookups see the change.
func (inv *Inventory) Reindex() { inv.resetIndex() }

// ConvertKnative converts a Cloud Run v1 (Knative) service into the v2 shape the checks
// read, exactly as a service.yaml is converted: a loader that builds the v1 shape (a
// Terraform google_cloud_run_service) uses it. The error is one line a user can act on.
func ConvertKnative(v1 *runv1.Service) (*runpb.Service, error) { return convertKnative(v1) }
