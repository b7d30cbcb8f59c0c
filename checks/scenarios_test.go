package checks_test

import (
	"strings"
	"testing"
	"time"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/fixtures"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/snapshot"
)

// scenarioWant is the expected status of every check the scenario does not leave at pass.
// Checks not listed must pass: a table row states the whole outcome of its scenario.
var scenarioWant = map[string]map[string]checks.Status{
	"healthy": connectorPath,
	"no-vpc-egress": with(noConnector, map[string]checks.Status{
		"run.vpc-egress": checks.Fail, "run.egress-scope": checks.Skip, "run.direct-vpc": checks.Skip, "run.serving-revision": checks.Skip,
		"vpc.firewall-egress": checks.Skip,
	}),
	"misplaced-annotations": with(noConnector, map[string]checks.Status{
		"run.vpc-egress": checks.Fail, "run.egress-scope": checks.Skip, "run.direct-vpc": checks.Skip, "run.serving-revision": checks.Skip,
		"vpc.firewall-egress": checks.Skip,
	}),
	"both-egress": with(noConnector, map[string]checks.Status{
		"run.vpc-egress": checks.Fail, "run.egress-scope": checks.Skip, "run.direct-vpc": checks.Fail, "run.serving-revision": checks.Skip,
		"vpc.firewall-egress": checks.Skip,
	}),
	"egress-scope":      with(connectorPath, map[string]checks.Status{"run.egress-scope": checks.Fail}),
	"connector-missing": with(noConnector, map[string]checks.Status{"run.direct-vpc": checks.Skip, "connector.found": checks.Fail, "vpc.firewall-egress": checks.Skip}),
	// The template names a connector of no valid form; the serving revision still has the
	// old one, so run.serving-revision fails too.
	"connector-name-invalid":  with(noConnector, map[string]checks.Status{"run.direct-vpc": checks.Skip, "connector.found": checks.Fail, "vpc.firewall-egress": checks.Skip, "run.serving-revision": checks.Fail}),
	"connector-error":         with(connectorPath, map[string]checks.Status{"connector.ready": checks.Fail}),
	"connector-creating":      with(connectorPath, map[string]checks.Status{"connector.ready": checks.Warn}),
	"connector-region":        with(connectorPath, map[string]checks.Status{"connector.region": checks.Fail}),
	"connector-network":       with(connectorPath, map[string]checks.Status{"connector.network": checks.Fail}),
	"connector-range-overlap": with(connectorPath, map[string]checks.Status{"connector.range": checks.Fail}),
	"connector-range-psa":     with(connectorPath, map[string]checks.Status{"connector.range": checks.Fail}),
	"connector-range-172-17":  with(connectorPath, map[string]checks.Status{"connector.range": checks.Fail}),
	"direct-vpc-172-17":       with(directPath, map[string]checks.Status{"run.direct-vpc": checks.Fail}),
	"connector-range-size":    with(connectorPath, map[string]checks.Status{"connector.range": checks.Fail}),
	"direct-vpc":              directPath,
	"direct-vpc-subnet":       with(directPath, map[string]checks.Status{"run.direct-vpc": checks.Fail}),
	"dvpc-26-default":         with(directPath, map[string]checks.Status{"run.direct-vpc": checks.Warn}),
	"dvpc-26-unset":           with(directPath, map[string]checks.Status{"run.direct-vpc": checks.Warn}),
	"redis-missing": with(connectorPath, map[string]checks.Status{
		// Without the Redis instance, the latest ready revision (named by id) still ties
		// the namespace number to my-project: connector.shared-vpc passes.
		"redis.found": checks.Fail, "redis.ready": checks.Skip, "redis.region": checks.Skip,
		"run.egress-scope": checks.Skip, "connector.network": checks.Skip,
		"run.redis-host": checks.Skip, "run.redis-auth": checks.Skip,
		"vpc.peering": checks.Skip, "vpc.firewall-egress": checks.Skip,
		"redis.tls": checks.Skip, "redis.maintenance": checks.Skip,
	}),
	"redis-cluster": with(connectorPath, map[string]checks.Status{
		// Without the Redis instance, the latest ready revision (named by id) still ties
		// the namespace number to my-project: connector.shared-vpc passes.
		"redis.found": checks.Fail, "redis.ready": checks.Skip, "redis.region": checks.Skip,
		"run.egress-scope": checks.Skip, "connector.network": checks.Skip,
		"run.redis-host": checks.Skip, "run.redis-auth": checks.Skip,
		"vpc.peering": checks.Skip, "vpc.firewall-egress": checks.Skip,
		"redis.tls": checks.Skip, "redis.maintenance": checks.Skip,
	}),
	"redis-repairing":      with(connectorPath, map[string]checks.Status{"redis.ready": checks.Fail}),
	"redis-region":         with(connectorPath, map[string]checks.Status{"redis.region": checks.Warn}),
	"missing-subnets":      with(connectorPath, map[string]checks.Status{"connector.range": checks.Error}),
	"redis-host-stale":     with(connectorPath, map[string]checks.Status{"run.redis-host": checks.Fail}),
	"redis-auth-missing":   with(connectorPath, map[string]checks.Status{"run.redis-auth": checks.Warn}),
	"redis-tls-no-port":    with(connectorPath, map[string]checks.Status{"run.redis-host": checks.Warn}),
	"redis-auth-plaintext": with(connectorPath, map[string]checks.Status{"run.redis-auth": checks.Warn}),
	"cold-start":           with(connectorPath, map[string]checks.Status{"run.cold-start": checks.Warn}),
	"serving-old-revision": with(connectorPath, map[string]checks.Status{"run.serving-revision": checks.Fail}),
	// Real-world scenarios, built from payloads published outside the project (see each README).
	"real-redis8-connector": connectorPath,
	"real-alpfr-direct-vpc": with(directPath, map[string]checks.Status{"run.cold-start": checks.Warn}),
	// Its persistenceIamIdentity is the older NUMBER-compute@ form, which connector.shared-vpc
	// does not take as proof of the project number: it warns and asks for --project.
	"real-redis3-custom-network":          connectorPath,
	"real-redis3-connector-wrong-network": with(connectorPath, map[string]checks.Status{"connector.network": checks.Fail}),
	"real-gcpdiag-cloudrun2-no-vpc": with(noConnector, map[string]checks.Status{
		"run.vpc-egress": checks.Fail, "run.egress-scope": checks.Skip, "run.direct-vpc": checks.Skip,
		"run.serving-revision": checks.Skip, "vpc.firewall-egress": checks.Skip, "run.cold-start": checks.Warn,
		"run.redis-host": checks.Skip,
	}),
	"real-gke1-network-no-redis-peering":  with(directPath, map[string]checks.Status{"vpc.peering": checks.Fail}),
	"shared-vpc":                          sharedVPCPath,
	"shared-vpc-not-connected":            with(sharedVPCPath, map[string]checks.Status{"connector.shared-vpc": checks.Warn}),
	"shared-vpc-first-deploy":             sharedVPCPath,
	"shared-vpc-iam-missing":              with(sharedVPCPath, map[string]checks.Status{"connector.shared-vpc": checks.Warn}),
	"shared-vpc-numbered":                 sharedVPCPath,
	"shared-vpc-number-unknown":           with(sharedVPCPath, map[string]checks.Status{"connector.shared-vpc": checks.Warn}),
	"shared-vpc-number-guess":             with(sharedVPCPath, map[string]checks.Status{"connector.shared-vpc": checks.Warn}),
	"connector-subnet-size":               with(sharedVPCPath, map[string]checks.Status{"connector.subnet": checks.Fail}),
	"shared-vpc-firewall":                 with(sharedVPCPath, map[string]checks.Status{"vpc.connector-firewall": checks.Fail}),
	"peering-deleted":                     with(connectorPath, map[string]checks.Status{"vpc.peering": checks.Fail}),
	"firewall-egress-deny":                with(connectorPath, map[string]checks.Status{"vpc.firewall-egress": checks.Fail}),
	"connector-firewall-blocked":          with(connectorPath, map[string]checks.Status{"vpc.connector-firewall": checks.Fail}),
	"firewall-policy-deny":                with(connectorPath, map[string]checks.Status{"vpc.firewall-egress": checks.Fail}),
	"firewall-policy-regional":            with(connectorPath, map[string]checks.Status{"vpc.firewall-egress": checks.Fail}),
	"firewall-policy-goto-next":           connectorPath,
	"firewall-policy-uncertain":           with(connectorPath, map[string]checks.Status{"vpc.firewall-egress": checks.Warn}),
	"connector-firewall-policy":           with(connectorPath, map[string]checks.Status{"vpc.connector-firewall": checks.Fail}),
	"redis-tls-ca-expiring":               with(connectorPath, map[string]checks.Status{"redis.tls": checks.Warn}),
	"redis-tls-plaintext":                 with(connectorPath, map[string]checks.Status{"redis.tls": checks.Fail, "run.redis-host": checks.Fail}),
	"connector-production-size":           with(connectorPath, map[string]checks.Status{"connector.capacity": checks.Pass}),
	"effective-firewalls-no-policies":     connectorPath,
	"redis-maintenance":                   with(connectorPath, map[string]checks.Status{"redis.ready": checks.Warn, "redis.maintenance": checks.Warn}),
	"redis-maintenance-soon":              with(connectorPath, map[string]checks.Status{"redis.maintenance": checks.Warn}),
	"service-level-minscale":              connectorPath,
	"knative-numeric-limits":              connectorPath,
	"shared-vpc-service-connector":        sharedVPCPath,
	"standalone-auto-rules":               connectorPath,
	"standalone-auto-rules-deny900":       connectorPath,
	"standalone-auto-rules-denyegress":    connectorPath,
	"standalone-auto-rules-rsgfw-missing": with(connectorPath, map[string]checks.Status{"vpc.connector-firewall": checks.Warn}),
	"standalone-auto-rules-hidden":        with(connectorPath, map[string]checks.Status{"vpc.connector-firewall": checks.Warn}),
	"egress-nat":                          with(connectorPath, map[string]checks.Status{"vpc.egress-nat": checks.Pass}),
	"egress-nat-missing":                  with(connectorPath, map[string]checks.Status{"vpc.egress-nat": checks.Warn}),
	"egress-nat-subnet":                   with(connectorPath, map[string]checks.Status{"vpc.egress-nat": checks.Warn}),
	"egress-nat-unread":                   with(connectorPath, map[string]checks.Status{"vpc.egress-nat": checks.Error}),
	"egress-nat-private":                  connectorPath,
	"egress-nat-direct-vpc":               with(directPath, map[string]checks.Status{"vpc.egress-nat": checks.Pass}),
}

