package firewall

import (
	"net/netip"
	"testing"
)

// docsRules are the three rules the connector documentation tells Shared VPC administrators
// to create, as the Compute API returns them.
const docsRules = `
	{"name":"serverless-to-vpc-connector","sourceRanges":["107.178.230.64/26","35.199.224.0/19"],"targetTags":["vpc-connector"],
	 "allowed":[{"IPProtocol":"tcp","ports":["667"]},{"IPProtocol":"udp","ports":["665-666"]},{"IPProtocol":"icmp"}]},
	{"name":"vpc-connector-to-serverless","direction":"EGRESS","destinationRanges":["107.178.230.64/26","35.199.224.0/19"],"targetTags":["vpc-connector"],
	 "allowed":[{"IPProtocol":"tcp","ports":["667"]},{"IPProtocol":"udp","ports":["665-666"]},{"IPProtocol":"icmp"}]},
	{"name":"vpc-connector-health-checks","sourceRanges":["130.211.0.0/22","35.191.0.0/16","108.170.220.0/23"],"targetTags":["vpc-connector"],
	 "allowed":[{"IPProtocol":"tcp","ports":["667"]}]}`

func TestCheckConnector(t *testing.T) {
	type want struct {
		status    RequirementStatus
		partial   bool
		decidedBy string // deciding rule or implied rule of the failing example; "" when allowed
	}
	allowed := want{status: RequirementAllowed}
	tests := []struct {
		name  string
		rules string
		// One entry per requirement, in CheckConnector's order:
		// serverless-to-vpc-connector, vpc-connector-health-checks, vpc-connector-to-serverless.
		want [3]want
	}{
		{
			name:  "no rules: ingress falls to the implied deny, egress to the implied allow",
			rules: `[]`,
			want: [3]want{
				{RequirementNotAllowed, false, ImpliedDenyIngress},
				{RequirementNotAllowed, false, ImpliedDenyIngress},
				allowed,
			},
		},
		{
			name:  "the documented rules",
			rules: `[` + docsRules + `]`,
			want:  [3]want{allowed, allowed, allowed},
		},
		{
			name:  "one broad allow from everywhere on every protocol",
			rules: `[{"name":"allow-all","sourceRanges":["0.0.0.0/0"],"allowed":[{"IPProtocol":"all"}]}]`,
			want:  [3]want{allowed, allowed, allowed},
		},
		{
			name: "higher-priority deny-all ingress blocks both ingress requirements",
			rules: `[` + docsRules + `,
				{"name":"deny-all-ingress","priority":900,"sourceRanges":["0.0.0.0/0"],"denied":[{"IPProtocol":"all"}]}]`,
			want: [3]want{
				{RequirementBlocked, false, "deny-all-ingress"},
				{RequirementBlocked, false, "deny-all-ingress"},
				allowed,
			},
		},
		{
			name: "deny-all ingress at lower priority than the allows changes nothing",
			rules: `[` + docsRules + `,
				{"name":"deny-all-ingress","priority":1100,"sourceRanges":["0.0.0.0/0"],"denied":[{"IPProtocol":"all"}]}]`,
			want: [3]want{allowed, allowed, allowed},
		},
		{
			name: "deny of part of the serverless range is found",
			rules: `[` + docsRules + `,
				{"name":"deny-slice","priority":500,"sourceRanges":["35.199.240.7/32"],"denied":[{"IPProtocol":"tcp","ports":["667"]}]}]`,
			want: [3]want{{RequirementBlocked, true, "deny-slice"}, allowed, allowed},
		},
		{
			name:  "allow of one of two udp ports leaves the other to the implied deny",
			rules: `[{"name":"half","sourceRanges":["107.178.230.64/26","35.199.224.0/19"],"targetTags":["vpc-connector"],"allowed":[{"IPProtocol":"tcp","ports":["667"]},{"IPProtocol":"udp","ports":["665"]},{"IPProtocol":"icmp"}]}]`,
			want:  [3]want{{RequirementNotAllowed, true, ImpliedDenyIngress}, {RequirementNotAllowed, false, ImpliedDenyIngress}, allowed},
		},
		{
			name:  "allow covering only one of the health-check ranges",
			rules: `[{"name":"hc-partial","sourceRanges":["35.191.0.0/16"],"allowed":[{"IPProtocol":"tcp","ports":["667"]}]}]`,
			want:  [3]want{{RequirementNotAllowed, false, ImpliedDenyIngress}, {RequirementNotAllowed, true, ImpliedDenyIngress}, allowed},
		},
		{
			name:  "allows targeted at another tag do not count",
			rules: `[{"name":"wrong-tag","sourceRanges":["0.0.0.0/0"],"targetTags":["web"],"allowed":[{"IPProtocol":"all"}]}]`,
			want:  [3]want{{RequirementNotAllowed, false, ImpliedDenyIngress}, {RequirementNotAllowed, false, ImpliedDenyIngress}, allowed},
		},
		{
			name:  "allows targeted at the connector's unique tag count",
			rules: `[{"name":"unique-tag","sourceRanges":["0.0.0.0/0"],"targetTags":["vpc-connector-us-central1-redis-conn"],"allowed":[{"IPProtocol":"all"}]}]`,
			want:  [3]want{allowed, allowed, allowed},
		},
		{
			name: "deny-all egress blocks the connector's replies",
			rules: `[` + docsRules + `,
				{"name":"deny-all-egress","priority":100,"denied":[{"IPProtocol":"all"}],"direction":"EGRESS"}]`,
			want: [3]want{allowed, allowed, {RequirementBlocked, false, "deny-all-egress"}},
		},
		{
			name:  "explicit deny is reported over the implied deny",
			rules: `[{"name":"deny-icmp","priority":10,"sourceRanges":["35.199.224.0/19"],"denied":[{"IPProtocol":"icmp"}]}]`,
			want:  [3]want{{RequirementBlocked, false, "deny-icmp"}, {RequirementNotAllowed, false, ImpliedDenyIngress}, allowed},
		},
	}
	connector := Endpoint{Tags: ConnectorTags("us-central1", "redis-conn")}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := NewRuleSet(loadRules(t, tt.rules))
			if err != nil {
				t.Fatalf("NewRuleSet: %v", err)
			}
			results, err := CheckConnector(rs, connector)
			if err != nil {
				t.Fatalf("CheckConnector: %v", err)
			}
			if len(results) != len(tt.want) {
				t.Fatalf("got %d results, want %d", len(results), len(tt.want))
			}
			for i, got := range results {
				w := tt.want[i]
				gotDecidedBy := ""
				if !got.OK() {
					gotDecidedBy = decidedBy(got.Verdict)
				}
				if got.Status != w.status || got.Partial != w.partial || gotDecidedBy != w.decidedBy {
					t.Errorf("%s: got status=%s partial=%v by %q, want status=%s partial=%v by %q\n%s",
						got.Requirement.Name, got.Status, got.Partial, gotDecidedBy, w.status, w.partial, w.decidedBy, got)
				}
				if !got.OK() && got.Verdict.Allowed {
					t.Errorf("%s: failing result carries an allowing verdict: %s", got.Requirement.Name, got)
				}
			}
		})
	}
}

