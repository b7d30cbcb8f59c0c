// Package terraform applies Terraform plans to an inventory. `terraform show -json
// PLAN` prints the documented JSON plan format (format_version 1.x;
// hashicorp/terraform-json models it and rejects other major versions). ApplyPlan reads
// it and makes the inventory look like the world after `terraform apply`:
//
//   - Resources come from planned_values (root_module and child_modules, recursively),
//     joined by address with resource_changes, whose change.after / after_unknown /
//     after_sensitive say what is known, unknown and secret; data sources read during
//     the plan come from prior_state.
//   - A resource the plan creates, updates or replaces REPLACES the resource of the
//     same canonical name in the inventory; one it deletes is removed; one it leaves
//     alone (no-op, or a data source) is added only when the inventory does not have
//     it, because the snapshot or the live APIs know more about an existing resource
//     (its state, its host) than Terraform does.
//   - Terraform waits for a create or update to finish and stops the apply when it
//     fails, so a connector or Redis instance the apply produces is READY afterwards.
//   - A reference-valued field that is unknown (the service's connector is
//     google_vpc_access_connector.x.id of a connector created in the same plan) is
//     resolved through the configuration: the expression's references name the
//     resource, and its canonical name is built from the plan's known project, region
//     and name. References through module outputs and module variables are followed. An
//     expression is taken to name the one resource of the field's kind it references
//     (an id, a name, a self link, or a string built around one); if it references
//     none, or several, the value stays unknown. References through locals are not in
//     the plan JSON and stay unknown.
//   - What stays unknown is recorded with Code KnownAfterApply (see
//     inventory/unknown.go), so the checks that need it are skipped with that reason,
//     never passed.
//   - An unknown environment value that the configuration takes from a Redis instance
//     (REDIS_HOST = google_redis_instance.x.host) is recorded as a reference from the
//     service to that instance (see inventory/planrefs.go), so selectRedis can choose
//     it.
//   - Secrets never enter the inventory: google_redis_instance.auth_string is not read,
//     and an environment value the plan marks sensitive (Terraform marks the whole env
//     list when one value is) is kept only in a redacted form that keeps what the
//     checks judge (an endpoint's host, port and scheme; a port; whether a value is
//     set) and drops anything that could be a secret (see inventory/sensitive.go); the
//     variable is recorded as sensitive, so no message shows its value.
//   - What Google creates along with a resource, outside the plan, is recorded as a gap
//     on the resource the plan creates (see inventory/unknown.go): the firewall rules
//     of a connector, the peering of a DIRECT_PEERING Redis instance to a network that
//     has none yet.
//   - A google_service_networking_connection becomes the
//     servicenetworking-googleapis-com peering of its network, which private services
//     access instances use (see psa.go).
package terraform

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	tfjson "github.com/hashicorp/terraform-json"
	"google.golang.org/protobuf/proto"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// The resource types read from a plan.
const (
	tfRunV2      = "google_cloud_run_v2_service"
	tfRunV1      = "google_cloud_run_service"
	tfConnector  = "google_vpc_access_connector"
	tfRedis      = "google_redis_instance"
	tfNetwork    = "google_compute_network"
	tfSubnetwork = "google_compute_subnetwork"
	tfFirewall   = "google_compute_firewall"
	tfAddress    = "google_compute_global_address"
	tfRouter     = "google_compute_router"
)

// planType is what the reader knows of one resource type it reads from a plan: the
// inventory kind it becomes and the function that builds its API object. The Service
// Networking connection has neither: it becomes a peering of its network
// (psa.go).
type planType struct {
	kind  inventory.Kind
	build func(b *protoBuilder, v tfValue) (proto.Message, error)
}

// planTypes are the resource types the reader collects. A builder reaches a resource's kind
// through planResource.kind, never through this table, which refers to the builders.
var planTypes = map[string]planType{
	tfRunV2:             {inventory.KindService, (*protoBuilder).runV2},
	tfRunV1:             {inventory.KindService, (*protoBuilder).runV1},
	tfConnector:         {inventory.KindConnector, (*protoBuilder).connector},
	tfRedis:             {inventory.KindRedis, (*protoBuilder).redis},
	tfNetwork:           {inventory.KindNetwork, (*protoBuilder).network},
	tfSubnetwork:        {inventory.KindSubnetwork, (*protoBuilder).subnetwork},
	tfFirewall:          {inventory.KindFirewall, (*protoBuilder).firewall},
	tfAddress:           {inventory.KindAddress, (*protoBuilder).address},
	tfRouter:            {inventory.KindRouter, (*protoBuilder).router},
	tfServiceNetworking: {},
	tfRouterNAT:         {},
}

// ApplyPlan reads a Terraform plan in JSON (terraform show -json PLAN) and applies it to the
// inventory, as described above. path names the plan file in errors and in inv.Sources. An
// unreadable plan is an *InputError (exit 2) naming the file.
func ApplyPlan(inv *inventory.Inventory, data []byte, path string) error {
	return ApplyPlanContext(context.Background(), inv, data, path)
}

