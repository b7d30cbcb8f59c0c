package live_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/internal/fakegcp"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/live"
)

// faultAPI is one of the four APIs with the methods a fault is injected on and what the
// run must then report.
type faultAPI struct {
	name    string
	api     string
	methods []string
	// problems are the kind, name and permission of the problems each fault must record.
	problems []wantProblem
	// findings are the statuses of the checks that cannot pass; every other check passes.
	// notFound overrides them for a 404, where a missing resource is a fail, not an error.
	findings, notFound map[string]checks.Status
	// selectFails: the service itself could not be read, so there is no path to check.
	selectFails bool
}

type wantProblem struct {
	kind       inventory.Kind
	name       string
	permission string
	role       string
}

const (
	healthyConnector = "projects/my-project/locations/us-central1/connectors/redis-connector"
	healthyNetwork   = "projects/my-project/global/networks/default"
	// healthyRegional names the regional firewall policy answer for the connector's region.
	healthyRegional = "projects/my-project/regions/us-central1/networks/default"
)

func faultAPIs() []faultAPI {
	connectorSkipped := map[string]checks.Status{
		"connector.ready": checks.Skip, "connector.region": checks.Skip, "connector.network": checks.Skip, "connector.range": checks.Skip,
	}
	with := func(base map[string]checks.Status, id string, st checks.Status) map[string]checks.Status {
		out := map[string]checks.Status{id: st}
		for k, v := range base {
			out[k] = v
		}
		return out
	}
	redisSkipped := map[string]checks.Status{
		"redis.ready": checks.Skip, "redis.region": checks.Skip, "run.egress-scope": checks.Skip, "connector.network": checks.Skip,
	}
	return []faultAPI{
		{
			name: "run", api: "run.googleapis.com",
			methods:     []string{fakegcp.GetService, fakegcp.ListServices, fakegcp.GetRevision},
			problems:    []wantProblem{{inventory.KindService, "", "run.services.get", "roles/run.viewer"}},
			selectFails: true,
		},
		{
			name: "vpcaccess", api: "vpcaccess.googleapis.com",
			methods: []string{fakegcp.GetConnector, fakegcp.ListConnectors},
			problems: []wantProblem{
				{inventory.KindConnector, "", "vpcaccess.connectors.list", "roles/vpcaccess.viewer"},
				{inventory.KindConnector, healthyConnector, "vpcaccess.connectors.get", "roles/vpcaccess.viewer"},
			},
			findings: with(connectorSkipped, "connector.found", checks.Error),
			notFound: with(connectorSkipped, "connector.found", checks.Fail),
		},
		{
			name: "redis", api: "redis.googleapis.com",
			methods:  []string{fakegcp.GetInstance, fakegcp.ListInstances},
			problems: []wantProblem{{inventory.KindRedis, "", "redis.instances.list", "roles/redis.viewer"}},
			findings: with(redisSkipped, "redis.found", checks.Error),
			notFound: with(redisSkipped, "redis.found", checks.Fail),
		},
		{
			name: "compute", api: "compute.googleapis.com",
			methods: []string{fakegcp.GetNetwork, fakegcp.ListSubnetworks, fakegcp.AggregatedListSubnetworks, fakegcp.ListFirewalls, fakegcp.ListGlobalAddresses,
				fakegcp.GetEffectiveFirewalls, fakegcp.GetRegionEffectiveFirewalls},
			problems: []wantProblem{
				{inventory.KindNetwork, healthyNetwork, "compute.networks.get", "roles/compute.networkViewer"},
				{inventory.KindSubnetwork, "", "compute.subnetworks.list", "roles/compute.networkViewer"},
				{inventory.KindFirewall, "", "compute.firewalls.list", "roles/compute.networkViewer"},
				{inventory.KindAddress, "", "compute.globalAddresses.list", "roles/compute.networkViewer"},
				{inventory.KindFirewallPolicy, healthyNetwork, "compute.networks.getEffectiveFirewalls", "roles/compute.networkViewer"},
				{inventory.KindFirewallPolicy, healthyRegional, "compute.networks.getRegionEffectiveFirewalls", "roles/compute.networkViewer"},
			},
			findings: map[string]checks.Status{"connector.range": checks.Error, "vpc.peering": checks.Error, "vpc.firewall-egress": checks.Error, "vpc.connector-firewall": checks.Error},
			// A missing network is a finding (no peering can exist); a listing that is not
			// there leaves the range and firewall checks unable to decide.
			notFound: map[string]checks.Status{"connector.range": checks.Error, "vpc.peering": checks.Fail, "vpc.firewall-egress": checks.Error, "vpc.connector-firewall": checks.Error},
		},
		{
			// Only the regional answer is unreadable: the policies of the connector's region
			// are not known, so the firewall checks warn (the VPC rules allow) and nothing
			// else changes, whatever the code (a 404 too: no answer is no answer).
			name: "compute-regional-policies", api: "compute.googleapis.com",
			methods:  []string{fakegcp.GetRegionEffectiveFirewalls},
			problems: []wantProblem{{inventory.KindFirewallPolicy, healthyRegional, "compute.networks.getRegionEffectiveFirewalls", "roles/compute.networkViewer"}},
			findings: map[string]checks.Status{"vpc.firewall-egress": checks.Warn, "vpc.connector-firewall": checks.Warn},
			notFound: map[string]checks.Status{"vpc.firewall-egress": checks.Warn, "vpc.connector-firewall": checks.Warn},
		},
		{
			// Only the private services access ranges are unreadable: the range check cannot
			// rule out an overlap with them, and nothing else changes.
			name: "compute-addresses", api: "compute.googleapis.com",
			methods:  []string{fakegcp.ListGlobalAddresses},
			problems: []wantProblem{{inventory.KindAddress, "", "compute.globalAddresses.list", "roles/compute.networkViewer"}},
			findings: map[string]checks.Status{"connector.range": checks.Error},
			notFound: map[string]checks.Status{"connector.range": checks.Error},
		},
	}
}

