package inventory_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/fixtures"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/snapshot"
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
	inv, err := snapshot.LoadFS(s.FS, "fixtures/"+scenario)
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

// afterApply stands for "skip, because a value is known only after apply": the status is
// skip and the message gives that reason (rather than, say, a failed prerequisite).
const afterApply checks.Status = "skip-after-apply"

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

// TestPlanRedisFromEnvReference: the connector-network snapshot has several Redis
// instances and new-redis.json adds one whose host is known only after apply; the env
// value's configuration reference chooses it, and an env that references two instances
// chooses none.
func TestPlanRedisFromEnvReference(t *testing.T) {
	inv := applyPlanTo(t, "connector-network", "new-redis.json")
	if len(inv.RedisInstances) < 2 {
		t.Fatalf("%d Redis instances; the test needs several", len(inv.RedisInstances))
	}
	service := "projects/my-project/locations/us-central1/services/cache-service"
	sessions := "projects/my-project/locations/us-central1/instances/sessions"
	if got := inv.PlannedEnvRedis(service); got != sessions {
		t.Errorf("PlannedEnvRedis = %q, want %q", got, sessions)
	}
	if got := inv.PlannedEnvVarRedis(service, "REDIS_HOST"); got != sessions {
		t.Errorf("PlannedEnvVarRedis(REDIS_HOST) = %q, want %q", got, sessions)
	}
	paths, err := inventory.Select(inv, inventory.Selector{})
	if err != nil || len(paths) != 1 {
		t.Fatalf("select: %v (%d paths)", err, len(paths))
	}
	if paths[0].RedisRef.String() != sessions || paths[0].Redis == nil {
		t.Errorf("chose %s (%v), want %s", paths[0].RedisRef, paths[0].RedisProblem, sessions)
	}

	// REDIS_PORT taken from another instance of the plan: two candidates, no guess.
	raw, err := os.ReadFile(filepath.Join("testdata", "terraform", "new-redis.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	decodeJSON(t, raw, &doc)
	if !addSecondRedisReference(doc) {
		t.Fatal("new-redis.json changed shape: cannot add a second Redis reference")
	}
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := fixtures.Lookup("connector-network")
	two, err := snapshot.LoadFS(s.FS, "fixtures/connector-network")
	if err != nil {
		t.Fatal(err)
	}
	if err := inventory.ApplyPlan(two, data, "plan.json"); err != nil {
		t.Fatal(err)
	}
	if got := two.PlannedEnvRedis(service); got != "" {
		t.Errorf("env references two instances, PlannedEnvRedis = %q, want none", got)
	}
	if _, err := inventory.Select(two, inventory.Selector{}); err == nil || !strings.Contains(err.Error(), "--redis") {
		t.Errorf("env references two instances: select error %v, want one asking for --redis", err)
	}
}

// addSecondRedisReference makes REDIS_PORT of new-redis.json's service unknown and
// configured from google_redis_instance.other, a second instance the plan creates.
func addSecondRedisReference(doc map[string]any) bool {
	changes, _ := doc["resource_changes"].([]any)
	var other map[string]any
	for _, c := range changes {
		rc := c.(map[string]any)
		if rc["type"] == "google_redis_instance" {
			raw, _ := json.Marshal(rc)
			_ = json.Unmarshal(raw, &other)
		}
	}
	if other == nil {
		return false
	}
	other["address"], other["name"] = "google_redis_instance.other", "other"
	change := other["change"].(map[string]any)
	change["after"].(map[string]any)["name"] = "other"
	doc["resource_changes"] = append(changes, other)
	config, _ := doc["configuration"].(map[string]any)
	root, _ := config["root_module"].(map[string]any)
	resources, _ := root["resources"].([]any)
	done := false
	for _, r := range resources {
		res := r.(map[string]any)
		if res["type"] != "google_cloud_run_v2_service" {
			continue
		}
		env := dig(res, "expressions", "template", 0, "containers", 0, "env")
		for _, e := range asList(env) {
			entry := e.(map[string]any)
			if name, _ := entry["name"].(map[string]any); name["constant_value"] == "REDIS_PORT" {
				entry["value"] = map[string]any{"references": []any{"google_redis_instance.other.port", "google_redis_instance.other"}}
				done = true
			}
		}
	}
	for _, c := range changes {
		rc := c.(map[string]any)
		if rc["type"] != "google_cloud_run_v2_service" {
			continue
		}
		change := rc["change"].(map[string]any)
		for i, e := range asList(dig(change, "after", "template", 0, "containers", 0, "env")) {
			entry := e.(map[string]any)
			if entry["name"] != "REDIS_PORT" {
				continue
			}
			delete(entry, "value")
			unknownEnv := asList(dig(change, "after_unknown", "template", 0, "containers", 0, "env"))
			if i < len(unknownEnv) {
				if m, ok := unknownEnv[i].(map[string]any); ok {
					m["value"] = true
				}
			}
		}
	}
	return done
}

// dig walks maps (string keys) and lists (int indexes); nil when the path is absent.
func dig(v any, path ...any) any {
	for _, step := range path {
		switch s := step.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[s]
		case int:
			l, _ := v.([]any)
			if s >= len(l) {
				return nil
			}
			v = l[s]
		}
	}
	return v
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// TestPlanEnvGapsPerVariable: a plan's gap in one environment variable skips only the
// checks that read that variable; a gap in the list itself skips them all.
func TestPlanEnvGapsPerVariable(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "terraform", "new-redis.json"))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := fixtures.Lookup("connector-network")
	world, err := snapshot.LoadFS(s.FS, "fixtures/connector-network")
	if err != nil {
		t.Fatal(err)
	}
	sel := inventory.Selector{Redis: "sessions"}
	// A variable of the plan: its planned value and its after_unknown and after_sensitive
	// markers, kept together so that removing one keeps the three lists aligned.
	type envVar struct{ after, unknown, sensitive any }
	drop := func(vars []envVar, i int) []envVar { return append(vars[:i:i], vars[i+1:]...) }
	tests := []struct {
		name   string
		mutate func(vars []envVar) []envVar // nil result: the list itself is unknown
		want   map[string]checks.Status
	}{
		{"as planned", func(vars []envVar) []envVar { return vars }, map[string]checks.Status{
			"run.redis-host": afterApply, "run.redis-auth": checks.Pass, "redis.tls": afterApply}},
		// No secret, and REDIS_PASSWORD a plain value: the warning survives REDIS_HOST's gap.
		{"plain password", func(vars []envVar) []envVar {
			vars[3].sensitive = map[string]any{}
			return drop(vars, 2)
		}, map[string]checks.Status{"run.redis-host": afterApply, "run.redis-auth": checks.Warn, "redis.tls": afterApply}},
		// No AUTH variable but REDIS_PASSWORD, hidden: "no AUTH string" would be a guess.
		{"only a sensitive password", func(vars []envVar) []envVar {
			vars = drop(vars, 2)
			vars[2].after.(map[string]any)["value"] = ""
			return vars
		}, map[string]checks.Status{"run.redis-auth": afterApply}},
		// A known REDIS_HOST, and an unknown variable no check reads.
		{"unrelated unknown", func(vars []envVar) []envVar {
			vars[0].after.(map[string]any)["value"] = "10.0.0.3"
			vars[0].unknown = map[string]any{"value_source": []any{}}
			return append(vars, envVar{map[string]any{"name": "BUILD_ID", "value": nil, "value_source": []any{}}, map[string]any{"value": true}, map[string]any{}})
		}, map[string]checks.Status{"run.redis-auth": checks.Pass, "redis.tls": checks.Pass}},
		// The env list itself is known only after apply: any variable may be anything.
		{"unknown list", func(vars []envVar) []envVar { return nil }, map[string]checks.Status{
			"run.redis-host": afterApply, "run.redis-auth": afterApply, "redis.tls": afterApply}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc map[string]any
			decodeJSON(t, raw, &doc)
			mutated := false
			for _, c := range doc["resource_changes"].([]any) {
				rc := c.(map[string]any)
				if rc["type"] != "google_cloud_run_v2_service" {
					continue
				}
				change := rc["change"].(map[string]any)
				containers := [3]map[string]any{}
				for i, key := range []string{"after", "after_unknown", "after_sensitive"} {
					containers[i], _ = dig(change, key, "template", 0, "containers", 0).(map[string]any)
					if containers[i] == nil {
						t.Fatalf("new-redis.json changed shape: no %s container", key)
					}
				}
				after := asList(containers[0]["env"])
				vars := make([]envVar, len(after))
				for i := range after {
					vars[i] = envVar{after[i], dig(containers[1]["env"], i), dig(containers[2]["env"], i)}
				}
				vars = tt.mutate(vars)
				if vars == nil {
					containers[0]["env"], containers[1]["env"], containers[2]["env"] = nil, true, map[string]any{}
				} else {
					lists := [3][]any{}
					for _, v := range vars {
						lists[0], lists[1], lists[2] = append(lists[0], v.after), append(lists[1], v.unknown), append(lists[2], v.sensitive)
					}
					containers[0]["env"], containers[1]["env"], containers[2]["env"] = lists[0], lists[1], lists[2]
				}
				mutated = true
			}
			if !mutated {
				t.Fatal("new-redis.json changed shape: no Cloud Run service")
			}
			data, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			got := planStatuses(t, world, data, sel)
			for id, want := range tt.want {
				if want == afterApply {
					want = checks.Skip
				}
				if got[id] != want {
					t.Errorf("%s: %s, want %s", id, got[id], want)
				}
			}
		})
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

// TestPlanUnknownsNeverFail makes each value a plan creates or changes unknown until apply,
// one at a time, the way Terraform prints such a value (null in after, true in
// after_unknown), and runs the catalogue. A check may pass on what it does not read, or be
// skipped, but a failure or an error that the plan with the value known does not have is a
// check judging a value it cannot see.
func TestPlanUnknownsNeverFail(t *testing.T) {
	// Attributes that identify the resource: an unknown name is TestPlanUnknownsAreRecorded's
	// subject, and a resource without a known project or region is not one a plan describes.
	identity := map[string]bool{"name": true, "project": true, "region": true, "location": true, "id": true, "self_link": true}
	bases := []struct {
		plan string
		sel  inventory.Selector
	}{
		{"connector-fix.json", inventory.Selector{}},
		{"direct-vpc.json", inventory.Selector{}},
		{"module-nested.json", inventory.Selector{}},
		{"new-redis.json", inventory.Selector{Redis: "sessions"}},
		{"greenfield.json", inventory.Selector{Redis: "sessions"}},
		{"psa-redis.json", inventory.Selector{Redis: "sessions"}},
	}
	s, _ := fixtures.Lookup("connector-network")
	world, err := snapshot.LoadFS(s.FS, "fixtures/connector-network")
	if err != nil {
		t.Fatal(err)
	}
	for _, base := range bases {
		t.Run(base.plan, func(t *testing.T) {
			t.Parallel() // each run applies the plan to its own copy of world
			raw, err := os.ReadFile(filepath.Join("testdata", "terraform", base.plan))
			if err != nil {
				t.Fatal(err)
			}
			baseline := planStatuses(t, world, raw, base.sel)
			for id, st := range baseline {
				if st == checks.Fail || st == checks.Error {
					t.Fatalf("%s is %s with every value as the plan has it; the test needs a plan without failures", id, st)
				}
			}
			var doc map[string]any
			decodeJSON(t, raw, &doc)
			changes, _ := doc["resource_changes"].([]any)
			mutations := 0
			for i, c := range changes {
				rc := c.(map[string]any)
				typ, _ := rc["type"].(string)
				change := rc["change"].(map[string]any)
				if !strings.HasPrefix(typ, "google_") || !changesResource(change) {
					continue
				}
				for _, path := range valuePaths(change["after"], nil) {
					if len(path) == 1 && identity[path[0].(string)] {
						continue
					}
					var mutated map[string]any
					decodeJSON(t, raw, &mutated)
					mc := mutated["resource_changes"].([]any)[i].(map[string]any)["change"].(map[string]any)
					setPath(mc, "after", path, nil)
					setPath(mc, "after_unknown", path, true)
					data, err := json.Marshal(mutated)
					if err != nil {
						t.Fatal(err)
					}
					mutations++
					for id, st := range planStatuses(t, world, data, base.sel) {
						if (st == checks.Fail || st == checks.Error) && baseline[id] != st {
							t.Errorf("with %s.%s unknown, %s is %s (it is %s when the value is known)", rc["address"], pathString(path), id, st, baseline[id])
						}
					}
				}
			}
			if mutations < 20 {
				t.Errorf("only %d values made unknown: the plan changed, and the test proves little", mutations)
			}
		})
	}
}

// planStatuses applies a plan to a copy of world and returns each check's status on the
// one path selected.
func planStatuses(t *testing.T, world *inventory.Inventory, plan []byte, sel inventory.Selector) map[string]checks.Status {
	t.Helper()
	// ApplyPlan never changes a resource: it builds new slices without the ones it replaces
	// and appends, so the copy shares the resources, with slices clipped so that an append
	// never writes into world's arrays.
	inv := &inventory.Inventory{
		Services: slices.Clip(world.Services), Revisions: slices.Clip(world.Revisions), Connectors: slices.Clip(world.Connectors),
		RedisInstances: slices.Clip(world.RedisInstances), RedisClusters: slices.Clip(world.RedisClusters), Networks: slices.Clip(world.Networks),
		Subnetworks: slices.Clip(world.Subnetworks), Firewalls: slices.Clip(world.Firewalls),
		Listed: maps.Clone(world.Listed), Problems: slices.Clone(world.Problems), Sources: maps.Clone(world.Sources),
	}
	if err := inventory.ApplyPlan(inv, plan, "plan.json"); err != nil {
		t.Fatal(err)
	}
	paths, err := inventory.Select(inv, sel)
	if err != nil || len(paths) != 1 {
		t.Fatalf("select: %v (%d paths)", err, len(paths))
	}
	out := map[string]checks.Status{}
	for _, f := range checks.Run(checks.Catalogue(), paths[0], nil) {
		out[f.ID] = f.Status
	}
	return out
}

func decodeJSON(t *testing.T, data []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		t.Fatal(err)
	}
}

