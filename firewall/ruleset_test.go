package firewall

import (
	"net/netip"
	"strings"
	"testing"

	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/protobuf/encoding/protojson"
)

// loadRules reads rules written as the Compute API's firewalls.list items, the JSON users
// save from the API or gcloud (note the "IPProtocol" key).
func loadRules(t testing.TB, itemsJSON string) []*computepb.Firewall {
	t.Helper()
	var list computepb.FirewallList
	opts := protojson.UnmarshalOptions{DiscardUnknown: true}
	if err := opts.Unmarshal([]byte(`{"items":`+itemsJSON+`}`), &list); err != nil {
		t.Fatalf("unmarshal rules: %v\n%s", err, itemsJSON)
	}
	return list.GetItems()
}

func ip(text string) netip.Addr { return netip.MustParseAddr(text) }

// hosts returns the endpoints most cases use: an untagged VM of the network, a Redis
// instance in a private services access range, and an address on the internet.
func hosts() (vm, redis, internet Endpoint) {
	return Endpoint{IP: ip("10.128.0.2")}, Endpoint{IP: ip("10.0.0.3")}, Endpoint{IP: ip("203.0.113.9")}
}

func tcp(src, dst Endpoint, port int) Packet {
	return Packet{Src: src, Dst: dst, Protocol: "tcp", Port: port}
}