// TestLoadLiveFaults injects 403, 404, 503 and a stall past the deadline into each API in
// turn: the load finishes, records the right problems, and the checks that needed the
// resource are error (or fail, for a 404) while every other check ends as it does without
// the fault (or is skipped because its prerequisite was one of those).
func TestLoadLiveFaults(t *testing.T) {
	snap := loadScenario(t, "healthy")
	baseline := baselineStatuses(t, snap)
	faults := []struct {
		name  string
		fault fakegcp.Fault
		code  inventory.Code
	}{
		{"403", fakegcp.Fault{Status: 403}, inventory.PermissionDenied},
		{"404", fakegcp.Fault{Status: 404}, inventory.NotFound},
		{"503", fakegcp.Fault{Status: 503}, inventory.Unavailable},
		{"deadline", fakegcp.Fault{Delay: time.Minute}, inventory.Unavailable},
	}
	for _, api := range faultAPIs() {
		for _, fault := range faults {
			t.Run(api.name+"/"+fault.name, func(t *testing.T) {
				server, err := fakegcp.Start(snap, fakegcp.Options{Region: fixtureRegion})
				if err != nil {
					t.Fatal(err)
				}
				defer server.Close()
				for _, method := range api.methods {
					server.SetFault(method, fault.fault)
				}
				opts := liveOptions(server, fixtureProject, fixtureRegion, fixtureService)
				if fault.name == "deadline" {
					opts.Timeout = 300 * time.Millisecond
				}
				start := time.Now()
				inv, err := live.Load(context.Background(), opts)
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				if elapsed := time.Since(start); elapsed > 5*time.Second {
					t.Errorf("load took %v", elapsed)
				}
				for _, want := range api.problems {
					p := findProblem(inv, want.kind, want.name)
					if p == nil {
						t.Errorf("no problem recorded for %s %q; have %q", want.kind, want.name, problemSet(inv))
						continue
					}
					if p.Code != fault.code || p.API != api.api {
						t.Errorf("problem %s %q: code %s api %s, want %s %s", want.kind, want.name, p.Code, p.API, fault.code, api.api)
					}
					if fault.code == inventory.PermissionDenied && (p.Permission != want.permission || p.Role != want.role) {
						t.Errorf("problem %s %q names %s / %s, want %s / %s", want.kind, want.name, p.Permission, p.Role, want.permission, want.role)
					}
					if strings.Contains(p.Error(), "\n") {
						t.Errorf("problem text is not one line: %q", p.Error())
					}
				}
				sel := inventory.Selector{Project: fixtureProject, Region: fixtureRegion, Service: fixtureService}
				paths, err := inventory.Select(inv, sel)
				if api.selectFails {
					var selErr *inventory.SelectError
					if !errors.As(err, &selErr) {
						t.Fatalf("Select: err = %v, want a SelectError", err)
					}
					if fault.code == inventory.PermissionDenied && !strings.Contains(err.Error(), "run.services.get") {
						t.Errorf("Select error %q does not name the permission", err)
					}
					return
				}
				if err != nil {
					t.Fatalf("Select: %v", err)
				}
				want := api.findings
				if fault.code == inventory.NotFound {
					want = api.notFound
				}
				for _, f := range checks.Run(checks.Catalogue(), paths[0], nil) {
					wantStatus, listed := want[f.ID]
					if !listed {
						// Not about this API: as without the fault, or skipped because a
						// prerequisite about this API did not pass.
						wantStatus = baseline[f.ID]
						if f.Status == checks.Skip {
							wantStatus = checks.Skip
						}
					}
					if f.Status != wantStatus {
						t.Errorf("%s is %s, want %s: %s", f.ID, f.Status, wantStatus, f.Message)
					}
					if listed && f.Status == checks.Error && fault.code == inventory.PermissionDenied && !strings.Contains(f.Message, "roles/") {
						t.Errorf("%s error does not name the role: %s", f.ID, f.Message)
					}
					if listed && f.Status == checks.Error && fault.code == inventory.Unavailable && !strings.Contains(f.Message, api.api) {
						t.Errorf("%s error does not name the API %s: %s", f.ID, api.api, f.Message)
					}
				}
			})
		}
	}
}

