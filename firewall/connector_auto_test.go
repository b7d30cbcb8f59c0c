package firewall

import (
	"testing"
)

func TestAutoRuleNames(t *testing.T) {
	tests := []struct {
		region, connector, suffix, want string
	}{
		{"us-central1", "redis-connector", AutoRuleServerless, "aet-uscentral1-redis--connector-rsgfw"},
		{"europe-west9", "connecteurdesktop", AutoRuleEgressDeny, "aet-europewest9-connecteurdesktop-egrfw"},
		{"us-central1", "ai-explorer-vpc-conn", AutoRuleEgressAllow, "aet-uscentral1-ai--explorer--vpc--conn-earfw"},
	}
	for _, tt := range tests {
		if got := AutoRuleName(tt.region, tt.connector, tt.suffix); got != tt.want {
			t.Errorf("AutoRuleName(%s, %s, %s) = %s, want %s", tt.region, tt.connector, tt.suffix, got, tt.want)
		}
		if suffix, ok := AutoRuleSuffix(tt.want, tt.region, tt.connector); !ok || suffix != tt.suffix {
			t.Errorf("AutoRuleSuffix(%s) = %s, %v; want %s", tt.want, suffix, ok, tt.suffix)
		}
	}
	long := AutoRuleName("northamerica-northeast1", "a-b-c-d-e-f-g-h-i-j-k", AutoRuleSubnet)
	if len(long) > 63 {
		t.Errorf("AutoRuleName gives %d characters: %s", len(long), long)
	}
	if _, ok := AutoRuleSuffix(long, "northamerica-northeast1", "a-b-c-d-e-f-g-h-i-j-k"); !ok {
		t.Errorf("a shortened name %s is not recognised", long)
	}
	for _, other := range []string{"aet-uscentral1-other-rsgfw", "aet-uswest1-redis--connector-rsgfw", "aet-uscentral1-redis--connector-sbntrl", "serverless-to-vpc-connector"} {
		if suffix, ok := AutoRuleSuffix(other, "us-central1", "redis-connector"); ok {
			t.Errorf("AutoRuleSuffix(%s) = %s for connector redis-connector", other, suffix)
		}
	}
}

// TestConnectorAutoRules: Google's rules alone let the connector work, and only a rule that
// outranks priority 100 (a deny at 100 or a lower number: at equal priority deny wins) breaks it.
func TestConnectorAutoRules(t *testing.T) {
	auto := ConnectorAutoRules("projects/p/global/networks/default", "us-central1", "redis-connector", "10.8.0.0/28")
	if len(auto) != len(AutoRuleSuffixes()) {
		t.Fatalf("%d rules, want %d", len(auto), len(AutoRuleSuffixes()))
	}
	connector := Endpoint{IP: ip("10.8.0.2"), Tags: ConnectorTags("us-central1", "redis-connector")}
	tests := []struct {
		name  string
		extra string
		want  [3]RequirementStatus
	}{
		{"the automatic rules alone", `[]`, [3]RequirementStatus{RequirementAllowed, RequirementAllowed, RequirementAllowed}},
		{"deny all ingress at 900", `[{"name":"deny","priority":900,"sourceRanges":["0.0.0.0/0"],"denied":[{"IPProtocol":"all"}]}]`,
			[3]RequirementStatus{RequirementAllowed, RequirementAllowed, RequirementAllowed}},
		{"deny all egress at 1000", `[{"name":"deny","direction":"EGRESS","priority":1000,"destinationRanges":["0.0.0.0/0"],"denied":[{"IPProtocol":"all"}]}]`,
			[3]RequirementStatus{RequirementAllowed, RequirementAllowed, RequirementAllowed}},
		{"deny all ingress at 99", `[{"name":"deny","priority":99,"sourceRanges":["0.0.0.0/0"],"denied":[{"IPProtocol":"all"}]}]`,
			[3]RequirementStatus{RequirementBlocked, RequirementBlocked, RequirementAllowed}},
		{"deny all ingress at 100 wins the tie", `[{"name":"deny","priority":100,"sourceRanges":["0.0.0.0/0"],"denied":[{"IPProtocol":"all"}]}]`,
			[3]RequirementStatus{RequirementBlocked, RequirementBlocked, RequirementAllowed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := NewRuleSet(append(loadRules(t, tt.extra), auto...))
			if err != nil {
				t.Fatal(err)
			}
			results, err := CheckConnector(rs, connector)
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range results {
				if r.Status != tt.want[i] {
					t.Errorf("%s: %s, want %s (%s)", r.Requirement.Name, r.Status, tt.want[i], r)
				}
			}
		})
	}
}

func TestAutoRuleSuffixOtherConnector(t *testing.T) {
	// redis-connector's rules are not redis-connector-2's, although one name starts the other.
	if suffix, ok := AutoRuleSuffix("aet-uscentral1-redis--connector-rsgfw", "us-central1", "redis-connector-2"); ok {
		t.Errorf("redis-connector's rule matched redis-connector-2 as %s", suffix)
	}
}