func TestEvaluate(t *testing.T) {
	vm, redis, internet := hosts()
	tagged := Endpoint{IP: ip("10.8.0.2"), Tags: []string{"vpc-connector", "web"}}
	withSA := Endpoint{IP: ip("10.128.0.7"), ServiceAccounts: []string{"app@p.iam.gserviceaccount.com"}}

	tests := []struct {
		name      string
		direction string // DirectionEgress or DirectionIngress
		rules     string
		packet    Packet
		allowed   bool
		// decidedBy is the deciding rule's name, or the Implied value when no rule matched.
		decidedBy string
	}{
		// Priority ordering.
		{
			name:      "higher priority allow beats lower priority deny",
			direction: DirectionEgress,
			rules: `[
				{"name":"deny-all-egress","direction":"EGRESS","priority":200,"denied":[{"IPProtocol":"all"}]},
				{"name":"allow-redis","direction":"EGRESS","priority":100,"destinationRanges":["10.0.0.0/29"],"allowed":[{"IPProtocol":"tcp","ports":["6379"]}]}
			]`,
			packet: tcp(vm, redis, 6379), allowed: true, decidedBy: "allow-redis",
		},
		{
			name:      "higher priority deny beats lower priority allow",
			direction: DirectionEgress,
			rules: `[
				{"name":"allow-redis","direction":"EGRESS","priority":1000,"destinationRanges":["10.0.0.0/29"],"allowed":[{"IPProtocol":"tcp","ports":["6379"]}]},
				{"name":"deny-all-egress","direction":"EGRESS","priority":900,"denied":[{"IPProtocol":"tcp"}]}
			]`,
			packet: tcp(vm, redis, 6379), allowed: false, decidedBy: "deny-all-egress",
		},
		{
			name:      "explicit priority 0 beats the default 1000",
			direction: DirectionEgress,
			rules: `[
				{"name":"deny-default-priority","direction":"EGRESS","denied":[{"IPProtocol":"all"}]},
				{"name":"allow-top","direction":"EGRESS","priority":0,"allowed":[{"IPProtocol":"all"}]}
			]`,
			packet: tcp(vm, redis, 6379), allowed: true, decidedBy: "allow-top",
		},

		// Deny wins at equal priority, whatever the input order.
		{
			name:      "equal priority: deny listed after allow still wins",
			direction: DirectionEgress,
			rules: `[
				{"name":"allow-redis","direction":"EGRESS","priority":1000,"allowed":[{"IPProtocol":"tcp","ports":["6379"]}]},
				{"name":"deny-redis","direction":"EGRESS","priority":1000,"denied":[{"IPProtocol":"tcp","ports":["6379"]}]}
			]`,
			packet: tcp(vm, redis, 6379), allowed: false, decidedBy: "deny-redis",
		},
		{
			name:      "equal priority: deny listed before allow wins",
			direction: DirectionIngress,
			rules: `[
				{"name":"deny-ssh","priority":900,"sourceRanges":["0.0.0.0/0"],"denied":[{"IPProtocol":"tcp","ports":["22"]}]},
				{"name":"allow-ssh","priority":900,"sourceRanges":["0.0.0.0/0"],"allowed":[{"IPProtocol":"tcp","ports":["22"]}]}
			]`,
			packet: tcp(internet, vm, 22), allowed: false, decidedBy: "deny-ssh",
		},

		// Disabled rules do not exist.
		{
			name:      "disabled deny is ignored",
			direction: DirectionEgress,
			rules:     `[{"name":"deny-all-egress","direction":"EGRESS","priority":0,"disabled":true,"denied":[{"IPProtocol":"all"}]}]`,
			packet:    tcp(vm, redis, 6379), allowed: true, decidedBy: ImpliedAllowEgress,
		},
		{
			name:      "disabled allow is ignored",
			direction: DirectionIngress,
			rules:     `[{"name":"allow-all","disabled":true,"sourceRanges":["0.0.0.0/0"],"allowed":[{"IPProtocol":"all"}]}]`,
			packet:    tcp(internet, vm, 443), allowed: false, decidedBy: ImpliedDenyIngress,
		},

		// Targets.
		{
			name:      "target tag matches one of the endpoint's tags",
			direction: DirectionEgress,
			rules:     `[{"name":"deny-web","direction":"EGRESS","targetTags":["db","web"],"denied":[{"IPProtocol":"all"}]}]`,
			packet:    tcp(tagged, redis, 6379), allowed: false, decidedBy: "deny-web",
		},
		{
			name:      "target tag the endpoint lacks: rule does not apply",
			direction: DirectionEgress,
			rules:     `[{"name":"deny-db","direction":"EGRESS","targetTags":["db"],"denied":[{"IPProtocol":"all"}]}]`,
			packet:    tcp(tagged, redis, 6379), allowed: true, decidedBy: ImpliedAllowEgress,
		},
		{
			name:      "target tags never match an untagged endpoint",
			direction: DirectionEgress,
			rules:     `[{"name":"deny-web","direction":"EGRESS","targetTags":["web"],"denied":[{"IPProtocol":"all"}]}]`,
			packet:    tcp(vm, redis, 6379), allowed: true, decidedBy: ImpliedAllowEgress,
		},
		{
			name:      "target service account matches",
			direction: DirectionIngress,
			rules:     `[{"name":"allow-app","targetServiceAccounts":["app@p.iam.gserviceaccount.com"],"sourceRanges":["10.0.0.0/8"],"allowed":[{"IPProtocol":"tcp"}]}]`,
			packet:    tcp(vm, withSA, 8080), allowed: true, decidedBy: "allow-app",
		},
		{
			name:      "target service account does not match",
			direction: DirectionIngress,
			rules:     `[{"name":"allow-other","targetServiceAccounts":["other@p.iam.gserviceaccount.com"],"sourceRanges":["10.0.0.0/8"],"allowed":[{"IPProtocol":"tcp"}]}]`,
			packet:    tcp(vm, withSA, 8080), allowed: false, decidedBy: ImpliedDenyIngress,
		},
		{
			name:      "target service accounts are not tags",
			direction: DirectionIngress,
			rules:     `[{"name":"allow-web-sa","targetServiceAccounts":["web"],"sourceRanges":["0.0.0.0/0"],"allowed":[{"IPProtocol":"tcp"}]}]`,
			packet:    tcp(internet, tagged, 80), allowed: false, decidedBy: ImpliedDenyIngress,
		},
		{
			name:      "rule without targets applies to tagged and untagged instances alike",
			direction: DirectionEgress,
			rules:     `[{"name":"deny-all-egress","direction":"EGRESS","denied":[{"IPProtocol":"all"}]}]`,
			packet:    tcp(tagged, redis, 6379), allowed: false, decidedBy: "deny-all-egress",
		},

		// Egress destinations.
		{
			name:      "egress destination range matches",
			direction: DirectionEgress,
			rules:     `[{"name":"deny-psa","direction":"EGRESS","destinationRanges":["10.0.0.0/29"],"denied":[{"IPProtocol":"tcp"}]}]`,
			packet:    tcp(vm, redis, 6379), allowed: false, decidedBy: "deny-psa",
		},
		{
			name:      "egress destination range does not match",
			direction: DirectionEgress,
			rules:     `[{"name":"deny-other","direction":"EGRESS","destinationRanges":["10.0.0.8/29","192.168.0.0/16"],"denied":[{"IPProtocol":"tcp"}]}]`,
			packet:    tcp(vm, redis, 6379), allowed: true, decidedBy: ImpliedAllowEgress,
		},
		{
			name:      "egress without destination ranges means 0.0.0.0/0",
			direction: DirectionEgress,
			rules:     `[{"name":"deny-all-egress","direction":"EGRESS","denied":[{"IPProtocol":"tcp"}]}]`,
			packet:    tcp(vm, internet, 443), allowed: false, decidedBy: "deny-all-egress",
		},
		{
			name:      "egress target is the sender, not the receiver",
			direction: DirectionEgress,
			rules:     `[{"name":"deny-to-web","direction":"EGRESS","targetTags":["web"],"denied":[{"IPProtocol":"all"}]}]`,
			packet:    tcp(vm, tagged, 80), allowed: true, decidedBy: ImpliedAllowEgress,
		},

		// Ingress sources.
		{
			name:      "ingress source range matches",
			direction: DirectionIngress,
			rules:     `[{"name":"allow-internal","sourceRanges":["10.128.0.0/9"],"allowed":[{"IPProtocol":"tcp"}]}]`,
			packet:    tcp(vm, redis, 6379), allowed: true, decidedBy: "allow-internal",
		},
		{
			name:      "ingress source range does not match",
			direction: DirectionIngress,
			rules:     `[{"name":"allow-internal","sourceRanges":["10.128.0.0/9"],"allowed":[{"IPProtocol":"tcp"}]}]`,
			packet:    tcp(internet, redis, 6379), allowed: false, decidedBy: ImpliedDenyIngress,
		},
		{
			name:      "ingress source tag matches",
			direction: DirectionIngress,
			rules:     `[{"name":"from-connector","sourceTags":["vpc-connector"],"allowed":[{"IPProtocol":"tcp"}]}]`,
			packet:    tcp(tagged, vm, 6379), allowed: true, decidedBy: "from-connector",
		},
		{
			name:      "ingress source tag does not match an untagged sender",
			direction: DirectionIngress,
			rules:     `[{"name":"from-connector","sourceTags":["vpc-connector"],"allowed":[{"IPProtocol":"tcp"}]}]`,
			packet:    tcp(vm, redis, 6379), allowed: false, decidedBy: ImpliedDenyIngress,
		},
		{
			name:      "ranges and tags: tag alone suffices",
			direction: DirectionIngress,
			rules:     `[{"name":"either","sourceRanges":["192.168.0.0/16"],"sourceTags":["web"],"allowed":[{"IPProtocol":"tcp"}]}]`,
			packet:    tcp(tagged, vm, 80), allowed: true, decidedBy: "either",
		},
		{
			name:      "ranges and tags: range alone suffices",
			direction: DirectionIngress,
			rules:     `[{"name":"either","sourceRanges":["10.128.0.0/9"],"sourceTags":["db"],"allowed":[{"IPProtocol":"tcp"}]}]`,
			packet:    tcp(vm, redis, 80), allowed: true, decidedBy: "either",
		},
		{
			name:      "ranges and tags: neither matches",
			direction: DirectionIngress,
			rules:     `[{"name":"either","sourceRanges":["192.168.0.0/16"],"sourceTags":["db"],"allowed":[{"IPProtocol":"tcp"}]}]`,
			packet:    tcp(tagged, vm, 80), allowed: false, decidedBy: ImpliedDenyIngress,
		},
		{
			name:      "ingress source service account matches",
			direction: DirectionIngress,
			rules:     `[{"name":"from-app","sourceServiceAccounts":["app@p.iam.gserviceaccount.com"],"allowed":[{"IPProtocol":"tcp"}]}]`,
			packet:    tcp(withSA, redis, 6379), allowed: true, decidedBy: "from-app",
		},
		{
			name:      "ingress without any source means 0.0.0.0/0",
			direction: DirectionIngress,
			rules:     `[{"name":"allow-https","allowed":[{"IPProtocol":"tcp","ports":["443"]}]}]`,
			packet:    tcp(internet, vm, 443), allowed: true, decidedBy: "allow-https",
		},
		{
			name:      "ingress destination range matches",
			direction: DirectionIngress,
			rules:     `[{"name":"to-redis-range","sourceRanges":["0.0.0.0/0"],"destinationRanges":["10.0.0.0/29"],"allowed":[{"IPProtocol":"tcp"}]}]`,
			packet:    tcp(vm, redis, 6379), allowed: true, decidedBy: "to-redis-range",
		},
		{
			name:      "ingress destination range excludes the receiver",
			direction: DirectionIngress,
			rules:     `[{"name":"to-other-range","sourceRanges":["0.0.0.0/0"],"destinationRanges":["10.0.0.8/29"],"allowed":[{"IPProtocol":"tcp"}]}]`,
			packet:    tcp(vm, redis, 6379), allowed: false, decidedBy: ImpliedDenyIngress,
		},

		// Protocols.
		{
			name:      `protocol "all" matches udp`,
			direction: DirectionEgress,
			rules:     `[{"name":"deny-all","direction":"EGRESS","denied":[{"IPProtocol":"all"}]}]`,
			packet:    Packet{Src: vm, Dst: redis, Protocol: "udp", Port: 53}, allowed: false, decidedBy: "deny-all",
		},
		{
			name:      "tcp rule does not match udp",
			direction: DirectionEgress,
			rules:     `[{"name":"deny-tcp","direction":"EGRESS","denied":[{"IPProtocol":"tcp"}]}]`,
			packet:    Packet{Src: vm, Dst: redis, Protocol: "udp", Port: 53}, allowed: true, decidedBy: ImpliedAllowEgress,
		},
		{
			name:      "udp rule matches udp",
			direction: DirectionEgress,
			rules:     `[{"name":"deny-udp","direction":"EGRESS","denied":[{"IPProtocol":"udp"}]}]`,
			packet:    Packet{Src: vm, Dst: redis, Protocol: "udp", Port: 53}, allowed: false, decidedBy: "deny-udp",
		},
		{
			name:      `rule protocol "6" matches a tcp packet`,
			direction: DirectionEgress,
			rules:     `[{"name":"deny-6","direction":"EGRESS","denied":[{"IPProtocol":"6","ports":["6379"]}]}]`,
			packet:    tcp(vm, redis, 6379), allowed: false, decidedBy: "deny-6",
		},
		{
			name:      `packet protocol "6" matches a tcp rule`,
			direction: DirectionEgress,
			rules:     `[{"name":"deny-tcp","direction":"EGRESS","denied":[{"IPProtocol":"tcp"}]}]`,
			packet:    Packet{Src: vm, Dst: redis, Protocol: "6", Port: 6379}, allowed: false, decidedBy: "deny-tcp",
		},
		{
			name:      `rule protocol "17" does not match tcp`,
			direction: DirectionEgress,
			rules:     `[{"name":"deny-17","direction":"EGRESS","denied":[{"IPProtocol":"17"}]}]`,
			packet:    tcp(vm, redis, 6379), allowed: true, decidedBy: ImpliedAllowEgress,
		},
		{
			name:      "icmp rule matches icmp whatever the port field says",
			direction: DirectionIngress,
			rules:     `[{"name":"allow-icmp","sourceRanges":["0.0.0.0/0"],"allowed":[{"IPProtocol":"icmp"}]}]`,
			packet:    Packet{Src: internet, Dst: vm, Protocol: "icmp", Port: 8}, allowed: true, decidedBy: "allow-icmp",
		},
		{
			name:      "second allowed entry matches",
			direction: DirectionIngress,
			rules:     `[{"name":"multi","sourceRanges":["10.0.0.0/8"],"allowed":[{"IPProtocol":"udp","ports":["53"]},{"IPProtocol":"tcp","ports":["6379"]}]}]`,
			packet:    tcp(vm, redis, 6379), allowed: true, decidedBy: "multi",
		},

		// Ports.
		{
			name:      "single port matches",
			direction: DirectionEgress,
			rules:     `[{"name":"deny-6379","direction":"EGRESS","denied":[{"IPProtocol":"tcp","ports":["6379"]}]}]`,
			packet:    tcp(vm, redis, 6379), allowed: false, decidedBy: "deny-6379",
		},
		{
			name:      "single port does not match another port",
			direction: DirectionEgress,
			rules:     `[{"name":"deny-6379","direction":"EGRESS","denied":[{"IPProtocol":"tcp","ports":["6379"]}]}]`,
			packet:    tcp(vm, redis, 6378), allowed: true, decidedBy: ImpliedAllowEgress,
		},
		{
			name:      "port range includes its lower bound",
			direction: DirectionEgress,
			rules:     `[{"name":"deny-range","direction":"EGRESS","denied":[{"IPProtocol":"tcp","ports":["6000-7000"]}]}]`,
			packet:    tcp(vm, redis, 6000), allowed: false, decidedBy: "deny-range",
		},
		{
			name:      "port range includes its upper bound",
			direction: DirectionEgress,
			rules:     `[{"name":"deny-range","direction":"EGRESS","denied":[{"IPProtocol":"tcp","ports":["6000-7000"]}]}]`,
			packet:    tcp(vm, redis, 7000), allowed: false, decidedBy: "deny-range",
		},
		{
			name:      "port range excludes the port after it",
			direction: DirectionEgress,
			rules:     `[{"name":"deny-range","direction":"EGRESS","denied":[{"IPProtocol":"tcp","ports":["6000-7000"]}]}]`,
			packet:    tcp(vm, redis, 7001), allowed: true, decidedBy: ImpliedAllowEgress,
		},
		{
			name:      "one of several ports matches",
			direction: DirectionEgress,
			rules:     `[{"name":"deny-some","direction":"EGRESS","denied":[{"IPProtocol":"tcp","ports":["22","6378-6379"]}]}]`,
			packet:    tcp(vm, redis, 6378), allowed: false, decidedBy: "deny-some",
		},
		{
			name:      "no ports means every port",
			direction: DirectionEgress,
			rules:     `[{"name":"deny-tcp","direction":"EGRESS","denied":[{"IPProtocol":"tcp"}]}]`,
			packet:    tcp(vm, redis, 65535), allowed: false, decidedBy: "deny-tcp",
		},

		// Implied rules.
		{
			name:      "implied allow egress",
			direction: DirectionEgress,
			rules:     `[]`,
			packet:    tcp(vm, internet, 443), allowed: true, decidedBy: ImpliedAllowEgress,
		},
		{
			name:      "implied deny ingress",
			direction: DirectionIngress,
			rules:     `[]`,
			packet:    tcp(vm, redis, 6379), allowed: false, decidedBy: ImpliedDenyIngress,
		},
		{
			name:      "allow at 65534 still beats the implied deny",
			direction: DirectionIngress,
			rules:     `[{"name":"default-allow-internal","priority":65534,"sourceRanges":["10.128.0.0/9"],"allowed":[{"IPProtocol":"tcp","ports":["0-65535"]}]}]`,
			packet:    tcp(vm, redis, 6379), allowed: true, decidedBy: "default-allow-internal",
		},

		// Defaults of unset fields.
		{
			name:      "unset priority is 1000: loses to 999",
			direction: DirectionEgress,
			rules: `[
				{"name":"deny-unset","direction":"EGRESS","denied":[{"IPProtocol":"all"}]},
				{"name":"allow-999","direction":"EGRESS","priority":999,"allowed":[{"IPProtocol":"all"}]}
			]`,
			packet: tcp(vm, redis, 6379), allowed: true, decidedBy: "allow-999",
		},
		{
			name:      "unset priority is 1000: beats 1001",
			direction: DirectionEgress,
			rules: `[
				{"name":"allow-1001","direction":"EGRESS","priority":1001,"allowed":[{"IPProtocol":"all"}]},
				{"name":"deny-unset","direction":"EGRESS","denied":[{"IPProtocol":"all"}]}
			]`,
			packet: tcp(vm, redis, 6379), allowed: false, decidedBy: "deny-unset",
		},
		{
			name:      "unset priority is 1000: ties with 1000 and deny wins",
			direction: DirectionEgress,
			rules: `[
				{"name":"deny-1000","direction":"EGRESS","priority":1000,"denied":[{"IPProtocol":"all"}]},
				{"name":"allow-unset","direction":"EGRESS","allowed":[{"IPProtocol":"all"}]}
			]`,
			packet: tcp(vm, redis, 6379), allowed: false, decidedBy: "deny-1000",
		},
		{
			name:      "unset direction is INGRESS: it decides ingress",
			direction: DirectionIngress,
			rules:     `[{"name":"deny-no-direction","denied":[{"IPProtocol":"all"}]}, {"name":"allow-lower","priority":2000,"allowed":[{"IPProtocol":"all"}]}]`,
			packet:    tcp(vm, redis, 6379), allowed: false, decidedBy: "deny-no-direction",
		},
		{
			name:      "unset direction is INGRESS: it does not touch egress",
			direction: DirectionEgress,
			rules:     `[{"name":"deny-no-direction","denied":[{"IPProtocol":"all"}]}]`,
			packet:    tcp(vm, redis, 6379), allowed: true, decidedBy: ImpliedAllowEgress,
		},
		{
			name:      "egress rules do not decide ingress",
			direction: DirectionIngress,
			rules:     `[{"name":"allow-all-egress","direction":"EGRESS","allowed":[{"IPProtocol":"all"}]}]`,
			packet:    tcp(vm, redis, 6379), allowed: false, decidedBy: ImpliedDenyIngress,
		},

		// Address families.
		{
			name:      "IPv4-mapped IPv6 addresses meet IPv4 ranges",
			direction: DirectionEgress,
			rules:     `[{"name":"deny-psa","direction":"EGRESS","destinationRanges":["10.0.0.0/29"],"denied":[{"IPProtocol":"tcp"}]}]`,
			packet:    tcp(vm, Endpoint{IP: ip("::ffff:10.0.0.3")}, 6379), allowed: false, decidedBy: "deny-psa",
		},
		{
			name:      "default 0.0.0.0/0 does not cover IPv6",
			direction: DirectionEgress,
			rules:     `[{"name":"deny-all-egress","direction":"EGRESS","denied":[{"IPProtocol":"all"}]}]`,
			packet:    tcp(vm, Endpoint{IP: ip("2001:db8::1")}, 443), allowed: true, decidedBy: ImpliedAllowEgress,
		},
		{
			name:      "::/0 covers IPv6",
			direction: DirectionEgress,
			rules:     `[{"name":"deny-all-egress-v6","direction":"EGRESS","destinationRanges":["::/0"],"denied":[{"IPProtocol":"all"}]}]`,
			packet:    tcp(vm, Endpoint{IP: ip("2001:db8::1")}, 443), allowed: false, decidedBy: "deny-all-egress-v6",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rules := loadRules(t, tt.rules)
			rs, err := NewRuleSet(rules)
			if err != nil {
				t.Fatalf("NewRuleSet: %v", err)
			}
			var got, convenience Verdict
			if tt.direction == DirectionEgress {
				got, convenience = rs.Egress(tt.packet), EvaluateEgress(rules, tt.packet)
			} else {
				got, convenience = rs.Ingress(tt.packet), EvaluateIngress(rules, tt.packet)
			}
			if got.Allowed != tt.allowed || decidedBy(got) != tt.decidedBy {
				t.Errorf("got allowed=%v decided by %q, want allowed=%v decided by %q (%s)",
					got.Allowed, decidedBy(got), tt.allowed, tt.decidedBy, got)
			}
			if (got.Rule == nil) == (got.Implied == "") {
				t.Errorf("exactly one of Rule and Implied must be set: %+v", got)
			}
			if convenience.Allowed != got.Allowed || decidedBy(convenience) != decidedBy(got) {
				t.Errorf("Evaluate%s disagrees with RuleSet: %s vs %s", strings.ToLower(tt.direction), convenience, got)
			}
		})
	}
}

