package terraform_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vpcdoctor/vpcdoctor/inventory/terraform"
)

// fuzzBudget bounds one input: a plan reader that takes longer on a few KiB is a hang to
// fix.
const fuzzBudget = 2 * time.Second

// FuzzApplyPlan: a Terraform plan (terraform show -json) applied to the healthy scenario.
func FuzzApplyPlan(f *testing.F) {
	plans, _ := filepath.Glob(filepath.Join("testdata", "plans", "*.json"))
	hostile, _ := filepath.Glob(filepath.Join("testdata", "hostile", "*.json"))
	for _, path := range append(plans, hostile...) {
		if data, err := os.ReadFile(path); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(fanOutPlan(30)))
	// Cloud Routers and their NATs, well formed and not: a NAT on a router the plan creates,
	// one whose router is a hostile name, one with null and mistyped subnetwork entries.
	f.Add([]byte(`{"format_version":"1.2","resource_changes":[{"address":"google_compute_router.r","mode":"managed","type":"google_compute_router","name":"r","change":{"actions":["create"],"before":null,"after":{"name":"nat-router","network":"default","project":"my-project","region":"us-central1","bgp":[]},"after_unknown":{"self_link":true}}},{"address":"google_compute_router_nat.n","mode":"managed","type":"google_compute_router_nat","name":"n","change":{"actions":["create"],"before":null,"after":{"name":"nat-config","router":"nat-router","project":"my-project","region":"us-central1","source_subnetwork_ip_ranges_to_nat":"ALL_SUBNETWORKS_ALL_IP_RANGES","subnetwork":[],"type":"PUBLIC","endpoint_types":["ENDPOINT_TYPE_VM"]},"after_unknown":{}}}]}`))
	f.Add([]byte(`{"format_version":"1.2","resource_changes":[{"address":"google_compute_router_nat.n","mode":"managed","type":"google_compute_router_nat","name":"n","change":{"actions":["update"],"before":{"name":"x"},"after":{"name":"nat\u001b[31m","router":"r;$(id)\n::error::x","region":"us-central1","source_subnetwork_ip_ranges_to_nat":"LIST_OF_SUBNETWORKS","subnetwork":[null,"s",{"name":null,"source_ip_ranges_to_nat":null},{"name":"projects/p/regions/r/subnetworks/s","source_ip_ranges_to_nat":[7]}],"endpoint_types":null},"after_unknown":{"subnetwork":[true,false]}}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		inv := loadScenario(t, "healthy")
		start := time.Now()
		err := terraform.ApplyPlan(inv, data, "plan.json")
		if elapsed := time.Since(start); elapsed > fuzzBudget {
			t.Fatalf("took %v, more than %v", elapsed, fuzzBudget)
		}
		if err != nil {
			wantInputError(t, "plan", err, "plan.json", "")
		}
	})
}
