package checks_test

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/fixtures"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/snapshot"
)

// TestRegionalPolicyAppliesInItsRegionOnly: a regional network firewall policy decides the
// traffic of the network's VMs in its region only. The firewall-policy-regional scenario's
// regional answer is given for the connector's region, for another region, for another
// network, and without saying (then it applies everywhere).
func TestRegionalPolicyAppliesInItsRegionOnly(t *testing.T) {
	scenario, ok := fixtures.Lookup("firewall-policy-regional")
	if !ok {
		t.Fatal("no scenario firewall-policy-regional")
	}
	answer, err := fs.ReadFile(scenario.FS, "regional-firewalls.json")
	if err != nil {
		t.Fatal(err)
	}
	body := strings.TrimPrefix(strings.TrimSpace(string(answer)), "{")
	tests := []struct {
		name, fields string
		want         checks.Status
		// command is part of the remediation command a failure must print.
		command string
	}{
		{"connector's region", `"region":"us-central1",`, checks.Fail, "--firewall-policy=redis-guard --firewall-policy-region=us-central1 "},
		{"connector's region and network", `"region":"us-central1","network":"projects/my-project/global/networks/default",`, checks.Fail, "--firewall-policy-region=us-central1 "},
		{"another region", `"region":"europe-west1",`, checks.Pass, ""},
		{"another network", `"region":"us-central1","network":"projects/my-project/global/networks/other",`, checks.Pass, ""},
		{"region not said", ``, checks.Fail, "--firewall-policy-region=us-central1 "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			err := fs.WalkDir(scenario.FS, ".", func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				data, err := fs.ReadFile(scenario.FS, path)
				fsys[path] = &fstest.MapFile{Data: data}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			fsys["regional-firewalls.json"] = &fstest.MapFile{Data: []byte("{" + tt.fields + body)}
			inv, err := snapshot.LoadFS(fsys, "snap")
			if err != nil {
				t.Fatal(err)
			}
			paths, err := inventory.Select(inv, inventory.Selector{})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range checks.Run(checks.Catalogue(), paths[0], nil) {
				if f.ID != "vpc.firewall-egress" {
					continue
				}
				if f.Status != tt.want {
					t.Fatalf("vpc.firewall-egress = %s, want %s: %s", f.Status, tt.want, f.Message)
				}
				if tt.command == "" {
					return
				}
				if f.Remediation == nil || len(f.Remediation.Commands) != 1 || !strings.Contains(f.Remediation.Commands[0], tt.command) {
					t.Errorf("remediation %+v, want a command with %q", f.Remediation, tt.command)
				}
			}
		})
	}
}
