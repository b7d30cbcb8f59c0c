package terraform_test

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

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/terraform"
)

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
	entries, err := os.ReadDir(filepath.Join("testdata", "plans"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join("testdata", "plans", e.Name()))
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
	world := loadScenario(t, "connector-network")
	for _, base := range bases {
		t.Run(base.plan, func(t *testing.T) {
			t.Parallel() // each run applies the plan to its own copy of world
			raw, err := os.ReadFile(filepath.Join("testdata", "plans", base.plan))
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
					data := encodeJSON(t, mutated)
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
	if err := terraform.ApplyPlan(inv, plan, "plan.json"); err != nil {
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

// encodeJSON is a plan document a test edited, as the plan file it stands for.
func encodeJSON(t *testing.T, doc any) []byte {
	t.Helper()
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// decodeJSON decodes a plan as the plan reader does, numbers kept as json.Number.
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
