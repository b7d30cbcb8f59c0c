package live_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/fixtures"
	"github.com/vpcdoctor/vpcdoctor/internal/fakegcp"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/live"
	"github.com/vpcdoctor/vpcdoctor/inventory/snapshot"
)

// TestLoadLiveEffectiveFirewallsFaults: a refused, missing or failing getEffectiveFirewalls
// call becomes a Problem naming the permission. The connector's region has a regional
// answer, which lists the hierarchical and global network policies too: when only the
// global call fails the policies are still known and the firewall checks pass; when the
// regional call fails they warn (the VPC rules allow; the policies are unknown) rather
// than pass.
func TestLoadLiveEffectiveFirewallsFaults(t *testing.T) {
	scenario, _ := fixtures.Lookup("healthy")
	snap, err := snapshot.LoadFS(scenario.FS, "healthy")
	if err != nil {
		t.Fatal(err)
	}
	const (
		network  = "projects/my-project/global/networks/default"
		regional = "projects/my-project/regions/us-central1/networks/default"
	)
	type faulted struct {
		method, name, permission string
	}
	global := faulted{fakegcp.GetEffectiveFirewalls, network, "compute.networks.getEffectiveFirewalls"}
	region := faulted{fakegcp.GetRegionEffectiveFirewalls, regional, "compute.networks.getRegionEffectiveFirewalls"}
	for _, calls := range []struct {
		name    string
		faulted []faulted
		want    checks.Status
	}{
		{"global", []faulted{global}, checks.Pass},
		{"regional", []faulted{region}, checks.Warn},
		{"both", []faulted{global, region}, checks.Warn},
	} {
		for _, tt := range []struct {
			status int
			code   inventory.Code
		}{{403, inventory.PermissionDenied}, {404, inventory.NotFound}, {503, inventory.Unavailable}} {
			t.Run(calls.name+"/"+string(tt.code), func(t *testing.T) {
				server, err := fakegcp.Start(snap, fakegcp.Options{Region: fixtureRegion})
				if err != nil {
					t.Fatal(err)
				}
				defer server.Close()
				for _, f := range calls.faulted {
					server.SetFault(f.method, fakegcp.Fault{Status: tt.status})
				}
				loaded, err := live.Load(context.Background(), liveOptions(server, fixtureProject, fixtureRegion, fixtureService))
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range calls.faulted {
					found := findProblem(loaded, inventory.KindFirewallPolicy, f.name)
					if found == nil || found.Code != tt.code {
						t.Fatalf("problem = %+v, want %s for %s; have %q", found, tt.code, f.name, problemSet(loaded))
					}
					if tt.code == inventory.PermissionDenied && (found.Permission != f.permission || found.Role != "roles/compute.networkViewer") {
						t.Errorf("%s: permission %q role %q", f.name, found.Permission, found.Role)
					}
				}
				for _, method := range []string{fakegcp.GetEffectiveFirewalls, fakegcp.GetRegionEffectiveFirewalls} {
					if n := server.Calls()[method]; n != 1 {
						t.Errorf("%s called %d times, want once for the one network (and region)", method, n)
					}
				}
				paths, err := inventory.Select(loaded, inventory.Selector{Project: fixtureProject, Region: fixtureRegion, Service: fixtureService})
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range checks.Run(checks.Catalogue(), paths[0], nil) {
					if f.ID != "vpc.firewall-egress" && f.ID != "vpc.connector-firewall" {
						continue
					}
					if f.Status != calls.want || (calls.want == checks.Warn && !strings.Contains(f.Message, "firewall policies")) {
						t.Errorf("%s = %s, want %s: %s", f.ID, f.Status, calls.want, f.Message)
					}
				}
			})
		}
	}
}
