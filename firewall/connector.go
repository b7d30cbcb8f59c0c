package firewall

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// ConnectorRequirementsSource is the page that lists the firewall rules a Serverless VPC
// Access connector needs ("Configure connectors in Shared VPC service projects", section on
// firewall rules). The App Engine twin of the page carries the same ranges, ports and rule
// names: https://cloud.google.com/appengine/docs/legacy/standard/java/shared-vpc-service-projects
const ConnectorRequirementsSource = "https://cloud.google.com/run/docs/configuring/shared-vpc-service-projects#firewall-rules-shared-vpc"

// ConnectorTag is the network tag every Serverless VPC Access connector instance carries;
// rules that target it apply to all connectors of the network.
const ConnectorTag = "vpc-connector"

// ConnectorUniqueTag returns the network tag only the instances of one connector carry,
// vpc-connector-REGION-NAME, for rules that target a single connector.
func ConnectorUniqueTag(region, connectorName string) string {
	return ConnectorTag + "-" + region + "-" + connectorName
}

// ConnectorTags returns both tags a connector's instances carry, the universal one first.
func ConnectorTags(region, connectorName string) []string {
	return []string{ConnectorTag, ConnectorUniqueTag(region, connectorName)}
}

// Requirement is traffic a connector must be able to receive (INGRESS) or send (EGRESS),
// named after the rule the documentation suggests for it.
type Requirement struct {
	// Name is the rule name the documentation uses, e.g. "serverless-to-vpc-connector".
	Name string
	// Direction is DirectionIngress or DirectionEgress, seen from the connector.
	Direction string
	// Ranges are the peers in CIDR form: sources for ingress, destinations for egress.
	Ranges []string
	// Traffic is every protocol and port the requirement covers.
	Traffic []Traffic
	// Why says what breaks without it.
	Why string
}

// Traffic is one protocol with its ports, as in a rule's allowed[] entry.
type Traffic struct {
	// Protocol is a protocol name such as "tcp" or "icmp".
	Protocol string
	// Ports is a port ("667"), a range ("665-666"), or empty for protocols without ports.
	Ports string
}

// String prints the traffic as gcloud's --rules flag reads it, e.g. "udp:665-666".
func (t Traffic) String() string {
	if t.Ports == "" {
		return t.Protocol
	}
	return t.Protocol + ":" + t.Ports
}

// ConnectorIngressRequirements is the traffic a connector must be able to receive, as
// ConnectorRequirementsSource lists it: from the ranges Google's serverless infrastructure
// (Cloud Run, Cloud Run functions, App Engine standard) uses, which the page calls the NAT
// ranges, and from the health-check ranges. Without a rule allowing it, the implied deny
// ingress rule blocks this traffic; in a Shared VPC the host project's administrators
// create those rules. Treat the table as read-only.
var ConnectorIngressRequirements = []Requirement{
	{
		Name:      "serverless-to-vpc-connector",
		Direction: DirectionIngress,
		Ranges:    []string{"107.178.230.64/26", "35.199.224.0/19"},
		Traffic:   []Traffic{{"tcp", "667"}, {"udp", "665-666"}, {"icmp", ""}},
		Why:       "requests from Cloud Run reach the connector from these ranges; without them every request through the connector times out",
	},
	{
		Name:      "vpc-connector-health-checks",
		Direction: DirectionIngress,
		Ranges:    []string{"130.211.0.0/22", "35.191.0.0/16", "108.170.220.0/23"},
		Traffic:   []Traffic{{"tcp", "667"}},
		Why:       "Google's health checkers probe connector instances from these ranges; unhealthy instances are not used",
	},
}

// ConnectorEgressRequirements is the traffic a connector must be able to send back to the
// serverless infrastructure, as ConnectorRequirementsSource lists it. The implied allow
// egress rule covers it unless a deny egress rule gets in the way. Treat it as read-only.
var ConnectorEgressRequirements = []Requirement{
	{
		Name:      "vpc-connector-to-serverless",
		Direction: DirectionEgress,
		Ranges:    []string{"107.178.230.64/26", "35.199.224.0/19"},
		Traffic:   []Traffic{{"tcp", "667"}, {"udp", "665-666"}, {"icmp", ""}},
		Why:       "the connector answers the serverless infrastructure on these ranges; blocking them breaks every request through the connector",
	},
}

