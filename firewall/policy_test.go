package firewall

import (
	"strconv"
	"strings"
	"testing"

	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/protobuf/encoding/protojson"
)

// loadPolicies reads firewall policies written as the firewallPolicys of a
// networks.getEffectiveFirewalls response.
func loadPolicies(t testing.TB, policiesJSON string) []*Policy {
	t.Helper()
	var response computepb.NetworksGetEffectiveFirewallsResponse
	opts := protojson.UnmarshalOptions{DiscardUnknown: true}
	if err := opts.Unmarshal([]byte(`{"firewallPolicys":`+policiesJSON+`}`), &response); err != nil {
		t.Fatalf("unmarshal policies: %v\n%s", err, policiesJSON)
	}
	return response.GetFirewallPolicys()
}

const testNetwork = "projects/p/global/networks/default"

// Rules and policies the ordering cases share.
const (
	vpcAllowRedis = `[{"name":"allow-redis","direction":"EGRESS","priority":100,"destinationRanges":["10.0.0.0/29"],"allowed":[{"IPProtocol":"tcp","ports":["6379"]}]}]`
	vpcDenyAll    = `[{"name":"deny-all-egress","direction":"EGRESS","priority":100,"denied":[{"IPProtocol":"all"}]}]`
	orgDenyRFC    = `{"name":"111","shortName":"org-baseline","type":"HIERARCHY","rules":[
		{"priority":1000,"direction":"EGRESS","action":"deny","match":{"destIpRanges":["10.0.0.0/8"],"layer4Configs":[{"ipProtocol":"all"}]}}]}`
	networkDenyRedis = `{"name":"net-policy","type":"NETWORK","rules":[
		{"priority":500,"direction":"EGRESS","action":"deny","match":{"destIpRanges":["10.0.0.3/32"],"layer4Configs":[{"ipProtocol":"tcp","ports":["6379"]}]}}]}`
)