func decidedBy(v Verdict) string {
	if v.Rule != nil {
		return v.Rule.GetName()
	}
	return v.Implied
}

func TestNilAndEmptyRuleSet(t *testing.T) {
	vm, redis, _ := hosts()
	var rs *RuleSet
	if v := rs.Egress(tcp(vm, redis, 6379)); !v.Allowed || v.Implied != ImpliedAllowEgress {
		t.Errorf("nil RuleSet egress: %s", v)
	}
	if v := (&RuleSet{}).Ingress(tcp(vm, redis, 6379)); v.Allowed || v.Implied != ImpliedDenyIngress {
		t.Errorf("zero RuleSet ingress: %s", v)
	}
}

// TestMalformedRules checks that NewRuleSet names what it cannot read and that a malformed
// value never widens a rule: a deny whose only range is garbage must not become 0.0.0.0/0.
func TestMalformedRules(t *testing.T) {
	vm, redis, _ := hosts()
	tests := []struct {
		name      string
		rules     string
		wantError string
		packet    Packet
		direction string
		decidedBy string
	}{
		{
			name:      "bad destination range matches nothing",
			rules:     `[{"name":"bad-range","direction":"EGRESS","destinationRanges":["10.0.0/8"],"denied":[{"IPProtocol":"all"}]}]`,
			wantError: `firewall rule bad-range: destination range: "10.0.0/8" is not a CIDR range`,
			direction: DirectionEgress, packet: tcp(vm, redis, 6379), decidedBy: ImpliedAllowEgress,
		},
		{
			name:      "bad source range matches nothing",
			rules:     `[{"name":"bad-source","sourceRanges":["everything"],"allowed":[{"IPProtocol":"all"}]}]`,
			wantError: `firewall rule bad-source: source range: "everything" is not a CIDR range`,
			direction: DirectionIngress, packet: tcp(vm, redis, 6379), decidedBy: ImpliedDenyIngress,
		},
		{
			name:      "good ranges of a rule still count next to a bad one",
			rules:     `[{"name":"half-bad","direction":"EGRESS","destinationRanges":["nope","10.0.0.0/29"],"denied":[{"IPProtocol":"all"}]}]`,
			wantError: `"nope" is not a CIDR range`,
			direction: DirectionEgress, packet: tcp(vm, redis, 6379), decidedBy: "half-bad",
		},
		{
			name:      "unknown protocol matches nothing",
			rules:     `[{"name":"bad-proto","direction":"EGRESS","denied":[{"IPProtocol":"tcpp"}]}]`,
			wantError: `firewall rule bad-proto: denied: unknown protocol "tcpp"`,
			direction: DirectionEgress, packet: tcp(vm, redis, 6379), decidedBy: ImpliedAllowEgress,
		},
		{
			name:      "bad port: the entry matches no port rather than every port",
			rules:     `[{"name":"bad-port","direction":"EGRESS","denied":[{"IPProtocol":"tcp","ports":["70000"]}]}]`,
			wantError: `firewall rule bad-port: denied: protocol tcp: "70000" is not a port or port range`,
			direction: DirectionEgress, packet: tcp(vm, redis, 6379), decidedBy: ImpliedAllowEgress,
		},
		{
			name:      "reversed port range",
			rules:     `[{"name":"reversed","direction":"EGRESS","denied":[{"IPProtocol":"tcp","ports":["7000-6000"]}]}]`,
			wantError: `"7000-6000" is not a port or port range`,
			direction: DirectionEgress, packet: tcp(vm, redis, 6379), decidedBy: ImpliedAllowEgress,
		},
		{
			name:      "unknown direction: rule dropped",
			rules:     `[{"name":"sideways","direction":"SIDEWAYS","denied":[{"IPProtocol":"all"}]}]`,
			wantError: `firewall rule sideways: direction "SIDEWAYS" is neither INGRESS nor EGRESS`,
			direction: DirectionEgress, packet: tcp(vm, redis, 6379), decidedBy: ImpliedAllowEgress,
		},
		{
			name:      "allowed and denied in one rule: deny half wins",
			rules:     `[{"name":"both","direction":"EGRESS","allowed":[{"IPProtocol":"all"}],"denied":[{"IPProtocol":"tcp"}]}]`,
			wantError: `firewall rule both: has both allowed and denied protocols`,
			direction: DirectionEgress, packet: tcp(vm, redis, 6379), decidedBy: "both",
		},
		{
			name:      "no protocols at all",
			rules:     `[{"name":"empty","sourceRanges":["0.0.0.0/0"]}]`,
			wantError: `firewall rule empty: has neither allowed nor denied protocols`,
			direction: DirectionIngress, packet: tcp(vm, redis, 6379), decidedBy: ImpliedDenyIngress,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := NewRuleSet(loadRules(t, tt.rules))
			if err == nil || !strings.Contains(err.Error(), tt.wantError) {
				t.Errorf("NewRuleSet error = %v, want it to contain %q", err, tt.wantError)
			}
			var got Verdict
			if tt.direction == DirectionEgress {
				got = rs.Egress(tt.packet)
			} else {
				got = rs.Ingress(tt.packet)
			}
			if decidedBy(got) != tt.decidedBy {
				t.Errorf("decided by %q, want %q (%s)", decidedBy(got), tt.decidedBy, got)
			}
		})
	}
}

func TestNewRuleSetAcceptsLenientRanges(t *testing.T) {
	rules := loadRules(t, `[{"name":"host-bits","direction":"EGRESS","destinationRanges":["10.0.0.3","10.0.0.9/29","::ffff:10.1.0.0/112"],"denied":[{"IPProtocol":"all"}]}]`)
	rs, err := NewRuleSet(rules)
	if err != nil {
		t.Fatalf("NewRuleSet: %v", err)
	}
	vm, _, _ := hosts()
	for _, dst := range []string{"10.0.0.3", "10.0.0.14", "10.1.255.255"} {
		if v := rs.Egress(tcp(vm, Endpoint{IP: ip(dst)}, 1)); v.Allowed {
			t.Errorf("%s: want blocked by host-bits, got %s", dst, v)
		}
	}
}