// RequirementStatus is the outcome of checking one Requirement.
type RequirementStatus string

// The outcomes of CheckConnector.
const (
	// RequirementAllowed: every packet the requirement covers is allowed (for egress, the
	// implied allow egress rule counts).
	RequirementAllowed RequirementStatus = "allowed"
	// RequirementBlocked: an explicit deny rule blocks some or all of the traffic.
	RequirementBlocked RequirementStatus = "blocked"
	// RequirementNotAllowed: no rule denies the traffic, but no rule allows all of it
	// either, so the implied deny ingress rule blocks some or all of it.
	RequirementNotAllowed RequirementStatus = "not-allowed"
)

// RequirementResult is what CheckConnector found for one Requirement.
type RequirementResult struct {
	Requirement Requirement
	Status      RequirementStatus
	// Partial is true when some of the requirement's traffic passes and some does not, e.g.
	// a deny rule for part of a range or one of two ports.
	Partial bool
	// Example is a packet of the requirement that does not pass (the zero Packet when the
	// status is RequirementAllowed), and Verdict the verdict on it: for RequirementBlocked
	// the deny rule, else the implied rule. When allowed, Verdict is the verdict on the
	// requirement's first packet.
	Example Packet
	Verdict Verdict
	// Uncertain is the first verdict on a packet of the requirement that a rule vpcdoctor
	// cannot evaluate might change (its Uncertain field says why), and UncertainExample
	// that packet; the zero values when every verdict is certain.
	Uncertain        Verdict
	UncertainExample Packet
}

// OK reports whether the requirement is met.
func (r RequirementResult) OK() bool { return r.Status == RequirementAllowed }

// String is one line for a person, e.g. "vpc-connector-health-checks: blocked: tcp:667
// from 35.191.0.0 blocked by deny-all (priority 900, deny all from 0.0.0.0/0)".
func (r RequirementResult) String() string {
	if r.OK() {
		return r.Requirement.Name + ": allowed"
	}
	peer := "from " + r.Example.Src.IP.String()
	if r.Requirement.Direction == DirectionEgress {
		peer = "to " + r.Example.Dst.IP.String()
	}
	status := string(r.Status)
	if r.Partial {
		status = "partly " + status
	}
	return fmt.Sprintf("%s: %s: %s %s %s", r.Requirement.Name, status,
		describePacketTraffic(r.Example), peer, r.Verdict.Reason)
}

func describePacketTraffic(p Packet) string {
	number, known := protocolNumber(strings.ToLower(p.Protocol))
	if known && hasPorts(number) {
		return fmt.Sprintf("%s:%d", p.Protocol, p.Port)
	}
	return p.Protocol
}

// CheckConnector checks ConnectorIngressRequirements and ConnectorEgressRequirements
// against the rules for a connector whose instances look like connector (usually
// Endpoint{Tags: ConnectorTags(region, name)}; give an IP from the connector's /28 when
// rules with destination or source ranges should see it). It returns one result per
// requirement, ingress first, in table order.
//
// The check is exact, not sampled: every rule's ranges and ports cut a requirement into
// pieces the rules treat alike, and one packet per piece is evaluated, so a deny rule for a
// single /32 inside a /16, or for one port of a range, is found.
func CheckConnector(rs *RuleSet, connector Endpoint) ([]RequirementResult, error) {
	var results []RequirementResult
	for _, table := range [][]Requirement{ConnectorIngressRequirements, ConnectorEgressRequirements} {
		for _, req := range table {
			result, err := CheckRequirement(rs, req, connector)
			if err != nil {
				return nil, err
			}
			results = append(results, result)
		}
	}
	return results, nil
}

