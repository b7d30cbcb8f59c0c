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
