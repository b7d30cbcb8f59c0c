package inventory_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/fixtures"
	"github.com/vpcdoctor/vpcdoctor/internal/fakegcp"
	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// TestEffectiveFirewallsAssociation: a networks.getEffectiveFirewalls answer names no
// network, so the loader takes it from a "network" field, else from the answer's VPC
// rules, else applies the policies to every network no other answer names.
func TestEffectiveFirewallsAssociation(t *testing.T) {
	const (
		policyJSON = `{"name":"111","shortName":"org","type":"HIERARCHY","rules":[{"priority":1,"direction":"EGRESS","action":"deny","match":{"destIpRanges":["10.0.0.0/8"],"layer4Configs":[{"ipProtocol":"all"}]}}]}`
		otherJSON  = `{"name":"222","shortName":"other","type":"HIERARCHY","rules":[]}`
		rulesJSON  = `[{"kind":"compute#firewall","name":"allow-x","network":"https://www.googleapis.com/compute/v1/projects/p/global/networks/prod","selfLink":"https://www.googleapis.com/compute/v1/projects/p/global/networks/prod/firewalls/allow-x","direction":"EGRESS","allowed":[{"IPProtocol":"all"}]}]`
		policyYAML = "# gcloud compute networks get-effective-firewalls prod --format yaml\nfirewallPolicys:\n- name: '111'\n  shortName: org\n  type: HIERARCHY\n  rules:\n  - priority: 1\n    direction: EGRESS\n    action: deny\n    match:\n      destIpRanges: [10.0.0.0/8]\n      layer4Configs:\n      - ipProtocol: all\n"
	)
	prod := inventory.NetworkRef{Project: "p", Name: "prod"}
	dev := inventory.NetworkRef{Project: "p", Name: "dev"}
	tests := []struct {
		name  string
		files map[string]string
		// want maps a network to the short names of its policies; "-" means NotLoaded.
		want map[inventory.NetworkRef]string
	}{
		{
			name:  "network field names the network",
			files: map[string]string{"fw.json": `{"network":"projects/p/global/networks/prod","firewallPolicys":[` + policyJSON + `]}`},
			want:  map[inventory.NetworkRef]string{prod: "org", dev: "-"},
		},
		{
			name:  "VPC rules of the same answer name the network",
			files: map[string]string{"fw.json": `{"firewalls":` + rulesJSON + `,"firewallPolicys":[` + policyJSON + `]}`},
			want:  map[inventory.NetworkRef]string{prod: "org", dev: "-"},
		},
		{
			name:  "an answer naming no network applies to every network",
			files: map[string]string{"fw.yaml": policyYAML},
			want:  map[inventory.NetworkRef]string{prod: "org", dev: "org"},
		},
		{
			name: "a named answer wins over an unnamed one",
			files: map[string]string{
				"a.json": `{"firewallPolicys":[` + otherJSON + `]}`,
				"b.json": `{"network":"https://www.googleapis.com/compute/v1/projects/p/global/networks/prod","firewallPolicys":[` + policyJSON + `]}`,
			},
			want: map[inventory.NetworkRef]string{prod: "org", dev: "other"},
		},
		{
			name:  "no answer: not loaded",
			files: map[string]string{"fw.json": `{"firewalls":` + rulesJSON + `}`},
			want:  map[inventory.NetworkRef]string{prod: "-"},
		},
		{
			name:  "an empty answer is known and empty",
			files: map[string]string{"fw.json": `{"network":"projects/p/global/networks/prod","firewallPolicys":[]}`},
			want:  map[inventory.NetworkRef]string{prod: "", dev: "-"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, content := range tt.files {
				fsys[name] = &fstest.MapFile{Data: []byte(content)}
			}
			inv, err := inventory.LoadFS(fsys, "snap")
			if err != nil {
				t.Fatal(err)
			}
			for net, want := range tt.want {
				policies, problem := inv.FirewallPoliciesOf(net)
				got := "-"
				if problem == nil {
					var names []string
					for _, p := range policies {
						names = append(names, p.GetShortName())
					}
					got = strings.Join(names, ",")
				} else if problem.Code != inventory.NotLoaded {
					t.Errorf("%s: problem %v, want NotLoaded", net, problem)
				}
				if got != want {
					t.Errorf("%s: policies %q, want %q", net, got, want)
				}
			}
		})
	}
}

func TestEffectiveFirewallsBadNetwork(t *testing.T) {
	fsys := fstest.MapFS{"fw.json": {Data: []byte(`{"network":"prod","firewallPolicys":[]}`)}}
	if _, err := inventory.LoadFS(fsys, "snap"); err == nil || !strings.Contains(err.Error(), "fw.json") {
		t.Errorf("err = %v, want one naming fw.json", err)
	}
}

// TestLoadLiveEffectiveFirewallsFaults: a refused, missing or failing
// networks.getEffectiveFirewalls becomes a Problem naming the permission, and the firewall
// checks warn (the VPC rules allow; the policies are unknown) rather than pass.
func TestLoadLiveEffectiveFirewallsFaults(t *testing.T) {
	scenario, _ := fixtures.Lookup("healthy")
	snapshot, err := inventory.LoadFS(scenario.FS, "healthy")
	if err != nil {
		t.Fatal(err)
	}
	network := "projects/my-project/global/networks/default"
	for _, tt := range []struct {
		status int
		code   inventory.Code
	}{{403, inventory.PermissionDenied}, {404, inventory.NotFound}, {503, inventory.Unavailable}} {
		t.Run(string(tt.code), func(t *testing.T) {
			server, err := fakegcp.Start(snapshot, fakegcp.Options{Region: fixtureRegion})
			if err != nil {
				t.Fatal(err)
			}
			defer server.Close()
			server.SetFault(fakegcp.GetEffectiveFirewalls, fakegcp.Fault{Status: tt.status})
			live, err := inventory.LoadLive(context.Background(), liveOptions(server, fixtureProject, fixtureRegion, fixtureService))
			if err != nil {
				t.Fatal(err)
			}
			var found *inventory.Problem
			for _, p := range live.Problems {
				if p.Kind == inventory.KindFirewallPolicy && p.Name == network {
					found = p
				}
			}
			if found == nil || found.Code != tt.code {
				t.Fatalf("problem = %+v, want %s for %s", found, tt.code, network)
			}
			if tt.code == inventory.PermissionDenied && (found.Permission != "compute.networks.getEffectiveFirewalls" || found.Role != "roles/compute.networkViewer") {
				t.Errorf("permission %q role %q", found.Permission, found.Role)
			}
			if calls := server.Calls()[fakegcp.GetEffectiveFirewalls]; calls != 1 {
				t.Errorf("getEffectiveFirewalls called %d times, want once for the one network", calls)
			}
			paths, err := inventory.Select(live, inventory.Selector{Project: fixtureProject, Region: fixtureRegion, Service: fixtureService})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range checks.Run(checks.Catalogue(), paths[0], nil) {
				if f.ID != "vpc.firewall-egress" && f.ID != "vpc.connector-firewall" {
					continue
				}
				if f.Status != checks.Warn || !strings.Contains(f.Message, "firewall policies") {
					t.Errorf("%s = %s: %s", f.ID, f.Status, f.Message)
				}
			}
		})
	}
}