// TestCheckConnectorExample checks that the failing example lies in the denied slice, so a
// report can say which addresses and ports are affected.
func TestCheckConnectorExample(t *testing.T) {
	rs, err := NewRuleSet(loadRules(t, `[`+docsRules+`,
		{"name":"deny-slice","priority":500,"sourceRanges":["35.199.240.0/20"],"denied":[{"IPProtocol":"udp","ports":["666"]}]}]`))
	if err != nil {
		t.Fatal(err)
	}
	results, err := CheckConnector(rs, Endpoint{Tags: []string{ConnectorTag}})
	if err != nil {
		t.Fatal(err)
	}
	got := results[0]
	if got.Example.Src.IP != netip.MustParseAddr("35.199.240.0") || got.Example.Protocol != "udp" || got.Example.Port != 666 {
		t.Errorf("example = %+v, want udp:666 from 35.199.240.0", got.Example)
	}
	const want = "serverless-to-vpc-connector: partly blocked: udp:666 from 35.199.240.0 blocked by deny-slice (priority 500, deny udp:666 from 35.199.240.0/20)"
	if got.String() != want {
		t.Errorf("String()\n got  %s\n want %s", got, want)
	}
}

// TestConnectorTables checks that the exported tables are well-formed, so CheckConnector can
// only fail on tables a caller changed.
func TestConnectorTables(t *testing.T) {
	tables := append(append([]Requirement{}, ConnectorIngressRequirements()...), ConnectorEgressRequirements()...)
	seen := map[string]bool{}
	for _, req := range tables {
		if seen[req.Name] {
			t.Errorf("duplicate requirement %s", req.Name)
		}
		seen[req.Name] = true
		if req.Why == "" || len(req.Ranges) == 0 || len(req.Traffic) == 0 {
			t.Errorf("%s: empty field: %+v", req.Name, req)
		}
		if _, err := CheckRequirement(nil, req, Endpoint{}); err != nil {
			t.Errorf("%s: %v", req.Name, err)
		}
	}
	for _, req := range ConnectorIngressRequirements() {
		if req.Direction != DirectionIngress {
			t.Errorf("%s in the ingress table has direction %s", req.Name, req.Direction)
		}
	}
	for _, req := range ConnectorEgressRequirements() {
		if req.Direction != DirectionEgress {
			t.Errorf("%s in the egress table has direction %s", req.Name, req.Direction)
		}
	}
	bad := Requirement{Name: "bad", Direction: DirectionIngress, Ranges: []string{"35.199.224.0/33"}, Traffic: []Traffic{{"tcp", "667"}}}
	if _, err := CheckRequirement(nil, bad, Endpoint{}); err == nil {
		t.Error("CheckRequirement accepted a malformed range")
	}
}

func TestLastAddr(t *testing.T) {
	tests := map[string]string{
		"35.199.224.0/19":   "35.199.255.255",
		"10.0.0.7/32":       "10.0.0.7",
		"0.0.0.0/0":         "255.255.255.255",
		"2001:db8::/32":     "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
		"107.178.230.64/26": "107.178.230.127",
	}
	for prefix, want := range tests {
		if got := lastAddr(netip.MustParsePrefix(prefix)); got != netip.MustParseAddr(want) {
			t.Errorf("lastAddr(%s) = %s, want %s", prefix, got, want)
		}
	}
}