func TestEffectiveRuleSetOrder(t *testing.T) {
	vm, redis, _ := hosts()
	packet := tcp(vm, redis, 6379)
	tests := []struct {
		name     string
		rules    string // VPC firewall rules, JSON list
		policies string // firewallPolicys, JSON list
		order    string
		network  string // defaults to testNetwork; "-" for unknown
		packet   *Packet
		ingress  bool // evaluate at the receiver; egress otherwise
		allowed  bool
		// decidedBy: "vpc:NAME", "policy:NAME/PRIORITY", or an Implied value.
		decidedBy string
		uncertain bool
	}{
		{
			name:     "hierarchy deny beats VPC allow",
			rules:    vpcAllowRedis,
			policies: `[` + orgDenyRFC + `]`,
			allowed:  false, decidedBy: "policy:org-baseline/1000",
		},
		{
			name:  "goto_next falls through to the VPC rules",
			rules: vpcAllowRedis,
			policies: `[{"name":"111","shortName":"org-baseline","type":"HIERARCHY","rules":[
				{"priority":10,"direction":"EGRESS","action":"goto_next","match":{"destIpRanges":["10.0.0.0/29"],"layer4Configs":[{"ipProtocol":"tcp","ports":["6379"]}]}},
				{"priority":1000,"direction":"EGRESS","action":"deny","match":{"destIpRanges":["10.0.0.0/8"],"layer4Configs":[{"ipProtocol":"all"}]}}]}]`,
			allowed: true, decidedBy: "vpc:allow-redis",
		},
		{
			name:  "allow in the organization policy stops evaluation",
			rules: vpcDenyAll,
			policies: `[{"name":"111","shortName":"org-baseline","type":"HIERARCHY","rules":[
				{"priority":10,"direction":"EGRESS","action":"allow","match":{"destIpRanges":["10.0.0.0/29"],"layer4Configs":[{"ipProtocol":"tcp","ports":["6379"]}]}}]},
				{"name":"222","shortName":"folder-deny","type":"HIERARCHY","rules":[
				{"priority":1,"direction":"EGRESS","action":"deny","match":{"destIpRanges":["0.0.0.0/0"],"layer4Configs":[{"ipProtocol":"all"}]}}]}]`,
			allowed: true, decidedBy: "policy:org-baseline/10",
		},
		{
			name:     "the organization's policy comes before the folder's",
			policies: `[{"name":"111","shortName":"org","type":"HIERARCHY","rules":[{"priority":900,"direction":"EGRESS","action":"deny","match":{"destIpRanges":["10.0.0.0/8"],"layer4Configs":[{"ipProtocol":"tcp"}]}}]},{"name":"222","shortName":"folder","type":"HIERARCHY","rules":[{"priority":1,"direction":"EGRESS","action":"allow","match":{"destIpRanges":["10.0.0.0/8"],"layer4Configs":[{"ipProtocol":"tcp"}]}}]}]`,
			allowed:  false, decidedBy: "policy:org/900",
		},
		{
			name:     "AFTER_CLASSIC_FIREWALL: VPC allow decides before the network policy",
			rules:    vpcAllowRedis,
			policies: `[` + networkDenyRedis + `]`,
			allowed:  true, decidedBy: "vpc:allow-redis",
		},
		{
			name:     "default order is AFTER_CLASSIC_FIREWALL",
			rules:    vpcAllowRedis,
			policies: `[` + networkDenyRedis + `]`,
			order:    "",
			allowed:  true, decidedBy: "vpc:allow-redis",
		},
		{
			name:     "BEFORE_CLASSIC_FIREWALL: the network policy decides before the VPC rules",
			rules:    vpcAllowRedis,
			policies: `[` + networkDenyRedis + `]`,
			order:    BeforeClassicFirewall,
			allowed:  false, decidedBy: "policy:net-policy/500",
		},
		{
			name:     "regional network policy comes after the global one",
			policies: `[{"name":"regional","type":"NETWORK_REGIONAL","rules":[{"priority":1,"direction":"EGRESS","action":"allow","match":{"destIpRanges":["10.0.0.0/8"],"layer4Configs":[{"ipProtocol":"all"}]}}]},` + networkDenyRedis + `]`,
			allowed:  false, decidedBy: "policy:net-policy/500",
		},
		{
			name:  "a rule targeting another network does not apply",
			rules: vpcAllowRedis,
			policies: `[{"name":"111","shortName":"org-baseline","type":"HIERARCHY","rules":[
				{"priority":1000,"direction":"EGRESS","action":"deny","targetResources":["https://www.googleapis.com/compute/v1/projects/p/global/networks/prod"],"match":{"destIpRanges":["10.0.0.0/8"],"layer4Configs":[{"ipProtocol":"all"}]}}]}]`,
			allowed: true, decidedBy: "vpc:allow-redis",
		},
		{
			name: "a rule targeting this network applies",
			policies: `[{"name":"111","shortName":"org-baseline","type":"HIERARCHY","rules":[
				{"priority":1000,"direction":"EGRESS","action":"deny","targetResources":["https://www.googleapis.com/compute/v1/projects/p/global/networks/default"],"match":{"destIpRanges":["10.0.0.0/8"],"layer4Configs":[{"ipProtocol":"all"}]}}]}]`,
			allowed: false, decidedBy: "policy:org-baseline/1000",
		},
		{
			name:    "targetResources with the network unknown is uncertain",
			network: "-",
			policies: `[{"name":"111","shortName":"org-baseline","type":"HIERARCHY","rules":[
				{"priority":1000,"direction":"EGRESS","action":"deny","targetResources":["projects/p/global/networks/prod"],"match":{"destIpRanges":["10.0.0.0/8"],"layer4Configs":[{"ipProtocol":"all"}]}}]}]`,
			allowed: true, decidedBy: ImpliedAllowEgress, uncertain: true,
		},
		{
			name:  "a disabled policy rule does not count",
			rules: vpcAllowRedis,
			policies: `[{"name":"111","shortName":"org-baseline","type":"HIERARCHY","rules":[
				{"priority":1000,"direction":"EGRESS","action":"deny","disabled":true,"match":{"destIpRanges":["10.0.0.0/8"],"layer4Configs":[{"ipProtocol":"all"}]}}]}]`,
			allowed: true, decidedBy: "vpc:allow-redis",
		},
		{
			name: "layer4 ports: a deny for other ports does not match",
			policies: `[{"name":"111","shortName":"org-baseline","type":"HIERARCHY","rules":[
				{"priority":1000,"direction":"EGRESS","action":"deny","match":{"destIpRanges":["10.0.0.0/8"],"layer4Configs":[{"ipProtocol":"tcp","ports":["22","3306-3310"]},{"ipProtocol":"udp","ports":["6379"]}]}}]}]`,
			allowed: true, decidedBy: ImpliedAllowEgress,
		},
		{
			name: "layer4 ports: a port range covers the Redis port",
			policies: `[{"name":"111","shortName":"org-baseline","type":"HIERARCHY","rules":[
				{"priority":1000,"direction":"EGRESS","action":"deny","match":{"destIpRanges":["10.0.0.0/8"],"layer4Configs":[{"ipProtocol":"6","ports":["6000-7000"]}]}}]}]`,
			allowed: false, decidedBy: "policy:org-baseline/1000",
		},
		{
			name: "lowest priority number decides within a policy",
			policies: `[{"name":"net","type":"NETWORK","rules":[
				{"priority":2000,"direction":"EGRESS","action":"allow","match":{"destIpRanges":["10.0.0.0/8"],"layer4Configs":[{"ipProtocol":"all"}]}},
				{"priority":20,"direction":"EGRESS","action":"deny","match":{"destIpRanges":["10.0.0.0/8"],"layer4Configs":[{"ipProtocol":"all"}]}}]}]`,
			allowed: false, decidedBy: "policy:net/20",
		},
		{
			name: "target service accounts: a rule for another account does not apply",
			policies: `[{"name":"net","type":"NETWORK","rules":[
				{"priority":20,"direction":"EGRESS","action":"deny","targetServiceAccounts":["db@p.iam.gserviceaccount.com"],"match":{"destIpRanges":["10.0.0.0/8"],"layer4Configs":[{"ipProtocol":"all"}]}}]}]`,
			allowed: true, decidedBy: ImpliedAllowEgress,
		},
		{
			name: "target service accounts: a rule for the sender's account applies",
			policies: `[{"name":"net","type":"NETWORK","rules":[
				{"priority":20,"direction":"EGRESS","action":"deny","targetServiceAccounts":["app@p.iam.gserviceaccount.com"],"match":{"destIpRanges":["10.0.0.0/8"],"layer4Configs":[{"ipProtocol":"all"}]}}]}]`,
			packet:  &Packet{Src: Endpoint{IP: ip("10.128.0.2"), ServiceAccounts: []string{"app@p.iam.gserviceaccount.com"}}, Dst: redis, Protocol: "tcp", Port: 6379},
			allowed: false, decidedBy: "policy:net/20",
		},
		{
			name:  "apply_security_profile_group allows at layers 3 and 4",
			rules: vpcDenyAll, order: BeforeClassicFirewall,
			policies: `[{"name":"net","type":"NETWORK","rules":[
				{"priority":20,"direction":"EGRESS","action":"apply_security_profile_group","securityProfileGroup":"//networksecurity.googleapis.com/organizations/1/locations/global/securityProfileGroups/g","match":{"destIpRanges":["10.0.0.0/8"],"layer4Configs":[{"ipProtocol":"all"}]}}]}]`,
			allowed: true, decidedBy: "policy:net/20",
		},
		{
			name: "a rule that might match (FQDN destination) and would deny makes an allow uncertain",
			policies: `[{"name":"111","shortName":"org-baseline","type":"HIERARCHY","rules":[
				{"priority":1000,"direction":"EGRESS","action":"deny","match":{"destFqdns":["redis.internal.example.com"],"layer4Configs":[{"ipProtocol":"tcp"}]}}]}]`,
			allowed: true, decidedBy: ImpliedAllowEgress, uncertain: true,
		},
		{
			name:  "an address group next to ranges that miss is still a maybe",
			rules: vpcDenyAll,
			policies: `[{"name":"111","shortName":"org-baseline","type":"HIERARCHY","rules":[
				{"priority":1000,"direction":"EGRESS","action":"allow","match":{"destIpRanges":["192.168.0.0/16"],"destAddressGroups":["projects/p/locations/global/addressGroups/redis"],"layer4Configs":[{"ipProtocol":"tcp"}]}}]}]`,
			allowed: false, decidedBy: "vpc:deny-all-egress", uncertain: true,
		},
		{
			name:  "ranges that match decide even with unknown alternatives",
			rules: vpcAllowRedis,
			policies: `[{"name":"111","shortName":"org-baseline","type":"HIERARCHY","rules":[
				{"priority":1000,"direction":"EGRESS","action":"deny","match":{"destIpRanges":["10.0.0.0/8"],"destFqdns":["example.com"],"layer4Configs":[{"ipProtocol":"all"}]}}]}]`,
			allowed: false, decidedBy: "policy:org-baseline/1000",
		},
		{
			name:  "a maybe-match whose action agrees with the outcome is certain",
			rules: vpcAllowRedis,
			policies: `[{"name":"111","shortName":"org-baseline","type":"HIERARCHY","rules":[
				{"priority":1000,"direction":"EGRESS","action":"allow","match":{"destRegionCodes":["US"],"layer4Configs":[{"ipProtocol":"all"}]}}]}]`,
			allowed: true, decidedBy: "vpc:allow-redis",
		},
		{
			name: "secure tag targets are uncertain",
			policies: `[{"name":"net","type":"NETWORK","rules":[
				{"priority":20,"direction":"EGRESS","action":"deny","targetSecureTags":[{"name":"tagValues/123"}],"match":{"destIpRanges":["10.0.0.0/8"],"layer4Configs":[{"ipProtocol":"all"}]}}]}]`,
			allowed: true, decidedBy: ImpliedAllowEgress, uncertain: true,
		},
		{
			name:  "a goto_next that might match is uncertain when skipping the policy changes the outcome",
			rules: vpcAllowRedis,
			policies: `[{"name":"111","shortName":"org-baseline","type":"HIERARCHY","rules":[
				{"priority":10,"direction":"EGRESS","action":"goto_next","match":{"destThreatIntelligences":["iplist-known-malicious-ips"],"layer4Configs":[{"ipProtocol":"all"}]}},
				{"priority":1000,"direction":"EGRESS","action":"deny","match":{"destIpRanges":["10.0.0.0/8"],"layer4Configs":[{"ipProtocol":"all"}]}}]}]`,
			allowed: false, decidedBy: "policy:org-baseline/1000", uncertain: true,
		},
		{
			name:  "ingress: a hierarchical deny of health-check sources beats the VPC allow",
			rules: `[{"name":"vpc-connector-health-checks","direction":"INGRESS","priority":1000,"sourceRanges":["35.191.0.0/16"],"targetTags":["vpc-connector"],"allowed":[{"IPProtocol":"tcp","ports":["667"]}]}]`,
			policies: `[{"name":"111","shortName":"org-baseline","type":"HIERARCHY","rules":[
				{"priority":1000,"direction":"INGRESS","action":"deny","match":{"srcIpRanges":["35.191.0.0/16"],"layer4Configs":[{"ipProtocol":"tcp"}]}}]}]`,
			packet: &Packet{Src: Endpoint{IP: ip("35.191.0.1")}, Dst: Endpoint{IP: ip("10.8.0.2"), Tags: []string{"vpc-connector"}}, Protocol: "tcp", Port: 667}, ingress: true,
			allowed: false, decidedBy: "policy:org-baseline/1000",
		},
		{
			name: "ingress: a policy allow decides where the implied rule would deny",
			policies: `[{"name":"net","type":"NETWORK","rules":[
				{"priority":1000,"direction":"INGRESS","action":"allow","match":{"srcIpRanges":["35.191.0.0/16"],"layer4Configs":[{"ipProtocol":"tcp","ports":["667"]}]}}]}]`,
			packet: &Packet{Src: Endpoint{IP: ip("35.191.0.1")}, Dst: Endpoint{IP: ip("10.8.0.2")}, Protocol: "tcp", Port: 667}, ingress: true,
			allowed: true, decidedBy: "policy:net/1000",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := Effective{EnforcementOrder: tc.order, Network: testNetwork}
			if tc.network == "-" {
				e.Network = ""
			}
			if tc.rules != "" {
				e.Rules = loadRules(t, tc.rules)
			}
			if tc.policies != "" {
				e.Policies = loadPolicies(t, tc.policies)
			}
			rs, err := NewEffectiveRuleSet(e)
			if err != nil {
				t.Fatalf("NewEffectiveRuleSet: %v", err)
			}
			p := packet
			if tc.packet != nil {
				p = *tc.packet
			}
			v := rs.Egress(p)
			if tc.ingress {
				v = rs.Ingress(p)
			}
			if v.Allowed != tc.allowed {
				t.Errorf("allowed = %v, want %v (%s)", v.Allowed, tc.allowed, v.Reason)
			}
			if got := policyDecidedBy(v); got != tc.decidedBy {
				t.Errorf("decided by %s, want %s (%s)", got, tc.decidedBy, v.Reason)
			}
			if (v.Uncertain != "") != tc.uncertain {
				t.Errorf("uncertain = %q, want uncertain %v", v.Uncertain, tc.uncertain)
			}
			if tc.uncertain && (v.UncertainRule == nil || !strings.Contains(v.Uncertain, "cannot evaluate")) {
				t.Errorf("uncertain verdict does not name the rule and why: %q", v.Uncertain)
			}
		})
	}
}

