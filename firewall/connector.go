package firewall

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/protobuf/proto"
)

// ConnectorRequirementsSource is the page that lists the firewall rules a Serverless VPC
// Access connector in a Shared VPC service project needs from the host project's admins
// (section "Firewall rules for connectors in service projects"). Connectors in the network's
// own project get Google's rules instead (ConnectorAutoRules).
const ConnectorRequirementsSource = "https://cloud.google.com/run/docs/configuring/shared-vpc-service-projects#firewall-rules-shared-vpc"

// ConnectorAutoRulesSource is the page that documents the firewall rules Serverless VPC
// Access creates for a connector in its network's own project.
const ConnectorAutoRulesSource = "https://cloud.google.com/vpc/docs/serverless-vpc-access#firewall-rules"

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

// The ranges the connector's traffic comes from and goes back to, as the current
// documentation lists them (ConnectorRequirementsSource, ConnectorAutoRulesSource).
const (
	// ServerlessRange is where Google's serverless infrastructure (Cloud Run, Cloud Run
	// functions, App Engine standard) sends the connector its requests from.
	ServerlessRange = "35.199.224.0/19"
)

// healthCheckRanges are the ranges Google's health checkers probe connector instances from.
var healthCheckRanges = []string{"35.191.0.0/16", "35.191.192.0/18", "130.211.0.0/22"}

// legacyConnectorRanges are ranges older pages also list for connectors in service projects
// (107.178.230.64/26 as a serverless range, 108.170.220.0/23 as a health-check range). The
// current pages do not: rules allowing them are accepted, never required.
var legacyConnectorRanges = []string{"107.178.230.64/26", "108.170.220.0/23"}

// HealthCheckRanges returns the documented health-check ranges (a fresh slice).
func HealthCheckRanges() []string { return append([]string(nil), healthCheckRanges...) }

// LegacyConnectorRanges returns the ranges older pages list and current ones do not.
func LegacyConnectorRanges() []string { return append([]string(nil), legacyConnectorRanges...) }

// connectorTraffic is what the serverless infrastructure and the connector exchange.
var connectorTraffic = []Traffic{{"tcp", "667"}, {"udp", "665-666"}, {"icmp", ""}}

// ConnectorIngressRequirements returns the traffic a connector must be able to receive:
// from Google's serverless infrastructure and from the health checkers. In the network's
// own project Google's priority-100 rules allow it (ConnectorAutoRules); for a connector
// in a Shared VPC service project the host project's admins must allow it, else the
// implied deny ingress rule blocks it.
func ConnectorIngressRequirements() []Requirement {
	return []Requirement{
		{
			Name:      "serverless-to-vpc-connector",
			Direction: DirectionIngress,
			Ranges:    []string{ServerlessRange},
			Traffic:   append([]Traffic(nil), connectorTraffic...),
			Why:       "requests from Cloud Run reach the connector from this range; without it every request through the connector times out",
		},
		{
			Name:      "vpc-connector-health-checks",
			Direction: DirectionIngress,
			Ranges:    HealthCheckRanges(),
			Traffic:   []Traffic{{"tcp", "667"}},
			Why:       "Google's health checkers probe connector instances from these ranges; unhealthy instances are not used",
		},
	}
}

// ConnectorEgressRequirements returns the traffic a connector must be able to send back to
// the serverless infrastructure. The implied allow egress rule (and in the network's own
// project Google's earfw rule) covers it unless a deny egress rule outranks them.
func ConnectorEgressRequirements() []Requirement {
	return []Requirement{
		{
			Name:      "vpc-connector-to-serverless",
			Direction: DirectionEgress,
			Ranges:    []string{ServerlessRange},
			Traffic:   append([]Traffic(nil), connectorTraffic...),
			Why:       "the connector answers the serverless infrastructure on this range; blocking it breaks every request through the connector",
		},
	}
}

// AutoRulePriority is the priority of Google's rules that let a connector work (hcfw,
// rsgfw, earfw, egrfw): only a deny rule at this priority or a lower number, or a
// firewall policy evaluated before the VPC rules, outranks them.
const AutoRulePriority int32 = 100

// The suffixes of the rules Serverless VPC Access creates for a connector in its network's
// own project, aet-REGION-NAME-SUFFIX (ConnectorAutoRulesSource).
const (
	AutoRuleHealthChecks = "hcfw"   // ingress allow tcp:667 from the health-check ranges, priority 100
	AutoRuleServerless   = "rsgfw"  // ingress allow tcp:667, udp:665-666, icmp from 35.199.224.0/19, priority 100
	AutoRuleEgressAllow  = "earfw"  // egress allow of the same traffic to 35.199.224.0/19, priority 100
	AutoRuleEgressDeny   = "egrfw"  // egress deny of every other tcp and udp port to 35.199.224.0/19, priority 100
	AutoRuleSubnet       = "sbntfw" // ingress allow of everything from the connector's range, priority 1000
	AutoRuleTag          = "tagfw"  // ingress allow of everything from the connector's tag, priority 1000
)

// AutoRuleSuffixes lists the suffixes in the order the documentation's table gives them.
func AutoRuleSuffixes() []string {
	return []string{AutoRuleHealthChecks, AutoRuleServerless, AutoRuleEgressAllow, AutoRuleEgressDeny, AutoRuleSubnet, AutoRuleTag}
}