func changesResource(change map[string]any) bool {
	actions, _ := change["actions"].([]any)
	for _, a := range actions {
		if a == "create" || a == "update" {
			return true
		}
	}
	return false
}

// valuePaths lists the path of every value inside v (object keys and list indexes), parents
// before their children.
func valuePaths(v any, prefix []any) [][]any {
	var out [][]any
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := append(append([]any(nil), prefix...), k)
			out = append(out, p)
			out = append(out, valuePaths(x[k], p)...)
		}
	case []any:
		for i, item := range x {
			p := append(append([]any(nil), prefix...), i)
			out = append(out, p)
			out = append(out, valuePaths(item, p)...)
		}
	}
	return out
}

// setPath sets root[key] at path to value, creating the objects and lists on the way
// (after_unknown holds only what is unknown, so most of the path may be missing).
func setPath(root map[string]any, key string, path []any, value any) {
	var set func(container any, path []any) any
	set = func(container any, path []any) any {
		if len(path) == 0 {
			return value
		}
		switch step := path[0].(type) {
		case string:
			m, ok := container.(map[string]any)
			if !ok {
				m = map[string]any{}
			}
			m[step] = set(m[step], path[1:])
			return m
		case int:
			l, _ := container.([]any)
			for len(l) <= step {
				l = append(l, map[string]any{})
			}
			l[step] = set(l[step], path[1:])
			return l
		}
		return container
	}
	root[key] = set(root[key], path)
}

