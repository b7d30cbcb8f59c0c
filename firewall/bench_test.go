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
