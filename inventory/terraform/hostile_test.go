package terraform_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/snapshot"
	"github.com/vpcdoctor/vpcdoctor/inventory/terraform"
)

// Hostile plans: a CI gate reads a plan a pull request wrote. Each case must end in a
// one-line *InputError naming the file, never a panic, a hang or unbounded memory.

// wantInputError asserts err is a one-line *InputError for path whose message holds want.
func wantInputError(t *testing.T, name string, err error, path, want string) {
	t.Helper()
	var inErr *inventory.InputError
	if !errors.As(err, &inErr) {
		t.Errorf("%s: error %v, want an *InputError", name, err)
		return
	}
	if !strings.HasPrefix(inErr.Path, path) || !strings.Contains(inErr.Msg, want) || strings.ContainsAny(err.Error(), "\r\n") {
		t.Errorf("%s: %q, want one line naming %s with %q", name, err, path, want)
	}
}

func TestHostilePlans(t *testing.T) {
	cycle, err := os.ReadFile(filepath.Join("testdata", "hostile", "plan-cycle.json"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, data, want string }{
		{"null resource change", `{"format_version": "1.2", "resource_changes": [null]}`, "resource_changes[0] is null"},
		{"null planned resource", `{"format_version": "1.2", "planned_values": {"root_module": {"resources": [null]}}}`, "planned_values.root_module.resources[0] is null"},
		{"null child module resource", `{"format_version": "1.2", "planned_values": {"root_module": {"child_modules": [{"resources": [null]}]}}}`, "child_modules[0].resources[0] is null"},
		{"null child module", `{"format_version": "1.2", "planned_values": {"root_module": {"child_modules": [null]}}}`, ""},
		{"null config resource and provider", `{"format_version": "1.2", "configuration": {"provider_config": {"google": null}, "root_module": {"resources": [null], "module_calls": {"m": null}}}}`, ""},
		{"output and variable that refer to each other", string(cycle), "module.net.connector_id → module.net.var.connector → module.net.connector_id"},
		{"references that fan out", fanOutPlan(40), ""},
	}
	for _, tt := range tests {
		err := terraform.ApplyPlan(&inventory.Inventory{}, []byte(tt.data), "plan.json")
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		wantInputError(t, tt.name, err, "plan.json", tt.want)
	}
}

// fanOutPlan is a chain of modules in which every output refers to its module's two
// variables and each variable to the previous module's output: resolving without memoising
// takes 2^depth steps.
func fanOutPlan(depth int) string {
	module := map[string]any{
		"resources": []any{map[string]any{"address": "google_vpc_access_connector.c", "mode": "managed", "type": "google_vpc_access_connector", "name": "c",
			"expressions": map[string]any{"name": map[string]any{"constant_value": "c"}}}},
		"outputs": map[string]any{"id": map[string]any{"expression": map[string]any{"references": []any{"google_vpc_access_connector.c.id"}}}},
	}
	for i := 0; i < depth; i++ {
		module = map[string]any{
			"module_calls": map[string]any{"inner": map[string]any{"module": module,
				"expressions": map[string]any{
					"a": map[string]any{"references": []any{"var.a", "var.b"}},
					"b": map[string]any{"references": []any{"var.b", "var.a"}},
				}}},
			"outputs": map[string]any{"id": map[string]any{"expression": map[string]any{"references": []any{"module.inner.id", "var.a", "var.b"}}}},
		}
	}
	root := map[string]any{
		"resources": []any{map[string]any{"address": "google_cloud_run_v2_service.app", "mode": "managed", "type": "google_cloud_run_v2_service", "name": "app",
			"expressions": map[string]any{"template": []any{map[string]any{"vpc_access": []any{map[string]any{"connector": map[string]any{"references": []any{"module.top.id"}}}}}}}}},
		"module_calls": map[string]any{"top": map[string]any{"module": module}},
	}
	plan := map[string]any{
		"format_version": "1.2",
		"resource_changes": []any{map[string]any{"address": "google_cloud_run_v2_service.app", "mode": "managed", "type": "google_cloud_run_v2_service", "name": "app",
			"change": map[string]any{"actions": []any{"create"},
				"after":         map[string]any{"name": "app", "project": "p", "location": "us-central1", "template": []any{map[string]any{"vpc_access": []any{map[string]any{}}}}},
				"after_unknown": map[string]any{"template": []any{map[string]any{"vpc_access": []any{map[string]any{"connector": true}}}}}}}},
		"configuration": map[string]any{"root_module": root},
	}
	data, _ := json.Marshal(plan)
	return string(data)
}

// largePlan is a plan that creates n firewall rules on one network, each replacing a rule
// of the same name in the inventory, as a project-wide refactoring would.
func largePlan(n int) ([]byte, *inventory.Inventory) {
	inv := &inventory.Inventory{}
	var changes []any
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("rule-%d", i)
		changes = append(changes, map[string]any{
			"address": "google_compute_firewall.r[" + fmt.Sprint(i) + "]", "mode": "managed", "type": "google_compute_firewall", "name": "r", "index": i,
			"change": map[string]any{"actions": []any{"update"},
				"after": map[string]any{"name": name, "project": "p", "network": "https://www.googleapis.com/compute/v1/projects/p/global/networks/prod",
					"direction": "INGRESS", "priority": 1000, "source_ranges": []any{"10.8.0.0/28"},
					"allow": []any{map[string]any{"protocol": "tcp", "ports": []any{"6379"}}}},
				"after_unknown": map[string]any{}}})
		data := fmt.Sprintf(`{"kind": "compute#firewall", "name": %q, "network": "https://www.googleapis.com/compute/v1/projects/p/global/networks/prod",
			"selfLink": "https://www.googleapis.com/compute/v1/projects/p/global/firewalls/%s", "direction": "INGRESS", "priority": 1000}`, name, name)
		if err := snapshot.AddFile(inv, "firewalls.json", []byte(data)); err != nil {
			panic(err)
		}
	}
	plan, _ := json.Marshal(map[string]any{"format_version": "1.2", "resource_changes": changes})
	return plan, inv
}

func TestLargePlanReplacesEachRule(t *testing.T) {
	plan, inv := largePlan(2000)
	if err := terraform.ApplyPlan(inv, plan, "plan.json"); err != nil {
		t.Fatal(err)
	}
	if len(inv.Firewalls) != 2000 {
		t.Fatalf("%d firewall rules, want 2000 (each replaced once)", len(inv.Firewalls))
	}
	for _, f := range inv.Firewalls {
		if len(f.GetAllowed()) != 1 {
			t.Fatalf("rule %s kept its snapshot version", f.GetName())
		}
	}
}

// BenchmarkApplyLargePlan applies a plan of 2,000 and of 20,000 firewall rules over an
// inventory that has them all: the time per rule stays the same (linear), and 20,000 take
// well under a second.
func BenchmarkApplyLargePlan(b *testing.B) {
	for _, n := range []int{2_000, 20_000} {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			plan, base := largePlan(n)
			b.SetBytes(int64(len(plan)))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				inv := &inventory.Inventory{Firewalls: append(base.Firewalls[:0:0], base.Firewalls...)}
				b.StartTimer()
				if err := terraform.ApplyPlan(inv, plan, "plan.json"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestApplyPlanStopsAtTheDeadline(t *testing.T) {
	plan, inv := largePlan(10)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := terraform.ApplyPlanContext(ctx, inv, plan, "plan.json")
	wantInputError(t, "deadline", err, "plan.json", "--timeout")
}