func pathString(path []any) string {
	parts := make([]string, len(path))
	for i, p := range path {
		parts[i] = fmt.Sprint(p)
	}
	return strings.Join(parts, ".")
}

// TestPlanServiceNetworking: psa-redis.json's google_service_networking_connection is what
// makes vpc.peering pass for its PRIVATE_SERVICE_ACCESS instance; without it the check
// fails, and when the apply decides the connection's network or service it is skipped.
func TestPlanServiceNetworking(t *testing.T) {
	s, _ := fixtures.Lookup("connector-network")
	world, err := snapshot.LoadFS(s.FS, "fixtures/connector-network")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join("testdata", "terraform", "psa-redis.json"))
	if err != nil {
		t.Fatal(err)
	}
	const connection = "google_service_networking_connection.psa"
	// edit returns the plan with the connection's resource change (and, for dropping it,
	// its planned value and configuration) changed by f.
	edit := func(f func(doc map[string]any, change map[string]any, cfg map[string]any)) []byte {
		var doc map[string]any
		decodeJSON(t, raw, &doc)
		var change, cfg map[string]any
		for _, c := range doc["resource_changes"].([]any) {
			if rc := c.(map[string]any); rc["address"] == connection {
				change = rc["change"].(map[string]any)
			}
		}
		for _, c := range doc["configuration"].(map[string]any)["root_module"].(map[string]any)["resources"].([]any) {
			if rc := c.(map[string]any); rc["address"] == connection {
				cfg = rc
			}
		}
		f(doc, change, cfg)
		data, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	withoutConnection := func(list []any) []any {
		return slices.DeleteFunc(list, func(x any) bool { return x.(map[string]any)["address"] == connection })
	}
	tests := []struct {
		name string
		plan []byte
		want checks.Status
	}{
		{"as planned", raw, checks.Pass},
		{"no connection", edit(func(doc, _, _ map[string]any) {
			doc["resource_changes"] = withoutConnection(doc["resource_changes"].([]any))
			root := doc["planned_values"].(map[string]any)["root_module"].(map[string]any)
			root["resources"] = withoutConnection(root["resources"].([]any))
		}), checks.Fail},
		{"network unknown, not referenced", edit(func(_, change, cfg map[string]any) {
			delete(change["after"].(map[string]any), "network")
			change["after_unknown"].(map[string]any)["network"] = true
			delete(cfg["expressions"].(map[string]any), "network")
		}), afterApply},
		{"service unknown", edit(func(_, change, _ map[string]any) {
			delete(change["after"].(map[string]any), "service")
			change["after_unknown"].(map[string]any)["service"] = true
		}), afterApply},
		{"another producer", edit(func(_, change, _ map[string]any) {
			change["after"].(map[string]any)["service"] = "netapp.servicenetworking.goog"
		}), checks.Fail},
		// The connection in module.psa, its network var.network = google_compute_network.prod.id
		// and unknown in the plan: the reference resolves through the module call.
		{"in a child module", edit(func(doc, change, cfg map[string]any) {
			for _, c := range doc["resource_changes"].([]any) {
				if rc := c.(map[string]any); rc["address"] == connection {
					rc["address"], rc["module_address"], rc["name"] = "module.psa."+connection[:len(connection)-len("psa")]+"this", "module.psa", "this"
				}
			}
			delete(change["after"].(map[string]any), "network")
			change["after_unknown"].(map[string]any)["network"] = true
			root := doc["planned_values"].(map[string]any)["root_module"].(map[string]any)
			root["resources"] = withoutConnection(root["resources"].([]any))
			root["child_modules"] = []any{map[string]any{"address": "module.psa", "resources": []any{map[string]any{
				"address": "module.psa.google_service_networking_connection.this", "mode": "managed",
				"type": "google_service_networking_connection", "name": "this",
				"provider_name": "registry.terraform.io/hashicorp/google", "schema_version": 0,
				"values":           map[string]any{"reserved_peering_ranges": []any{"redis-psa-range"}, "service": "servicenetworking.googleapis.com"},
				"sensitive_values": map[string]any{},
			}}}}
			config := doc["configuration"].(map[string]any)["root_module"].(map[string]any)
			config["resources"] = withoutConnection(config["resources"].([]any))
			cfg["address"], cfg["name"] = "google_service_networking_connection.this", "this"
			cfg["expressions"].(map[string]any)["network"] = map[string]any{"references": []any{"var.network"}}
			config["module_calls"] = map[string]any{"psa": map[string]any{
				"source":      "./modules/psa",
				"expressions": map[string]any{"network": map[string]any{"references": []any{"google_compute_network.prod.id", "google_compute_network.prod"}}},
				"module":      map[string]any{"resources": []any{cfg}, "variables": map[string]any{"network": map[string]any{}}},
			}}
		}), checks.Pass},
	}
	prodPeerings := func() int {
		n, _ := world.Network(inventory.NetworkRef{Project: "my-project", Name: "prod"})
		return len(n.GetPeerings())
	}
	before := prodPeerings()
	for _, tt := range tests {
		inv := &inventory.Inventory{
			Services: slices.Clip(world.Services), Revisions: slices.Clip(world.Revisions), Connectors: slices.Clip(world.Connectors),
			RedisInstances: slices.Clip(world.RedisInstances), Networks: slices.Clip(world.Networks),
			Subnetworks: slices.Clip(world.Subnetworks), Firewalls: slices.Clip(world.Firewalls),
			Listed: maps.Clone(world.Listed), Problems: slices.Clone(world.Problems), Sources: maps.Clone(world.Sources),
		}
		if err := inventory.ApplyPlan(inv, tt.plan, "plan.json"); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		paths, err := inventory.Select(inv, inventory.Selector{Redis: "sessions"})
		if err != nil || len(paths) != 1 {
			t.Fatalf("%s: select: %v (%d paths)", tt.name, err, len(paths))
		}
		for _, f := range checks.Run(checks.Catalogue(), paths[0], nil) {
			if f.ID != "vpc.peering" {
				continue
			}
			switch {
			case tt.want == afterApply:
				if f.Status != checks.Skip || !strings.HasPrefix(f.Message, "skipped until terraform apply: ") {
					t.Errorf("%s: vpc.peering %s (%s), want skip until apply", tt.name, f.Status, f.Message)
				}
			case f.Status != tt.want:
				t.Errorf("%s: vpc.peering %s (%s), want %s", tt.name, f.Status, f.Message, tt.want)
			}
		}
	}
	// A plan that deletes the connection, applied after the one that made it, removes the
	// peering again.
	inv := &inventory.Inventory{
		Services: slices.Clip(world.Services), Revisions: slices.Clip(world.Revisions), Connectors: slices.Clip(world.Connectors),
		RedisInstances: slices.Clip(world.RedisInstances), Networks: slices.Clip(world.Networks),
		Subnetworks: slices.Clip(world.Subnetworks), Firewalls: slices.Clip(world.Firewalls),
		Listed: maps.Clone(world.Listed), Problems: slices.Clone(world.Problems), Sources: maps.Clone(world.Sources),
	}
	if err := inventory.ApplyPlan(inv, raw, "plan.json"); err != nil {
		t.Fatal(err)
	}
	if made, _ := inv.Network(inventory.NetworkRef{Project: "my-project", Name: "prod"}); len(made.GetPeerings()) != before+1 {
		t.Fatalf("network prod has %d peerings after psa-redis.json, want the snapshot's %d and the plan's", len(made.GetPeerings()), before)
	}
	deletion := edit(func(_, change, _ map[string]any) {
		change["actions"] = []any{"delete"}
		change["before"], change["after"] = change["after"], nil
		change["after_unknown"], change["after_sensitive"] = map[string]any{}, false
	})
	if err := inventory.ApplyPlan(inv, deletion, "delete.json"); err != nil {
		t.Fatal(err)
	}
	prod, _ := inv.Network(inventory.NetworkRef{Project: "my-project", Name: "prod"})
	for _, peering := range prod.GetPeerings() {
		if peering.GetName() == "servicenetworking-googleapis-com" {
			t.Errorf("network prod keeps peering %s after a plan that deletes the connection", peering.GetName())
		}
	}
	if len(prod.GetPeerings()) != before {
		t.Errorf("network prod has %d peerings after the connection is deleted, want the snapshot's %d", len(prod.GetPeerings()), before)
	}
	// The peering goes on a copy of the network: the world the plans were applied to is
	// unchanged.
	if after := prodPeerings(); after != before {
		t.Errorf("network prod of the snapshot has %d peerings after the plans, %d before", after, before)
	}
}