// Limits on a Terraform plan, for a plan a pull request wrote. A plan of a large project
// (20,000 resources of the types read here) is some tens of MiB and loads in well under a
// second.
const (
	// MaxPlanBytes is the largest plan file read.
	MaxPlanBytes = 256 << 20
	// MaxPlanResources is the most resources of the types vpcdoctor reads in one plan.
	MaxPlanResources = 200_000
	// maxReferenceDepth bounds how many module outputs and variables one reference may pass
	// through (each is resolved once; this only bounds the stack).
	maxReferenceDepth = 1000
)

// ApplyPlanContext is ApplyPlan bounded by ctx: when it is done first (--timeout), loading
// stops with an *InputError saying so.
func ApplyPlanContext(ctx context.Context, inv *inventory.Inventory, data []byte, path string) error {
	if len(data) > MaxPlanBytes {
		return &inventory.InputError{Path: path, Msg: fmt.Sprintf("plan is larger than the limit of %d MiB", MaxPlanBytes>>20)}
	}
	plan, err := decodePlan(data, path)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return &inventory.InputError{Path: path, Msg: "reading the plan took longer than --timeout"}
	}
	p := newPlanReader(plan, path)
	if err := p.collect(); err != nil {
		return err
	}
	if err := p.identify(); err != nil {
		return err
	}
	ix := newApplyIndex(inv)
	for i, r := range p.ordered {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return p.timeoutError(err)
			}
		}
		if r.typ == tfServiceNetworking || r.typ == tfRouterNAT {
			continue // applied to its network or router below, once every one is in place
		}
		if err := p.apply(inv, ix, r); err != nil {
			return err
		}
		if p.err != nil {
			return p.err
		}
	}
	ix.compact(inv)
	inv.Reindex()
	p.applyServiceNetworking(inv)
	p.applyRouterNATs(inv)
	inv.Reindex()
	p.markPeerings(inv)
	inv.Reindex()
	return nil
}

func decodePlan(data []byte, path string) (*tfjson.Plan, error) {
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0:
		return nil, &inventory.InputError{Path: path, Msg: "file is empty (give the output of terraform show -json PLAN)"}
	case bytes.HasPrefix(trimmed, []byte("PK")):
		return nil, &inventory.InputError{Path: path, Msg: "is a binary plan file; convert it with terraform show -json PLAN > plan.json"}
	case trimmed[0] != '{':
		return nil, &inventory.InputError{Path: path, Msg: "not a Terraform plan in JSON (give the output of terraform show -json PLAN)"}
	}
	// The plan library's decoder stops after the first JSON value; anything after it (a
	// second document, a truncated append) is not a plan either. A RawMessage validates the
	// whole input without building it, and its error carries the offset for the line.
	if !json.Valid(trimmed) {
		var whole json.RawMessage
		return nil, jsonInputError(path, data, json.Unmarshal(trimmed, &whole))
	}
	// One decoding pass for a plan that is one; the probe below, which gives the precise
	// message for what is not, runs only then.
	var plan tfjson.Plan
	plan.UseJSONNumber(true)
	err := plan.UnmarshalJSON(trimmed)
	if err == nil && (plan.PlannedValues != nil || len(plan.ResourceChanges) > 0) {
		return &plan, nil
	}
	var probe struct {
		FormatVersion *string         `json:"format_version"`
		PlannedValues json.RawMessage `json:"planned_values"`
		Values        json.RawMessage `json:"values"`
	}
	if err := json.Unmarshal(trimmed, &probe); err != nil {
		return nil, jsonInputError(path, data, err)
	}
	switch {
	case probe.FormatVersion == nil:
		return nil, &inventory.InputError{Path: path, Msg: "not a Terraform plan: it has no format_version (give the output of terraform show -json PLAN)"}
	case probe.PlannedValues == nil && probe.Values != nil:
		return nil, &inventory.InputError{Path: path, Msg: "is a Terraform state, not a plan: run terraform plan -out plan.out, then terraform show -json plan.out"}
	}
	if err != nil {
		var syntax *json.SyntaxError
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &syntax) || errors.As(err, &typeErr) {
			return nil, jsonInputError(path, data, err)
		}
		return nil, &inventory.InputError{Path: path, Msg: "not a plan vpcdoctor can read: " + err.Error()}
	}
	return &plan, nil
}

// jsonInputError turns a JSON decoding error into a one-line error with the line number.
func jsonInputError(path string, data []byte, err error) *inventory.InputError {
	var offset int64 = -1
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		offset = syntax.Offset
	case errors.As(err, &typeErr):
		offset = typeErr.Offset
	}
	line := 0
	if offset >= 0 && offset <= int64(len(data)) {
		line = bytes.Count(data[:offset], []byte("\n")) + 1
	}
	return &inventory.InputError{Path: path, Line: line, Msg: "not valid JSON: " + err.Error()}
}
