package terraform_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/protobuf/proto"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/fixtures"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/snapshot"
	"github.com/vpcdoctor/vpcdoctor/inventory/terraform"
)

// The plans in testdata/terraform are applied to the built-in "connector-network" scenario:
// the existing world in which Redis my-redis authorizes network prod and the service
// cache-service egresses through connector redis-connector on network default.

// planAuthString is the auth_string every plan carries for its Redis instances, and the
// value of a sensitive environment variable in new-redis.json: it must never be kept.
const planAuthString = "6a1f0d3e-auth-string-never-printed-9b2c"

// loadScenario loads a built-in scenario, the world a plan is applied to.
func loadScenario(t testing.TB, scenario string) *inventory.Inventory {
	t.Helper()
	s, ok := fixtures.Lookup(scenario)
	if !ok {
		t.Fatalf("no fixture scenario %q", scenario)
	}
	inv, err := snapshot.LoadFS(s.FS, "fixtures/"+scenario)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// applyData applies a plan (its JSON) to a built-in scenario.
func applyData(t *testing.T, scenario string, plan []byte) *inventory.Inventory {
	t.Helper()
	inv := loadScenario(t, scenario)
	if err := terraform.ApplyPlan(inv, plan, "plan.json"); err != nil {
		t.Fatal(err)
	}
	return inv
}

// applyPlanTo applies a plan of testdata/plans to a built-in scenario.
func applyPlanTo(t *testing.T, scenario, plan string) *inventory.Inventory {
	t.Helper()
	inv := loadScenario(t, scenario)
	path := filepath.Join("testdata", "plans", plan)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := terraform.ApplyPlan(inv, data, path); err != nil {
		t.Fatal(err)
	}
	return inv
}

func planFindings(t *testing.T, plan string, sel inventory.Selector) (*inventory.Inventory, map[string]checks.Finding) {
	t.Helper()
	inv := applyPlanTo(t, "connector-network", plan)
	paths, err := inventory.Select(inv, sel)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 1 {
		t.Fatalf("%d paths, want 1", len(paths))
	}
	byID := map[string]checks.Finding{}
	for _, f := range checks.Run(checks.Catalogue(), paths[0], nil) {
		byID[f.ID] = f
	}
	return inv, byID
}

// serviceChanges decodes a plan and returns it with the change of each of its
// google_cloud_run_v2_service resources, for a test to edit; a plan without one is fatal.
func serviceChanges(t *testing.T, raw []byte, plan string) (map[string]any, []map[string]any) {
	t.Helper()
	var doc map[string]any
	decodeJSON(t, raw, &doc)
	var changes []map[string]any
	for _, c := range doc["resource_changes"].([]any) {
		if rc := c.(map[string]any); rc["type"] == "google_cloud_run_v2_service" {
			changes = append(changes, rc["change"].(map[string]any))
		}
	}
	if len(changes) == 0 {
		t.Fatalf("%s changed shape: no Cloud Run service", plan)
	}
	return doc, changes
}

// afterApply stands for "skip, because a value is known only after apply": the status is
// skip and the message gives that reason (rather than, say, a failed prerequisite).
const afterApply checks.Status = "skip-after-apply"

// wantCheck runs the catalogue on the one path sel selects and requires check id to have
// status want (afterApply: skipped until terraform apply); label names the case.
func wantCheck(t *testing.T, label string, inv *inventory.Inventory, sel inventory.Selector, id string, want checks.Status) {
	t.Helper()
	paths, err := inventory.Select(inv, sel)
	if err != nil || len(paths) != 1 {
		t.Fatalf("%s: select: %v (%d paths)", label, err, len(paths))
	}
	for _, f := range checks.Run(checks.Catalogue(), paths[0], nil) {
		if f.ID != id {
			continue
		}
		switch {
		case want == afterApply:
			if f.Status != checks.Skip || !strings.HasPrefix(f.Message, "skipped until terraform apply: ") {
				t.Errorf("%s: %s %s (%s), want skip until apply", label, id, f.Status, f.Message)
			}
		case f.Status != want:
			t.Errorf("%s: %s %s (%s), want %s", label, id, f.Status, f.Message, want)
		}
	}
}

func TestPlanScenarios(t *testing.T) {
	tests := []struct {
		plan string
		sel  inventory.Selector
		want map[string]checks.Status
	}{
		{"connector-wrong-network.json", inventory.Selector{}, map[string]checks.Status{
			"run.vpc-egress": checks.Pass, "connector.found": checks.Pass, "connector.ready": checks.Pass,
			"connector.region": checks.Pass, "connector.network": checks.Fail, "redis.found": checks.Pass,
		}},
		{"connector-fix.json", inventory.Selector{}, map[string]checks.Status{
			"run.vpc-egress": checks.Pass, "run.egress-scope": checks.Pass, "connector.found": checks.Pass,
			"connector.ready": checks.Pass, "connector.region": checks.Pass, "connector.network": checks.Pass,
			"connector.range": checks.Pass, "vpc.peering": checks.Pass, "vpc.firewall-egress": checks.Pass,
			// The plan creates the rules the connector needs: known, so they pass.
			"vpc.connector-firewall": checks.Pass,
			"redis.found":            checks.Pass, "redis.ready": checks.Pass, "redis.region": checks.Pass,
		}},
		{"known-after-apply.json", inventory.Selector{}, map[string]checks.Status{
			"run.vpc-egress": checks.Pass, "connector.found": afterApply, "connector.network": checks.Skip,
			"connector.range": checks.Skip, "vpc.connector-firewall": checks.Skip, "redis.found": checks.Pass,
		}},
		{"new-redis.json", inventory.Selector{Redis: "sessions"}, map[string]checks.Status{
			"run.egress-scope": afterApply, "run.redis-host": afterApply, "connector.found": checks.Pass,
			// REDIS_HOST is unknown and REDIS_PASSWORD sensitive, but AUTH reads neither
			// once REDIS_AUTH comes from Secret Manager; TLS reads REDIS_HOST's scheme.
			"run.redis-auth": checks.Pass, "redis.tls": afterApply,
			"connector.network": checks.Pass, "vpc.peering": checks.Pass, "vpc.firewall-egress": afterApply,
			// The connector the plan creates in its network's own project gets its firewall
			// rules from Google at apply, and nothing known outranks them.
			"vpc.connector-firewall": checks.Pass,
			"redis.found":            checks.Pass, "redis.ready": checks.Pass, "redis.region": checks.Pass,
		}},
		// Without --redis: REDIS_HOST = google_redis_instance.sessions.host names the
		// instance, although its host is known only after apply.
		{"new-redis.json", inventory.Selector{}, map[string]checks.Status{
			"run.egress-scope": afterApply, "run.redis-host": afterApply, "connector.network": checks.Pass,
			"vpc.peering": checks.Pass, "redis.found": checks.Pass, "redis.region": checks.Pass,
		}},
		{"greenfield.json", inventory.Selector{}, map[string]checks.Status{
			"run.redis-host": afterApply, "connector.network": checks.Pass, "redis.found": checks.Pass,
		}},
		{"direct-vpc.json", inventory.Selector{}, map[string]checks.Status{
			"run.vpc-egress": checks.Pass, "run.egress-scope": checks.Pass, "run.direct-vpc": checks.Pass,
			"connector.found": checks.Skip, "connector.network": checks.Skip, "vpc.firewall-egress": checks.Pass,
			"redis.found": checks.Pass,
		}},
		{"module-nested.json", inventory.Selector{}, map[string]checks.Status{
			"run.vpc-egress": checks.Pass, "connector.found": checks.Pass, "connector.network": checks.Pass,
			"connector.range": checks.Pass, "vpc.connector-firewall": checks.Pass, "redis.found": checks.Pass,
		}},
		{"greenfield.json", inventory.Selector{Redis: "sessions"}, map[string]checks.Status{
			"run.vpc-egress": checks.Pass, "run.redis-host": afterApply, "connector.found": checks.Pass,
			"connector.network": checks.Pass, "connector.range": checks.Pass,
			// Memorystore peers the new network when it creates the instance, and Google
			// creates the connector's rules with it: neither is in the plan; the rules are
			// documented, so the connector's firewall is judged with them.
			"vpc.peering": afterApply, "vpc.connector-firewall": checks.Warn,
			"redis.found": checks.Pass, "redis.ready": checks.Pass,
		}},
		{"delete-connector.json", inventory.Selector{}, map[string]checks.Status{
			"run.vpc-egress": checks.Pass, "connector.found": checks.Fail,
		}},
		// The google_service_networking_connection the plan creates on prod is the
		// servicenetworking-googleapis-com peering the PRIVATE_SERVICE_ACCESS instance needs.
		{"psa-redis.json", inventory.Selector{Redis: "sessions"}, map[string]checks.Status{
			"run.redis-host": afterApply, "connector.found": checks.Pass, "connector.network": checks.Pass,
			"vpc.peering": checks.Pass, "redis.found": checks.Pass, "redis.ready": checks.Pass, "redis.region": checks.Pass,
		}},
		{"psa-redis.json", inventory.Selector{}, map[string]checks.Status{
			"run.redis-host": afterApply, "connector.network": checks.Pass, "vpc.peering": checks.Pass, "redis.found": checks.Pass,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.plan, func(t *testing.T) {
			_, findings := planFindings(t, tt.plan, tt.sel)
			for id, want := range tt.want {
				got, ok := findings[id]
				if !ok {
					t.Errorf("%s: no finding", id)
					continue
				}
				if want == afterApply {
					if got.Status != checks.Skip || !strings.HasPrefix(got.Message, "skipped until terraform apply: ") {
						t.Errorf("%s: %s %q, want skip because of a value known after apply", id, got.Status, got.Message)
					}
					continue
				}
				if got.Status != want {
					t.Errorf("%s: %s (%s), want %s", id, got.Status, got.Message, want)
				}
			}
			// What the plan leaves to the apply never fails a check: only the plans that
			// break something fail.
			for id, f := range findings {
				if f.Status == checks.Error || (f.Status == checks.Fail && tt.want[id] != checks.Fail) {
					t.Errorf("%s: %s (%s)", id, f.Status, f.Message)
				}
			}
		})
	}
}

// TestPlanConnectorFirewall: the rules Google creates with a connector only make the check
// skip where the rules known now fall short; a priority-0 deny rule blocks the connector
// whatever those rules are, so it still fails.
func TestPlanConnectorFirewall(t *testing.T) {
	inv := applyPlanTo(t, "connector-network", "module-nested.json")
	inv.Firewalls = append(inv.Firewalls, &computepb.Firewall{
		Name: proto.String("deny-all-ingress"), Network: proto.String("https://www.googleapis.com/compute/v1/projects/my-project/global/networks/prod"),
		SelfLink:  proto.String("https://www.googleapis.com/compute/v1/projects/my-project/global/firewalls/deny-all-ingress"),
		Direction: proto.String("INGRESS"), Priority: proto.Int32(0), SourceRanges: []string{"0.0.0.0/0"},
		Denied: []*computepb.Denied{{IPProtocol: proto.String("all")}},
	})
	paths, err := inventory.Select(inv, inventory.Selector{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range checks.Run(checks.Catalogue(), paths[0], nil) {
		if f.ID == "vpc.connector-firewall" && (f.Status != checks.Fail || !strings.Contains(f.Message, "deny-all-ingress")) {
			t.Errorf("%s %s: %s, want fail on the priority-0 deny rule", f.ID, f.Status, f.Message)
		}
	}
}

func TestPlanResolvesReferences(t *testing.T) {
	tests := []struct{ plan, connector string }{
		// google_vpc_access_connector.redis.id, unknown until apply, is the created connector.
		{"connector-fix.json", "projects/my-project/locations/us-central1/connectors/redis-connector-prod"},
		// var.connector → module.network.connector_id → google_vpc_access_connector.this[0].id
		{"module-nested.json", "projects/my-project/locations/us-central1/connectors/redis-connector-prod"},
		{"connector-wrong-network.json", "projects/my-project/locations/us-central1/connectors/redis-connector-2"},
	}
	for _, tt := range tests {
		inv := applyPlanTo(t, "connector-network", tt.plan)
		if len(inv.Services) != 1 {
			t.Fatalf("%s: %d services, want the plan's to replace the snapshot's", tt.plan, len(inv.Services))
		}
		if got := inv.Services[0].GetTemplate().GetVpcAccess().GetConnector(); got != tt.connector {
			t.Errorf("%s: service connector %q, want %q", tt.plan, got, tt.connector)
		}
		if p := inv.UnknownField(inventory.KindService, "projects/my-project/locations/us-central1/services/cache-service", "template.vpcAccess.connector"); p != nil {
			t.Errorf("%s: resolved connector still recorded unknown: %v", tt.plan, p)
		}
	}
	// The connector of the fix plan has network = google_compute_network.prod.self_link,
	// unknown in the plan: it resolves to the network the configuration references.
	inv := applyPlanTo(t, "connector-network", "connector-fix.json")
	for _, c := range inv.Connectors {
		if inventory.ShortName(c.GetName()) == "redis-connector-prod" && c.GetNetwork() != "projects/my-project/global/networks/prod" {
			t.Errorf("connector network %q, want prod", c.GetNetwork())
		}
	}
}

func TestPlanReplacesKeepsAndRemoves(t *testing.T) {
	s, _ := fixtures.Lookup("connector-network")
	before, err := snapshot.LoadFS(s.FS, "snapshot")
	if err != nil {
		t.Fatal(err)
	}
	inv := applyPlanTo(t, "connector-network", "connector-wrong-network.json")
	var connectors []string
	for _, c := range inv.Connectors {
		connectors = append(connectors, inventory.ShortName(c.GetName()))
	}
	if strings.Join(connectors, ",") != "redis-connector,redis-connector-2" {
		t.Errorf("connectors %v, want the snapshot's and the created one", connectors)
	}
	// The Redis instance is a no-op in the plan: the snapshot's record (which has the state
	// Terraform does not know) stays.
	if len(inv.RedisInstances) != 1 || !proto.Equal(inv.RedisInstances[0], before.RedisInstances[0]) {
		t.Errorf("no-op Redis replaced the snapshot's: %v", inv.RedisInstances)
	}
	if got := inv.Sources[inv.Services[0].GetName()]; got != filepath.Join("testdata", "plans", "connector-wrong-network.json") {
		t.Errorf("service source %q, want the plan file", got)
	}
	// The data source of the plan adds network default only where the snapshot lacks it.
	if len(inv.Networks) != len(before.Networks) {
		t.Errorf("%d networks, want the snapshot's %d", len(inv.Networks), len(before.Networks))
	}

	deleted := applyPlanTo(t, "connector-network", "delete-connector.json")
	if len(deleted.Connectors) != 0 {
		t.Errorf("deleted connector still in the inventory: %v", deleted.Connectors)
	}
}