// TestPlanPeeringRange: psa-redis.json allocates 10.60.0.0/16 to private services access
// (google_compute_global_address.psa); the connector it creates on 10.9.0.0/28 passes
// connector.range, and the same connector planned inside the allocation fails it, naming
// the range and proposing a /28 outside it.
func TestPlanPeeringRange(t *testing.T) {
	s, _ := fixtures.Lookup("connector-network")
	raw, err := os.ReadFile(filepath.Join("testdata", "terraform", "psa-redis.json"))
	if err != nil {
		t.Fatal(err)
	}
	const connector = "google_vpc_access_connector.redis"
	inside := func() []byte {
		var doc map[string]any
		decodeJSON(t, raw, &doc)
		for _, c := range doc["resource_changes"].([]any) {
			if rc := c.(map[string]any); rc["address"] == connector {
				rc["change"].(map[string]any)["after"].(map[string]any)["ip_cidr_range"] = "10.60.8.0/28"
			}
		}
		for _, r := range doc["planned_values"].(map[string]any)["root_module"].(map[string]any)["resources"].([]any) {
			if rc := r.(map[string]any); rc["address"] == connector {
				rc["values"].(map[string]any)["ip_cidr_range"] = "10.60.8.0/28"
			}
		}
		data, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}()
	for _, tt := range []struct {
		name    string
		plan    []byte
		want    checks.Status
		message string
	}{
		{"as planned", raw, checks.Pass, "overlaps no subnet"},
		{"inside the allocation", inside, checks.Fail, "overlaps private services access range redis-psa-range (10.60.0.0/16)"},
	} {
		inv, err := snapshot.LoadFS(s.FS, "fixtures/connector-network")
		if err != nil {
			t.Fatal(err)
		}
		if err := inventory.ApplyPlan(inv, tt.plan, "plan.json"); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		ranges, problem := inv.PeeringRangesOf(inventory.NetworkRef{Project: "my-project", Name: "prod"})
		if problem != nil || len(ranges) != 1 || ranges[0].GetAddress() != "10.60.0.0" || ranges[0].GetPrefixLength() != 16 {
			t.Fatalf("%s: peering ranges of prod = %v, %v", tt.name, ranges, problem)
		}
		paths, err := inventory.Select(inv, inventory.Selector{Redis: "sessions"})
		if err != nil || len(paths) != 1 {
			t.Fatalf("%s: select: %v (%d paths)", tt.name, err, len(paths))
		}
		for _, f := range checks.Run(checks.Catalogue(), paths[0], nil) {
			if f.ID != "connector.range" {
				continue
			}
			if f.Status != tt.want || !strings.Contains(f.Message, tt.message) {
				t.Errorf("%s: connector.range = %s %q; want %s containing %q", tt.name, f.Status, f.Message, tt.want, tt.message)
			}
			if tt.want == checks.Fail && (f.Remediation == nil || strings.Contains(strings.Join(f.Remediation.Commands, " "), "--range 10.60.")) {
				t.Errorf("%s: the proposed range must lie outside 10.60.0.0/16: %+v", tt.name, f.Remediation)
			}
		}
	}
}