// CheckRequirement checks one Requirement (from the tables or the caller's own) for the
// endpoint it is about, as CheckConnector does. It fails only on a malformed Requirement.
func CheckRequirement(rs *RuleSet, req Requirement, self Endpoint) (RequirementResult, error) {
	result := RequirementResult{Requirement: req, Status: RequirementAllowed}
	egress := req.Direction == DirectionEgress
	if !egress && req.Direction != DirectionIngress {
		return result, fmt.Errorf("requirement %s: direction %q is neither INGRESS nor EGRESS", req.Name, req.Direction)
	}
	rules := rs.allRules(egress)
	self.IP = self.IP.Unmap()

	passed, failed := 0, 0
	first := true
	for _, rangeText := range req.Ranges {
		peerRange, err := parseRange(rangeText)
		if err != nil {
			return result, fmt.Errorf("requirement %s: %w", req.Name, err)
		}
		for _, traffic := range req.Traffic {
			matcher, problems := parseProtocol(traffic.Protocol, portsOf(traffic))
			if len(problems) > 0 || matcher.all {
				return result, fmt.Errorf("requirement %s: traffic %q: want one protocol and valid ports", req.Name, traffic)
			}
			for _, peer := range cutPoints(peerRange, rules, egress) {
				for _, port := range portCutPoints(matcher, rules) {
					var p Packet
					var v Verdict
					if egress {
						p = Packet{Src: self, Dst: Endpoint{IP: peer}, Protocol: traffic.Protocol, Port: port}
						v = rs.Egress(p)
					} else {
						p = Packet{Src: Endpoint{IP: peer}, Dst: self, Protocol: traffic.Protocol, Port: port}
						v = rs.Ingress(p)
					}
					if first {
						result.Verdict, first = v, false
					}
					if v.Uncertain != "" && result.Uncertain.Uncertain == "" {
						result.Uncertain, result.UncertainExample = v, p
					}
					if v.Allowed {
						passed++
						continue
					}
					failed++
					// An explicit deny is the more useful thing to show: it names a rule to fix.
					if result.Status == RequirementAllowed || (result.Status == RequirementNotAllowed && v.Decided()) {
						result.Status = RequirementNotAllowed
						if v.Decided() {
							result.Status = RequirementBlocked
						}
						result.Example, result.Verdict = p, v
					}
				}
			}
		}
	}
	result.Partial = passed > 0 && failed > 0
	return result, nil
}

func portsOf(t Traffic) []string {
	if t.Ports == "" {
		return nil
	}
	return []string{t.Ports}
}

// cutPoints returns the first address of every piece into which the rules' peer-side
// ranges (sources for ingress, destinations for egress) cut peerRange. Prefixes either nest
// or are disjoint, so only rule prefixes strictly inside peerRange cut it, at their first
// address and just past their last.
func cutPoints(peerRange netip.Prefix, stages [][]compiledRule, egress bool) []netip.Addr {
	points := []netip.Addr{peerRange.Addr()}
	for _, rules := range stages {
		for i := range rules {
			ranges := rules[i].sourceRanges
			if egress {
				ranges = rules[i].destinationRanges
			}
			for _, r := range ranges {
				if r.Bits() <= peerRange.Bits() || !peerRange.Contains(r.Addr()) {
					continue
				}
				points = append(points, r.Addr())
				if next := lastAddr(r).Next(); next.IsValid() && peerRange.Contains(next) {
					points = append(points, next)
				}
			}
		}
	}
	slices.SortFunc(points, netip.Addr.Compare)
	return slices.Compact(points)
}

// portCutPoints does for ports what cutPoints does for addresses: the first port of every
// piece into which the rules' port ranges cut the requirement's ports. Protocols without
// ports have the single point 0.
func portCutPoints(required protocolMatcher, stages [][]compiledRule) []int {
	if !hasPorts(required.number) || len(required.ports) == 0 {
		return []int{0}
	}
	want := required.ports[0]
	points := []int{want.from}
	inside := func(port int) bool { return port > want.from && port <= want.to }
	for _, rules := range stages {
		for i := range rules {
			for _, m := range rules[i].protocols {
				for _, r := range m.ports {
					if inside(r.from) {
						points = append(points, r.from)
					}
					if inside(r.to + 1) {
						points = append(points, r.to+1)
					}
				}
			}
		}
	}
	slices.Sort(points)
	return slices.Compact(points)
}

// lastAddr returns the highest address in prefix.
func lastAddr(prefix netip.Prefix) netip.Addr {
	addr := prefix.Masked().Addr()
	bytes := addr.As16()
	offset := 0
	if addr.Is4() {
		offset = 96 // As16 holds an IPv4 address in its last four bytes
	}
	for bit := prefix.Bits() + offset; bit < 128; bit++ {
		bytes[bit/8] |= 1 << (7 - bit%8)
	}
	last := netip.AddrFrom16(bytes)
	if addr.Is4() {
		return last.Unmap()
	}
	return last
}