// autoRuleStem is the part of an automatic rule's name before the suffix:
// aet-REGION-NAME with the region's hyphens removed and the connector name's hyphens
// doubled, as the rules Google creates are named (aet-uscentral1-redis--connector-...).
func autoRuleStem(region, connectorName string) string {
	return "aet-" + strings.ReplaceAll(region, "-", "") + "-" + strings.ReplaceAll(connectorName, "-", "--")
}

// AutoRuleStem is the name of the connector's automatic rules without their suffix,
// aet-REGION-NAME (before any shortening), e.g. aet-uscentral1-redis--connector.
func AutoRuleStem(region, connectorName string) string { return autoRuleStem(region, connectorName) }

// maxRuleName is the longest name Compute Engine accepts for a resource.
const maxRuleName = 63

// AutoRuleName is the name Google gives a connector's automatic rule with the suffix, its
// stem shortened to fit Compute Engine's 63 characters.
func AutoRuleName(region, connectorName, suffix string) string {
	stem := autoRuleStem(region, connectorName)
	if room := maxRuleName - len(suffix) - 1; len(stem) > room {
		stem = strings.TrimRight(stem[:room], "-")
	}
	return stem + "-" + suffix
}

// AutoRuleSuffix reports whether ruleName is one of the automatic rules of the connector
// and which: its name is the connector's stem (or a shortened stem: real names are cut)
// followed by a documented suffix.
func AutoRuleSuffix(ruleName, region, connectorName string) (string, bool) {
	stem := autoRuleStem(region, connectorName)
	for _, suffix := range AutoRuleSuffixes() {
		head, ok := strings.CutSuffix(ruleName, "-"+suffix)
		if !ok {
			continue
		}
		regionPart := "aet-" + strings.ReplaceAll(region, "-", "") + "-"
		// A shortened stem is one cut to fit maxRuleName (trailing hyphens dropped).
		shortened := len(stem)+1+len(suffix) > maxRuleName && len(head)+1+len(suffix) >= maxRuleName-2
		if head == stem || (shortened && len(head) > len(regionPart) && strings.HasPrefix(stem, head)) {
			return suffix, true
		}
	}
	return "", false
}

// ConnectorAutoRules returns the rules Serverless VPC Access creates for a connector in its
// network's own project, as the documentation's table describes them, for a network
// (projects/P/global/networks/N or its URL) and the connector's range. A caller adds those
// missing from what it was given when it knows they exist but cannot see them.
func ConnectorAutoRules(network, region, connectorName, connectorRange string) []*computepb.Firewall {
	unique := ConnectorUniqueTag(region, connectorName)
	ports := func(t []Traffic) []*computepb.Allowed {
		out := make([]*computepb.Allowed, 0, len(t))
		for _, tr := range t {
			a := &computepb.Allowed{IPProtocol: proto.String(tr.Protocol)}
			if tr.Ports != "" {
				a.Ports = []string{tr.Ports}
			}
			out = append(out, a)
		}
		return out
	}
	rule := func(suffix, direction string, priority int32) *computepb.Firewall {
		return &computepb.Firewall{
			Name:      proto.String(AutoRuleName(region, connectorName, suffix)),
			Network:   proto.String(network),
			Direction: proto.String(direction),
			Priority:  proto.Int32(priority),
		}
	}
	hc := rule(AutoRuleHealthChecks, DirectionIngress, AutoRulePriority)
	hc.Allowed, hc.SourceRanges, hc.TargetTags = ports([]Traffic{{"tcp", "667"}}), HealthCheckRanges(), []string{unique}
	rsg := rule(AutoRuleServerless, DirectionIngress, AutoRulePriority)
	rsg.Allowed, rsg.SourceRanges, rsg.TargetTags = ports(connectorTraffic), []string{ServerlessRange}, []string{unique}
	ear := rule(AutoRuleEgressAllow, DirectionEgress, AutoRulePriority)
	ear.Allowed, ear.DestinationRanges, ear.TargetTags = ports(connectorTraffic), []string{ServerlessRange}, []string{unique}
	egr := rule(AutoRuleEgressDeny, DirectionEgress, AutoRulePriority)
	egr.Denied = []*computepb.Denied{
		{IPProtocol: proto.String("tcp"), Ports: []string{"0-666", "668-65535"}},
		{IPProtocol: proto.String("udp"), Ports: []string{"0-664", "667-65535"}},
	}
	egr.DestinationRanges, egr.TargetTags = []string{ServerlessRange}, []string{unique}
	sbnt := rule(AutoRuleSubnet, DirectionIngress, 1000)
	sbnt.Allowed = []*computepb.Allowed{{IPProtocol: proto.String("all")}}
	if connectorRange != "" {
		sbnt.SourceRanges = []string{connectorRange}
	}
	tag := rule(AutoRuleTag, DirectionIngress, 1000)
	tag.Allowed, tag.SourceTags = []*computepb.Allowed{{IPProtocol: proto.String("all")}}, []string{unique}
	rules := []*computepb.Firewall{hc, rsg, ear, egr, tag}
	if connectorRange != "" {
		rules = append(rules[:4], sbnt, tag)
	}
	return rules
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
	for _, table := range [][]Requirement{ConnectorIngressRequirements(), ConnectorEgressRequirements()} {
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
