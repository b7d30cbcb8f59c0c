package inventory_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/snapshot"
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
			// gcloud and the API leave out empty lists: an answer with VPC rules and no
			// firewallPolicys key is a network without policies, not a missing answer.
			name:  "an answer without firewallPolicys: no policies",
			files: map[string]string{"fw.json": `{"firewalls":` + rulesJSON + `}`},
			want:  map[inventory.NetworkRef]string{prod: ""},
		},
		{
			name:  "a firewalls.list answer is no getEffectiveFirewalls answer: not loaded",
			files: map[string]string{"fw.json": `{"kind":"compute#firewallList","items":` + rulesJSON + `}`},
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
			inv := loadFiles(t, tt.files)
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

// TestFirewallPoliciesIn: the policies a network's VMs in one region are subject to. A
// regional answer repeats the hierarchical and global network policies of the global
// answer; each is evaluated once, and the regional answer alone decides when the global
// one is missing. A regional answer of another region or network does not apply.
func TestFirewallPoliciesIn(t *testing.T) {
	const (
		org       = `{"name":"111","shortName":"org","displayName":"org","type":"HIERARCHY","rules":[]}`
		orgCopy   = `{"name":"111","displayName":"org","type":"HIERARCHY","rules":[]}`
		global    = `{"name":"edge","type":"NETWORK","rules":[]}`
		regional  = `{"name":"guard","type":"NETWORK_REGIONAL","rules":[]}`
		regional2 = `{"name":"guard-eu","type":"NETWORK_REGIONAL","rules":[]}`
		net       = `"network":"projects/p/global/networks/prod",`
	)
	globalFile := `{` + net + `"firewallPolicys":[` + org + `,` + global + `]}`
	prod := inventory.NetworkRef{Project: "p", Name: "prod"}
	tests := []struct {
		name   string
		files  map[string]string
		region string
		// want lists the policies by type and name (and short name, which only the global
		// answer carries); "-" a problem.
		want string
	}{
		{
			name:   "the regional answer adds its regional policy, repeated ones once",
			files:  map[string]string{"g.json": globalFile, "r.json": `{` + net + `"region":"us-central1","firewallPolicys":[` + orgCopy + `,` + global + `,` + regional + `]}`},
			region: "us-central1",
			want:   "HIERARCHY 111/org,NETWORK edge,NETWORK_REGIONAL guard",
		},
		{
			name:   "another region's answer does not apply",
			files:  map[string]string{"g.json": globalFile, "r.json": `{` + net + `"region":"europe-west1","firewallPolicys":[` + orgCopy + `,` + regional2 + `]}`},
			region: "us-central1",
			want:   "HIERARCHY 111/org,NETWORK edge",
		},
		{
			name: "each region gets its own answer",
			files: map[string]string{
				"g.json":  globalFile,
				"r1.json": `{` + net + `"region":"us-central1","firewallPolicys":[` + regional + `]}`,
				"r2.json": `{` + net + `"region":"europe-west1","firewallPolicys":[` + regional2 + `]}`,
			},
			region: "europe-west1",
			want:   "HIERARCHY 111/org,NETWORK edge,NETWORK_REGIONAL guard-eu",
		},
		{
			name:   "a pasted regional answer is recognised by its regional policy",
			files:  map[string]string{"r.json": `{"firewallPolicys":[` + orgCopy + `,` + global + `,` + regional + `]}`},
			region: "us-central1",
			want:   "HIERARCHY 111,NETWORK edge,NETWORK_REGIONAL guard",
		},
		{
			name:   "no regional answer: the global answer",
			files:  map[string]string{"g.json": globalFile},
			region: "us-central1",
			want:   "HIERARCHY 111/org,NETWORK edge",
		},
		{
			name:   "no region asked: the global answer only",
			files:  map[string]string{"g.json": globalFile, "r.json": `{` + net + `"region":"us-central1","firewallPolicys":[` + regional + `]}`},
			region: "",
			want:   "HIERARCHY 111/org,NETWORK edge",
		},
		{
			name: "the regional call failed",
			files: map[string]string{
				"g.json": globalFile,
				"p.json": `{"kind":"vpcdoctor#problems","problems":[{"kind":"firewall-policy","name":"projects/p/regions/us-central1/networks/prod","code":"permission-denied"}]}`,
			},
			region: "us-central1",
			want:   "-",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := loadFiles(t, tt.files)
			policies, problem := inv.FirewallPoliciesIn(prod, tt.region)
			got := "-"
			if problem == nil {
				var names []string
				for _, p := range policies {
					name := p.GetType() + " " + p.GetName()
					if p.GetShortName() != "" {
						name += "/" + p.GetShortName() // the global answer's copy
					}
					names = append(names, name)
				}
				got = strings.Join(names, ",")
			}
			if got != tt.want {
				t.Errorf("policies %q, want %q (problem %v)", got, tt.want, problem)
			}
			if got == "-" && !strings.Contains(inventory.SnapshotCommand(problem.Kind, problem.Name), "--region us-central1") {
				t.Errorf("problem %v: snapshot command %q does not name the region", problem, inventory.SnapshotCommand(problem.Kind, problem.Name))
			}
		})
	}
}

func TestEffectiveFirewallsBadNetwork(t *testing.T) {
	fsys := fstest.MapFS{"fw.json": {Data: []byte(`{"network":"prod","firewallPolicys":[]}`)}}
	if _, err := snapshot.LoadFS(fsys, "snap"); err == nil || !strings.Contains(err.Error(), "fw.json") {
		t.Errorf("err = %v, want one naming fw.json", err)
	}
}

// loadFiles loads a snapshot made of the given files (name → content).
func loadFiles(t *testing.T, files map[string]string) *inventory.Inventory {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, content := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(content)}
	}
	inv, err := snapshot.LoadFS(fsys, "snap")
	if err != nil {
		t.Fatal(err)
	}
	return inv
}