func policyDecidedBy(v Verdict) string {
	switch {
	case v.Rule != nil:
		return "vpc:" + v.Rule.GetName()
	case v.PolicyRule != nil:
		return "policy:" + PolicyName(v.Policy) + "/" + strconv.Itoa(int(v.PolicyRule.GetPriority()))
	}
	return v.Implied
}

// TestNewRuleSetMatchesEffectiveWithoutPolicies keeps the two constructors in agreement:
// VPC rules alone decide the same way whichever builds the RuleSet.
func TestNewRuleSetMatchesEffectiveWithoutPolicies(t *testing.T) {
	rules := generatedRules(200)
	plain, _ := NewRuleSet(rules)
	effective, _ := NewEffectiveRuleSet(Effective{Rules: rules})
	vm, redis, internet := hosts()
	for _, p := range []Packet{tcp(vm, redis, 6379), tcp(vm, internet, 1001), tcp(internet, vm, 8050), tcp(vm, redis, 8000)} {
		if a, b := plain.Egress(p), effective.Egress(p); a.Reason != b.Reason {
			t.Errorf("egress %v: %q vs %q", p, a.Reason, b.Reason)
		}
		if a, b := plain.Ingress(p), effective.Ingress(p); a.Reason != b.Reason {
			t.Errorf("ingress %v: %q vs %q", p, a.Reason, b.Reason)
		}
	}
}

