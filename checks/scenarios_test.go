package checks_test

import (
	"testing"
	"time"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/fixtures"
	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// scenarioWant is the expected status of every check the scenario does not leave at pass.
// Checks not listed must pass: a table row states the whole outcome of its scenario.
var scenarioWant = map[string]map[string]checks.Status{
	"healthy": {},
	"no-vpc-egress": {
		"run.vpc-egress": checks.Fail, "run.egress-scope": checks.Skip,
		"connector.found": checks.Skip, "connector.ready": checks.Skip, "connector.region": checks.Skip,
		"connector.network": checks.Skip, "connector.range": checks.Skip,
	},
	"misplaced-annotations": {
		"run.vpc-egress": checks.Fail, "run.egress-scope": checks.Skip,
		"connector.found": checks.Skip, "connector.ready": checks.Skip, "connector.region": checks.Skip,
		"connector.network": checks.Skip, "connector.range": checks.Skip,
	},
	"both-egress": {
		"run.vpc-egress": checks.Fail, "run.egress-scope": checks.Skip,
		"connector.found": checks.Skip, "connector.ready": checks.Skip, "connector.region": checks.Skip,
		"connector.network": checks.Skip, "connector.range": checks.Skip,
	},
	"egress-scope":            {"run.egress-scope": checks.Fail},
	"connector-missing":       {"connector.found": checks.Fail, "connector.ready": checks.Skip, "connector.region": checks.Skip, "connector.network": checks.Skip, "connector.range": checks.Skip},
	"connector-error":         {"connector.ready": checks.Fail},
	"connector-creating":      {"connector.ready": checks.Warn},
	"connector-region":        {"connector.region": checks.Fail},
	"connector-network":       {"connector.network": checks.Fail},
	"connector-range-overlap": {"connector.range": checks.Fail},
	"connector-range-size":    {"connector.range": checks.Fail},
	"direct-vpc": {
		"connector.found": checks.Skip, "connector.ready": checks.Skip, "connector.region": checks.Skip,
		"connector.network": checks.Skip, "connector.range": checks.Skip,
	},
	"redis-missing": {
		"redis.found": checks.Fail, "redis.ready": checks.Skip, "redis.region": checks.Skip,
		"run.egress-scope": checks.Skip, "connector.network": checks.Skip,
		"run.redis-host": checks.Skip, "run.redis-auth": checks.Skip,
	},
	"redis-repairing":      {"redis.ready": checks.Fail},
	"redis-host-stale":     {"run.redis-host": checks.Fail},
	"redis-auth-missing":   {"run.redis-auth": checks.Fail},
	"redis-auth-plaintext": {"run.redis-auth": checks.Warn},
	"cold-start":           {"run.cold-start": checks.Warn},
	"redis-region":         {"redis.region": checks.Warn},
	"missing-subnets":      {"connector.range": checks.Error},
}

// runScenario loads a built-in scenario and runs the whole catalogue on its one path.
func runScenario(t testing.TB, name string) []checks.Finding {
	t.Helper()
	scenario, ok := fixtures.Lookup(name)
	if !ok {
		t.Fatalf("no scenario %q", name)
	}
	inv, err := inventory.LoadFS(scenario.FS, name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	paths, err := inventory.Select(inv, inventory.Selector{})
	if err != nil {
		t.Fatalf("select %s: %v", name, err)
	}
	if len(paths) != 1 {
		t.Fatalf("scenario %s: %d paths, want 1", name, len(paths))
	}
	defer checks.SetNow(scenarioClock)()
	return checks.Run(checks.Catalogue(), paths[0], nil)
}

// scenarioClock is the instant the scenarios are judged at, so that maintenance windows and
// certificate expiry in the fixtures give the same outcome whatever day the tests run.
var scenarioClock = time.Date(2026, time.November, 25, 12, 0, 0, 0, time.UTC)

func TestScenarios(t *testing.T) {
	for _, scenario := range fixtures.Scenarios() {
		want, ok := scenarioWant[scenario.Name]
		if !ok {
			t.Errorf("scenario %s has no row in scenarioWant", scenario.Name)
			continue
		}
		t.Run(scenario.Name, func(t *testing.T) {
			findings := runScenario(t, scenario.Name)
			for _, f := range findings {
				expected, listed := want[f.ID]
				if !listed {
					expected = checks.Pass
				}
				if f.Status != expected {
					t.Errorf("%s: status %s, want %s (message: %s)", f.ID, f.Status, expected, f.Message)
				}
				if (f.Status == checks.Fail || f.Status == checks.Warn || f.Status == checks.Error) && f.Remediation == nil {
					t.Errorf("%s is %s but has no remediation", f.ID, f.Status)
				}
			}
			for id := range want {
				if _, ok := checks.Lookup(checks.Catalogue(), id); !ok {
					t.Errorf("table names unknown check %s", id)
				}
			}
		})
	}
}
