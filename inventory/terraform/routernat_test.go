package terraform_test

import (
	"testing"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/terraform"
)

// natPlan is a plan that changes the egress-nat-subnet scenario's NAT gateway, nat-config
// on Cloud Router nat-router, as terraform show -json prints a google_compute_router_nat
// change; after is the NAT's planned value, unknown its after_unknown.
func natPlan(t *testing.T, actions []string, after, unknown map[string]any) []byte {
	t.Helper()
	before := natValues("LIST_OF_SUBNETWORKS", []any{map[string]any{
		"name":                     "https://www.googleapis.com/compute/v1/projects/my-project/regions/us-central1/subnetworks/default",
		"secondary_ip_range_names": []any{}, "source_ip_ranges_to_nat": []any{"PRIMARY_IP_RANGE"},
	}})
	if actions[0] == "create" {
		before = nil
	}
	if unknown == nil {
		unknown = map[string]any{}
	}
	change := map[string]any{"actions": actions, "before": before, "after": after, "after_unknown": unknown,
		"before_sensitive": map[string]any{}, "after_sensitive": map[string]any{}}
	if after == nil {
		change["after_sensitive"] = false
	}
	const address = "google_compute_router_nat.nat"
	return encodeJSON(t, map[string]any{
		"format_version": "1.2", "terraform_version": "1.9.8",
		"resource_changes": []any{map[string]any{
			"address": address, "mode": "managed", "type": "google_compute_router_nat", "name": "nat",
			"provider_name": "registry.terraform.io/hashicorp/google", "change": change,
		}},
		"configuration": map[string]any{"root_module": map[string]any{"resources": []any{map[string]any{
			"address": address, "mode": "managed", "type": "google_compute_router_nat", "name": "nat",
			"provider_config_key": "google",
			"expressions": map[string]any{
				"name":   map[string]any{"constant_value": "nat-config"},
				"router": map[string]any{"constant_value": "nat-router"},
			},
		}}}},
	})
}

// withNewRouter is plan with its NAT moved to a Cloud Router the plan creates,
// new-nat-router on network default.
func withNewRouter(t *testing.T, plan []byte) []byte {
	t.Helper()
	var doc map[string]any
	decodeJSON(t, plan, &doc)
	changes := doc["resource_changes"].([]any)
	changes[0].(map[string]any)["change"].(map[string]any)["after"].(map[string]any)["router"] = "new-nat-router"
	doc["resource_changes"] = append(changes, map[string]any{
		"address": "google_compute_router.nat", "mode": "managed", "type": "google_compute_router", "name": "nat",
		"provider_name": "registry.terraform.io/hashicorp/google",
		"change": map[string]any{"actions": []any{"create"}, "before": nil,
			"after": map[string]any{"bgp": []any{}, "description": nil, "encrypted_interconnect_router": nil,
				"name": "new-nat-router", "network": "default", "project": "my-project", "region": "us-central1", "timeouts": nil},
			"after_unknown":    map[string]any{"creation_timestamp": true, "id": true, "self_link": true},
			"before_sensitive": false, "after_sensitive": map[string]any{}},
	})
	return encodeJSON(t, doc)
}

// natValues are a google_compute_router_nat's attributes as the provider plans them.
func natValues(option string, subnetworks []any) map[string]any {
	return map[string]any{
		"auto_network_tier": "PREMIUM", "drain_nat_ips": []any{}, "enable_dynamic_port_allocation": false,
		"enable_endpoint_independent_mapping": false, "endpoint_types": []any{"ENDPOINT_TYPE_VM"},
		"icmp_idle_timeout_sec": 30, "id": "my-project/us-central1/nat-router/nat-config",
		"log_config": []any{}, "max_ports_per_vm": 0, "min_ports_per_vm": 0, "name": "nat-config",
		"nat_ip_allocate_option": "AUTO_ONLY", "nat_ips": []any{}, "project": "my-project", "region": "us-central1",
		"router": "nat-router", "rules": []any{}, "source_subnetwork_ip_ranges_to_nat": option,
		"subnetwork": subnetworks, "tcp_established_idle_timeout_sec": 1200, "tcp_time_wait_timeout_sec": 120,
		"tcp_transitory_idle_timeout_sec": 30, "timeouts": nil, "type": "PUBLIC", "udp_idle_timeout_sec": 30,
	}
}

// TestPlanRouterNAT: a plan's google_compute_router_nat is applied to its Cloud Router, so
// vpc.egress-nat judges the NAT the apply leaves: the scenario's list NAT cannot serve the
// connector's hidden subnet (warn), the plan that opens it to every subnet passes, the one
// that deletes it warns, and one whose subnets the apply decides is skipped until then.
func TestPlanRouterNAT(t *testing.T) {
	unknownOption := natValues("", nil)
	delete(unknownOption, "source_subnetwork_ip_ranges_to_nat")
	tests := []struct {
		name string
		plan []byte
		want checks.Status
	}{
		{"nothing planned", nil, checks.Warn},
		{"every subnet", natPlan(t, []string{"update"}, natValues("ALL_SUBNETWORKS_ALL_IP_RANGES", []any{}), nil), checks.Pass},
		{"deleted", natPlan(t, []string{"delete"}, nil, nil), checks.Warn},
		{"on a router the plan creates", withNewRouter(t, natPlan(t, []string{"create"}, natValues("ALL_SUBNETWORKS_ALL_PRIMARY_IP_RANGES", []any{}), nil)), checks.Pass},
		{"subnets decided at apply", natPlan(t, []string{"update"}, unknownOption, map[string]any{"source_subnetwork_ip_ranges_to_nat": true}), afterApply},
	}
	for _, tt := range tests {
		inv := loadScenario(t, "egress-nat-subnet")
		if tt.plan != nil {
			if err := terraform.ApplyPlan(inv, tt.plan, "plan.json"); err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
		}
		wantCheck(t, tt.name, inv, inventory.Selector{}, "vpc.egress-nat", tt.want)
	}
}