// connectorPath is the outcome every scenario cloned from healthy shares: it egresses
// through a connector with its own range (so the Direct VPC and subnet checks do not
// apply). The connector is the one the seed how-to creates, e2-micro with 2 to 3
// instances: connector.capacity warns, because the connector documentation says high packet
// rates can exhaust e2-micro instances and recommends e2-standard-4 for production.
var connectorPath = map[string]checks.Status{
	"run.direct-vpc":     checks.Skip,
	"connector.subnet":   checks.Skip,
	"connector.capacity": checks.Warn,
	"vpc.egress-nat":     checks.Skip,
}

// sharedVPCPath is the outcome of the healthy Shared VPC setup: a connector of the host
// project, on a subnet of its own, sized for production.
var sharedVPCPath = map[string]checks.Status{
	"run.direct-vpc": checks.Skip,
	"vpc.egress-nat": checks.Skip,
}

// noConnector is the outcome when no connector is in use or it cannot be found: every
// connector check is skipped.
var noConnector = map[string]checks.Status{
	"connector.found": checks.Skip, "connector.ready": checks.Skip, "connector.region": checks.Skip,
	"connector.network": checks.Skip, "connector.range": checks.Skip, "connector.subnet": checks.Skip,
	"connector.shared-vpc": checks.Skip, "connector.capacity": checks.Skip,
	"vpc.connector-firewall": checks.Skip,
	"vpc.egress-nat":         checks.Skip,
}

