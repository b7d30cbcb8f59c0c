package terraform_test

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/terraform"
)

// TestPlanServiceNetworking: psa-redis.json's google_service_networking_connection is what
// makes vpc.peering pass for its PRIVATE_SERVICE_ACCESS instance; without it the check
// fails, and when the apply decides the connection's network or service it is skipped.
func TestPlanServiceNetworking(t *testing.T) {
	world := loadScenario(t, "connector-network")
	raw, err := os.ReadFile(filepath.Join("testdata", "plans", "psa-redis.json"))
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
		return encodeJSON(t, doc)
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
		if err := terraform.ApplyPlan(inv, tt.plan, "plan.json"); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		wantCheck(t, tt.name, inv, inventory.Selector{Redis: "sessions"}, "vpc.peering", tt.want)
	}
	// A plan that deletes the connection, applied after the one that made it, removes the
	// peering again.
	inv := &inventory.Inventory{
		Services: slices.Clip(world.Services), Revisions: slices.Clip(world.Revisions), Connectors: slices.Clip(world.Connectors),
		RedisInstances: slices.Clip(world.RedisInstances), Networks: slices.Clip(world.Networks),
		Subnetworks: slices.Clip(world.Subnetworks), Firewalls: slices.Clip(world.Firewalls),
		Listed: maps.Clone(world.Listed), Problems: slices.Clone(world.Problems), Sources: maps.Clone(world.Sources),
	}
	if err := terraform.ApplyPlan(inv, raw, "plan.json"); err != nil {
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
	if err := terraform.ApplyPlan(inv, deletion, "delete.json"); err != nil {
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
	raw, err := os.ReadFile(filepath.Join("testdata", "plans", "psa-redis.json"))
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
		return encodeJSON(t, doc)
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
		inv := loadScenario(t, "connector-network")
		if err := terraform.ApplyPlan(inv, tt.plan, "plan.json"); err != nil {
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
