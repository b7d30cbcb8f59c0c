package inventory_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/fixtures"
	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// The plans in testdata/terraform are applied to the built-in "connector-network" scenario:
// the existing world in which Redis my-redis authorizes network prod and the service
// cache-service egresses through connector redis-connector on network default.

// planAuthString is the auth_string every plan carries for its Redis instances, and the
// value of a sensitive environment variable in new-redis.json: it must never be kept.
const planAuthString = "6a1f0d3e-auth-string-never-printed-9b2c"

func applyPlanTo(t *testing.T, scenario, plan string) *inventory.Inventory {
	t.Helper()
	s, ok := fixtures.Lookup(scenario)
	if !ok {
		t.Fatalf("no fixture scenario %q", scenario)
	}
	inv, err := inventory.LoadFS(s.FS, "fixtures/"+scenario)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "terraform", plan)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := inventory.ApplyPlan(inv, data, path); err != nil {
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

// notPass stands for "skip, because a value is known only after apply": until every check
// that reads such a value maps inventory.KnownAfterApply to skip, the table accepts any
// status but pass, and requires the after-apply reason when the check did not fail.
const notPass checks.Status = "not-pass"

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
			"connector.range": checks.Pass, "redis.found": checks.Pass, "redis.ready": checks.Pass, "redis.region": checks.Pass,
		}},
		{"known-after-apply.json", inventory.Selector{}, map[string]checks.Status{
			"run.vpc-egress": checks.Pass, "connector.found": notPass, "connector.network": checks.Skip,
			"connector.range": checks.Skip, "redis.found": checks.Pass,
		}},
		{"new-redis.json", inventory.Selector{Redis: "sessions"}, map[string]checks.Status{
			"run.egress-scope": notPass, "connector.found": checks.Pass, "connector.network": checks.Pass,
			"redis.found": checks.Pass, "redis.region": checks.Pass,
		}},
		{"direct-vpc.json", inventory.Selector{}, map[string]checks.Status{
			"run.vpc-egress": checks.Pass, "run.egress-scope": checks.Pass, "connector.found": checks.Skip,
			"connector.network": checks.Skip, "redis.found": checks.Pass,
		}},
		{"module-nested.json", inventory.Selector{}, map[string]checks.Status{
			"run.vpc-egress": checks.Pass, "connector.found": checks.Pass, "connector.network": checks.Pass,
			"connector.range": checks.Pass, "redis.found": checks.Pass,
		}},
		{"delete-connector.json", inventory.Selector{}, map[string]checks.Status{
			"run.vpc-egress": checks.Pass, "connector.found": checks.Fail,
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
				if want == notPass {
					if got.Status == checks.Pass || (got.Status != checks.Fail && !strings.Contains(got.Message, "known only after terraform apply")) {
						t.Errorf("%s: %s %q, want skip (or not pass) because of a value known after apply", id, got.Status, got.Message)
					}
					continue
				}
				if got.Status != want {
					t.Errorf("%s: %s (%s), want %s", id, got.Status, got.Message, want)
				}
			}
		})
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
	before, err := inventory.LoadFS(s.FS, "snapshot")
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
	if got := inv.Sources[inv.Services[0].GetName()]; got != filepath.Join("testdata", "terraform", "connector-wrong-network.json") {
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

func TestPlanUnknownsAreRecorded(t *testing.T) {
	inv := applyPlanTo(t, "connector-network", "new-redis.json")
	redis := "projects/my-project/locations/us-central1/instances/sessions"
	if p := inv.UnknownField(inventory.KindRedis, redis, "host"); p == nil || p.Code != inventory.KnownAfterApply ||
		!strings.Contains(p.Error(), "host is known only after terraform apply (google_redis_instance.sessions)") {
		t.Errorf("Redis host: %v", p)
	}
	if p := inv.UnknownField(inventory.KindRedis, redis, "authorizedNetwork", "tier"); p != nil {
		t.Errorf("known fields reported unknown: %v", p)
	}
	service := "projects/my-project/locations/us-central1/services/cache-service"
	if p := inv.UnknownField(inventory.KindService, service, "template.containers.env"); p == nil {
		t.Error("REDIS_HOST = google_redis_instance.sessions.host is not recorded unknown")
	}

	named := applyPlanTo(t, "connector-network", "known-after-apply.json")
	connector := inventory.ConnectorRef{Project: "my-project", Region: "us-central1", Name: "google_vpc_access_connector.redis"}
	c, problem := named.Connector(connector)
	if c != nil || problem == nil || problem.Code != inventory.KnownAfterApply {
		t.Errorf("connector named by a random suffix: %v, %v; want a known-after-apply problem", c, problem)
	}
}

func TestPlanNeverKeepsSecrets(t *testing.T) {
	entries, err := os.ReadDir(filepath.Join("testdata", "terraform"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join("testdata", "terraform", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(raw), planAuthString) {
			continue
		}
		inv := applyPlanTo(t, "connector-network", e.Name())
		var all []string
		for _, list := range [][]proto.Message{
			protos(inv.Services), protos(inv.Connectors), protos(inv.RedisInstances),
			protos(inv.Networks), protos(inv.Subnetworks), protos(inv.Firewalls),
		} {
			for _, m := range list {
				all = append(all, protojson.Format(m))
			}
		}
		problems, _ := json.Marshal(inv.Problems)
		all = append(all, string(problems))
		for _, s := range all {
			if strings.Contains(s, planAuthString) {
				t.Errorf("%s: a secret from the plan reached the inventory: %s", e.Name(), s)
			}
		}
	}
}

func protos[T proto.Message](list []T) []proto.Message {
	out := make([]proto.Message, 0, len(list))
	for _, m := range list {
		out = append(out, m)
	}
	return out
}