// directPath is the outcome of a healthy Direct VPC egress setup.
var directPath = noConnector

// with returns base with the overrides applied, leaving base untouched.
func with(base, overrides map[string]checks.Status) map[string]checks.Status {
	out := make(map[string]checks.Status, len(base)+len(overrides))
	for id, st := range base {
		out[id] = st
	}
	for id, st := range overrides {
		out[id] = st
	}
	return out
}

// runScenario loads a built-in scenario and runs the whole catalogue on its one path.
func runScenario(t testing.TB, name string) []checks.Finding {
	t.Helper()
	scenario, ok := fixtures.Lookup(name)
	if !ok {
		t.Fatalf("no scenario %q", name)
	}
	inv, err := snapshot.LoadFS(scenario.FS, name)
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
	return checks.Run(checks.Catalogue(), paths[0], nil, checks.At(scenarioClock))
}

// scenarioClock is the instant the scenarios are judged at, so that maintenance windows and
// certificate expiry in the fixtures give the same outcome whatever day the tests run.
var scenarioClock = time.Date(2026, time.November, 25, 12, 0, 0, 0, time.UTC)

// TestRunReadsItsClock: the instant a run judges maintenance windows at is the one its
// options give, not a package-wide clock: the same inventory, judged a day before and a
// month after its scheduled maintenance, gives a warning and then no warning.
func TestRunReadsItsClock(t *testing.T) {
	const name = "redis-maintenance-soon"
	scenario, _ := fixtures.Lookup(name)
	inv, err := snapshot.LoadFS(scenario.FS, name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	paths, err := inventory.Select(inv, inventory.Selector{})
	if err != nil {
		t.Fatalf("select %s: %v", name, err)
	}
	statusAt := func(at time.Time) checks.Status {
		for _, f := range checks.Run(checks.Catalogue(), paths[0], nil, checks.At(at)) {
			if f.ID == "redis.maintenance" {
				return f.Status
			}
		}
		t.Fatal("no redis.maintenance finding")
		return ""
	}
	if got := statusAt(scenarioClock); got != checks.Warn {
		t.Errorf("at the scenario's clock: redis.maintenance %s, want warn", got)
	}
	if got := statusAt(scenarioClock.AddDate(0, 1, 0)); got != checks.Pass {
		t.Errorf("a month later: redis.maintenance %s, want pass", got)
	}
}

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

// TestMaintenanceCanMove pins the advice that depends on scheduleDeadlineTime rather than
// the deprecated canReschedule: the instance's maintenance can still move, so the fix
// offers reschedule-maintenance.
func TestMaintenanceCanMove(t *testing.T) {
	for _, f := range runScenario(t, "redis-maintenance-soon") {
		if f.ID != "redis.maintenance" {
			continue
		}
		found := false
		for _, c := range f.Remediation.Commands {
			found = found || strings.Contains(c, "reschedule-maintenance")
		}
		if !found {
			t.Errorf("redis.maintenance offers no reschedule-maintenance command: %v", f.Remediation.Commands)
		}
	}
}