// baselineStatuses are the healthy scenario's statuses in a live run without faults.
func baselineStatuses(t *testing.T, snap *inventory.Inventory) map[string]checks.Status {
	t.Helper()
	inv, _ := loadLive(t, snap, fakegcp.Options{Region: fixtureRegion}, fixtureProject, fixtureRegion, fixtureService)
	paths, err := inventory.Select(inv, inventory.Selector{Project: fixtureProject, Region: fixtureRegion, Service: fixtureService})
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[string]checks.Status{}
	for _, f := range checks.Run(checks.Catalogue(), paths[0], nil) {
		statuses[f.ID] = f.Status
	}
	return statuses
}

func findProblem(inv *inventory.Inventory, kind inventory.Kind, name string) *inventory.Problem {
	for _, p := range inv.Problems {
		if p.Kind == kind && p.Name == name {
			return p
		}
	}
	return nil
}

// TestLoadLiveNamedRedisFallsBackToGet: when the project listing is forbidden, a Redis
// instance named with --redis is still read with a Get.
func TestLoadLiveNamedRedisFallsBackToGet(t *testing.T) {
	server := startFake(t, shopDir, fakegcp.Options{})
	server.SetFault(fakegcp.ListInstances, fakegcp.Fault{Status: 403})
	opts := liveOptions(server, "shop-prod", "europe-west1", "cart")
	opts.Redis = "sessions"
	inv, err := live.Load(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.RedisInstances) != 1 || inventory.ShortName(inv.RedisInstances[0].GetName()) != "sessions" {
		t.Fatalf("redis = %v; problems %q", inv.RedisInstances, problemSet(inv))
	}
	if got := server.Calls()[fakegcp.GetInstance]; got != 1 {
		t.Errorf("GetInstance called %d times, want 1", got)
	}
}

// TestLoadLiveRetriesByDefault: without DisableRetries, a 503 is retried by the client
// library until the run's deadline, and then recorded as Unavailable.
func TestLoadLiveRetriesByDefault(t *testing.T) {
	server := startFake(t, shopDir, fakegcp.Options{})
	server.SetFault(fakegcp.GetNetwork, fakegcp.Fault{Status: 503})
	opts := liveOptions(server, "shop-prod", "europe-west1", "cart")
	opts.DisableRetries = false
	opts.Timeout = 1500 * time.Millisecond
	inv, err := live.Load(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := server.Calls()[fakegcp.GetNetwork]; got < 2 {
		t.Errorf("GetNetwork called %d times; the library should have retried the 503", got)
	}
	if p := findProblem(inv, inventory.KindNetwork, "projects/shop-prod/global/networks/shop-vpc"); p == nil || p.Code != inventory.Unavailable {
		t.Errorf("network problem = %+v", p)
	}
}

// TestLoadLiveRejectedCredentials: credentials the API rejects (expired, revoked) end the
// run with ErrNoCredentials and its one-line gcloud hint.
func TestLoadLiveRejectedCredentials(t *testing.T) {
	server := startFake(t, shopDir, fakegcp.Options{})
	server.SetFault(fakegcp.GetService, fakegcp.Fault{Status: 401})
	_, err := live.Load(context.Background(), liveOptions(server, "shop-prod", "europe-west1", "cart"))
	if !errors.Is(err, live.ErrNoCredentials) {
		t.Fatalf("err = %v, want ErrNoCredentials", err)
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, "gcloud auth application-default login") {
		t.Errorf("error %q: want one line with the gcloud hint", msg)
	}
}
