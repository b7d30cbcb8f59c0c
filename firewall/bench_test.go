package firewall

import (
	"fmt"
	"net/netip"
	"testing"

	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/protobuf/proto"
)

// generatedRules returns n rules shaped like a large project's: a mix of directions,
// priorities, tags, ranges and ports, none of which matches benchmarkPacket, so every
// evaluation walks the whole list before the implied rule decides (the worst case).
func generatedRules(n int) []*computepb.Firewall {
	rules := make([]*computepb.Firewall, 0, n)
	for i := range n {
		fw := &computepb.Firewall{
			Name:     proto.String(fmt.Sprintf("rule-%04d", i)),
			Priority: proto.Int32(int32(100 + i%60000)),
		}
		entry := []*computepb.Allowed{{IPProtocol: proto.String("tcp"), Ports: []string{fmt.Sprint(1000 + i%5000), "8000-8100"}}}
		if i%2 == 0 {
			fw.Direction = proto.String(DirectionEgress)
		} else {
			fw.Direction = proto.String(DirectionIngress)
			fw.SourceRanges = []string{fmt.Sprintf("172.%d.%d.0/24", 16+i%16, i%256)}
		}
		switch i % 4 {
		case 0: // all instances, a destination range Redis is not in
			fw.DestinationRanges = []string{fmt.Sprintf("192.168.%d.0/24", i%256), "198.51.100.0/24"}
		case 1: // a tag the connector lacks
			fw.TargetTags = []string{fmt.Sprintf("team-%d", i%50)}
		case 2: // a service account the connector does not run as
			fw.TargetServiceAccounts = []string{fmt.Sprintf("sa-%d@p.iam.gserviceaccount.com", i%50)}
		case 3: // right destination, other ports
			fw.DestinationRanges = []string{"10.0.0.0/8"}
		}
		if i%3 == 0 {
			fw.Denied = make([]*computepb.Denied, len(entry))
			for j, e := range entry {
				fw.Denied[j] = &computepb.Denied{IPProtocol: e.IPProtocol, Ports: e.Ports}
			}
		} else {
			fw.Allowed = entry
		}
		rules = append(rules, fw)
	}
	return rules
}

func benchmarkPacket() Packet {
	return Packet{
		Src:      Endpoint{IP: netip.MustParseAddr("10.8.0.2"), Tags: []string{"vpc-connector", "vpc-connector-us-central1-redis-conn"}},
		Dst:      Endpoint{IP: netip.MustParseAddr("10.0.0.3")},
		Protocol: "tcp",
		Port:     6379,
	}
}

// BenchmarkEvaluateEgress measures one egress evaluation against 1000 compiled rules, the
// cost a check pays per packet once NewRuleSet has run.
func BenchmarkEvaluateEgress(b *testing.B) {
	rs, err := NewRuleSet(generatedRules(1000))
	if err != nil {
		b.Fatal(err)
	}
	p := benchmarkPacket()
	if v := rs.Egress(p); v.Implied != ImpliedAllowEgress {
		b.Fatalf("a generated rule matched, so the benchmark is not the worst case: %s", v)
	}
	b.ReportAllocs()
	for b.Loop() {
		rs.Egress(p)
	}
}

// BenchmarkNewRuleSet measures compiling 1000 rules, paid once per network.
func BenchmarkNewRuleSet(b *testing.B) {
	rules := generatedRules(1000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewRuleSet(rules); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckConnector measures the exact connector check against 1000 rules.
func BenchmarkCheckConnector(b *testing.B) {
	rs, err := NewRuleSet(generatedRules(1000))
	if err != nil {
		b.Fatal(err)
	}
	connector := Endpoint{Tags: ConnectorTags("us-central1", "redis-conn")}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := CheckConnector(rs, connector); err != nil {
			b.Fatal(err)
		}
	}
}

// generatedPolicies returns a hierarchy of n policies (an organization's and its folders'),
// plus a global network policy, of 100 rules each, none of which matches benchmarkPacket:
// every rule of every stage is read before the implied rule decides. A goto_next rule for
// 10.0.0.0/8 would end each policy early; it is kept for ports Redis does not use.
func generatedPolicies(n int) []*Policy {
	policies := make([]*Policy, 0, n+1)
	for p := range n + 1 {
		policy := &Policy{
			Name:      proto.String(fmt.Sprint(1000 + p)),
			ShortName: proto.String(fmt.Sprintf("policy-%d", p)),
			Type:      proto.String(PolicyHierarchy),
		}
		if p == n {
			policy.Type = proto.String(PolicyNetwork)
		}
		for i := range 100 {
			rule := &computepb.FirewallPolicyRule{
				Priority:  proto.Int32(int32(100 + i)),
				Direction: proto.String([]string{DirectionEgress, DirectionIngress}[i%2]),
				Action:    proto.String([]string{ActionDeny, ActionAllow, ActionGotoNext}[i%3]),
				Match: &computepb.FirewallPolicyRuleMatcher{
					DestIpRanges:  []string{fmt.Sprintf("192.168.%d.0/24", i)},
					SrcIpRanges:   []string{fmt.Sprintf("172.16.%d.0/24", i)},
					Layer4Configs: []*computepb.FirewallPolicyRuleMatcherLayer4Config{{IpProtocol: proto.String("tcp"), Ports: []string{"22", "8000-8100"}}},
				},
			}
			if i%10 == 0 {
				rule.Match.DestIpRanges = []string{"10.0.0.0/8"}
			}
			if i%7 == 0 {
				rule.TargetResources = []string{"https://www.googleapis.com/compute/v1/projects/p/global/networks/default"}
			}
			policy.Rules = append(policy.Rules, rule)
		}
		policies = append(policies, policy)
	}
	return policies
}

// BenchmarkEvaluateEgressWithPolicies measures one egress evaluation through an
// organization policy, two folder policies, 1000 VPC rules and a global network policy.
func BenchmarkEvaluateEgressWithPolicies(b *testing.B) {
	rs, err := NewEffectiveRuleSet(Effective{
		Rules:    generatedRules(1000),
		Policies: generatedPolicies(3),
		Network:  "projects/p/global/networks/default",
	})
	if err != nil {
		b.Fatal(err)
	}
	p := benchmarkPacket()
	if v := rs.Egress(p); v.Implied != ImpliedAllowEgress || v.Uncertain != "" {
		b.Fatalf("a generated rule matched, so the benchmark is not the worst case: %s %s", v, v.Uncertain)
	}
	b.ReportAllocs()
	for b.Loop() {
		rs.Egress(p)
	}
}
