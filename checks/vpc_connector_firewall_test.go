package checks_test

import (
	"strings"
	"testing"
)

// TestConnectorFirewallFixesTheRightProject: the rules a connector needs are created in the
// project that owns its network, the host project for a service-project connector, and
// never for the legacy ranges the current documentation no longer lists.
func TestConnectorFirewallFixesTheRightProject(t *testing.T) {
	tests := []struct{ scenario, project string }{
		{"shared-vpc-firewall", "net-host-prod"},
		{"connector-firewall-blocked", "my-project"},
	}
	for _, tt := range tests {
		for _, f := range runScenario(t, tt.scenario) {
			if f.ID != "vpc.connector-firewall" {
				continue
			}
			if f.Remediation == nil || len(f.Remediation.Commands) == 0 {
				t.Fatalf("%s: no commands", tt.scenario)
			}
			for _, c := range f.Remediation.Commands {
				if !strings.HasSuffix(c, "--project "+tt.project) {
					t.Errorf("%s: command not for project %s: %s", tt.scenario, tt.project, c)
				}
				for _, legacy := range []string{"107.178.230.64/26", "108.170.220.0/23"} {
					if strings.Contains(c, legacy) {
						t.Errorf("%s: command requires legacy range %s: %s", tt.scenario, legacy, c)
					}
				}
			}
		}
	}
}