func TestEffectiveRuleSetReportsMalformedPolicies(t *testing.T) {
	policies := loadPolicies(t, `[{"name":"net","type":"NETWORK","rules":[
		{"priority":1,"direction":"EGRESS","action":"mirror","match":{"layer4Configs":[{"ipProtocol":"all"}]}},
		{"priority":2,"direction":"EGRESS","action":"deny","match":{"destIpRanges":["not-a-range"],"layer4Configs":[{"ipProtocol":"tcp","ports":["99999"]}]}},
		{"priority":3,"direction":"EGRESS","action":"deny","match":{}}]}]`)
	rs, err := NewEffectiveRuleSet(Effective{Policies: policies, EnforcementOrder: "SIDEWAYS"})
	if err == nil {
		t.Fatal("no error for malformed policy rules")
	}
	for _, want := range []string{"mirror", "not-a-range", "99999", "no layer4Configs", "SIDEWAYS"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
	vm, redis, _ := hosts()
	// Malformed values match nothing: rule 2 names ranges, all malformed, so it cannot fall
	// back to 0.0.0.0/0.
	if v := rs.Egress(tcp(vm, redis, 6379)); !v.Allowed || v.Implied != ImpliedAllowEgress {
		t.Errorf("malformed rules decided: %s", v.Reason)
	}
}

func TestCheckConnectorSeesPolicies(t *testing.T) {
	policies := loadPolicies(t, `[{"name":"111","shortName":"org-baseline","type":"HIERARCHY","rules":[
		{"priority":1000,"direction":"INGRESS","action":"deny","match":{"srcIpRanges":["35.191.128.0/17"],"layer4Configs":[{"ipProtocol":"tcp","ports":["667"]}]}}]}]`)
	rules := loadRules(t, `[
		{"name":"serverless-to-vpc-connector","direction":"INGRESS","priority":1000,"sourceRanges":["107.178.230.64/26","35.199.224.0/19"],"targetTags":["vpc-connector"],"allowed":[{"IPProtocol":"tcp","ports":["667"]},{"IPProtocol":"udp","ports":["665-666"]},{"IPProtocol":"icmp"}]},
		{"name":"vpc-connector-health-checks","direction":"INGRESS","priority":1000,"sourceRanges":["130.211.0.0/22","35.191.0.0/16","108.170.220.0/23"],"targetTags":["vpc-connector"],"allowed":[{"IPProtocol":"tcp","ports":["667"]}]}]`)
	rs, err := NewEffectiveRuleSet(Effective{Rules: rules, Policies: policies, Network: testNetwork})
	if err != nil {
		t.Fatal(err)
	}
	results, err := CheckConnector(rs, Endpoint{IP: ip("10.8.0.2"), Tags: ConnectorTags("us-central1", "c")})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		wantBlocked := r.Requirement.Name == "vpc-connector-health-checks"
		if wantBlocked != (r.Status == RequirementBlocked) {
			t.Errorf("%s: status %s", r.Requirement.Name, r.Status)
		}
		if wantBlocked && (!r.Partial || r.Verdict.PolicyRule == nil || r.Example.Src.IP != ip("35.191.128.0")) {
			t.Errorf("%s: want a partial block by the policy rule at 35.191.128.0, got %s", r.Requirement.Name, r)
		}
	}
}
