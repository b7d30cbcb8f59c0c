package firewall

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"cloud.google.com/go/compute/apiv1/computepb"
)

// The values of computepb.Firewall.Direction.
const (
	DirectionIngress = "INGRESS"
	DirectionEgress  = "EGRESS"
)

// The names Verdict.Implied takes when no rule matched.
const (
	ImpliedAllowEgress = "implied allow egress"
	ImpliedDenyIngress = "implied deny ingress"
)

const (
	// defaultPriority is what the API stores when a rule is created without a priority.
	defaultPriority = 1000
	// impliedPriority is the priority of the two implied rules, below every real rule.
	impliedPriority = 65535
)

// Endpoint is one side of a connection as firewall rules see it: its address, and the
// network tags and service accounts of the VM (or VM-like resource, such as a Serverless
// VPC Access connector instance) that owns the address. Tags and service accounts are empty
// for addresses outside the network, such as Google's health checkers.
type Endpoint struct {
	IP              netip.Addr
	Tags            []string
	ServiceAccounts []string
}

// Packet is the first packet of a connection: who sends it to whom, with which protocol and
// destination port.
type Packet struct {
	Src, Dst Endpoint
	// Protocol is a name the firewall API knows ("tcp", "udp", "icmp", ...) or an IP protocol
	// number ("6").
	Protocol string
	// Port is the destination port; it is ignored for protocols without ports.
	Port int
}

// Verdict is the firewall's decision on one packet in one direction, and why.
type Verdict struct {
	Allowed bool
	// Rule is the VPC firewall rule that decided, or nil when a firewall policy rule or an
	// implied rule decided.
	Rule *computepb.Firewall
	// Policy and PolicyRule are the firewall policy and its rule that decided, or nil when
	// a VPC firewall rule or an implied rule decided.
	Policy     *Policy
	PolicyRule *computepb.FirewallPolicyRule
	// Implied is ImpliedAllowEgress or ImpliedDenyIngress when no rule matched, else empty.
	Implied string
	// Reason is one line for a person, e.g.
	// "blocked by deny-all-egress (priority 900, deny tcp:all to 0.0.0.0/0)".
	Reason string
	// Uncertain is empty when the verdict is certain. Otherwise it says why it may be
	// wrong: a policy rule that uses a matcher vpcdoctor cannot evaluate (FQDNs, address
	// groups, geolocations, threat intelligence lists, secure tags, network contexts) might
	// match the packet, and would then change the outcome. UncertainPolicy and
	// UncertainRule name that rule.
	Uncertain       string
	UncertainPolicy *Policy
	UncertainRule   *computepb.FirewallPolicyRule
}

// String returns the verdict's Reason.
func (v Verdict) String() string { return v.Reason }

// Decided reports whether a rule (VPC rule or policy rule) decided, rather than an implied
// rule.
func (v Verdict) Decided() bool { return v.Rule != nil || v.PolicyRule != nil }

// RuleSet is what decides a network's traffic, validated and sorted once into evaluation
// order so that each evaluation is a single pass that stops at the first decision: the
// network's VPC firewall rules (NewRuleSet) and, with NewEffectiveRuleSet, the
// hierarchical and network firewall policies in effect on it, each a stage of its own.
// A RuleSet is immutable and safe for concurrent use; the zero value and nil hold no rules.
type RuleSet struct {
	stages []stage
}

// stage is one step of the evaluation order: the VPC firewall rules (policy nil) or one
// firewall policy, its rules sorted by priority.
type stage struct {
	policy  *Policy
	ingress []compiledRule
	egress  []compiledRule
}

// ruleAction is what a matching rule does.
type ruleAction uint8

const (
	actionAllow ruleAction = iota
	actionDeny
	// actionGotoNext ends the policy's evaluation and passes to the next stage.
	actionGotoNext
	// actionSecurityProfile (apply_security_profile_group) sends the connection to a
	// firewall endpoint for layer 7 inspection: allowed as far as layers 3 and 4 go.
	actionSecurityProfile
)

// compiledRule is one action of one computepb.Firewall, or one computepb.FirewallPolicyRule,
// with every string parsed.
type compiledRule struct {
	source   *computepb.Firewall
	deny     bool
	priority int32

	// Set for firewall policy rules only.
	policyRule *computepb.FirewallPolicyRule
	policy     *Policy
	action     ruleAction
	// peerUnknown names the peer-side matchers (sources of an ingress rule, destinations of
	// an egress rule) vpcdoctor cannot evaluate; they are alternatives to the ranges, so a
	// packet outside the ranges might still match. allUnknown names conditions that every
	// match also needs and vpcdoctor cannot evaluate (secure tag targets, network
	// contexts). Either makes a match "maybe".
	peerUnknown string
	allUnknown  string

	targetTags            []string
	targetServiceAccounts []string

	// A list is "set" when the rule names it, even if none of its entries parsed: a rule
	// whose ranges are all malformed must match nothing rather than fall back to 0.0.0.0/0.
	sourceRanges          []netip.Prefix
	sourceRangesSet       bool
	sourceTags            []string
	sourceServiceAccounts []string
	destinationRanges     []netip.Prefix
	destinationRangesSet  bool

	protocols []protocolMatcher
}

// NewRuleSet validates the rules and sorts them into evaluation order. Disabled rules are
// dropped. The error joins one line per malformed value (a bad CIDR, protocol, port or
// direction); the RuleSet is usable even then, with each malformed value matching nothing,
// so one broken rule does not hide what the others decide.
func NewRuleSet(rules []*computepb.Firewall) (*RuleSet, error) {
	vpc, err := vpcStage(rules)
	return &RuleSet{stages: []stage{vpc}}, err
}

// vpcStage compiles VPC firewall rules into one stage.
func vpcStage(rules []*computepb.Firewall) (stage, error) {
	// Sized up front: compiled rules are large, and regrowing the slices dominated the cost.
	ingressCount := 0
	for _, fw := range rules {
		if fw != nil && directionOf(fw) != DirectionEgress {
			ingressCount++
		}
	}
	st := stage{
		ingress: make([]compiledRule, 0, ingressCount),
		egress:  make([]compiledRule, 0, len(rules)-ingressCount),
	}
	var problems []error
	for _, fw := range rules {
		if fw == nil || fw.GetDisabled() {
			continue
		}
		compiled, err := compile(fw)
		if err != nil {
			problems = append(problems, err)
		}
		for _, rule := range compiled {
			if directionOf(fw) == DirectionEgress {
				st.egress = append(st.egress, rule)
			} else {
				st.ingress = append(st.ingress, rule)
			}
		}
	}
	// Stable, so rules that tie on priority and action keep the caller's order: the verdict
	// is the same whichever of them decides, and the named rule stays predictable.
	slices.SortStableFunc(st.ingress, evaluationOrder)
	slices.SortStableFunc(st.egress, evaluationOrder)
	return st, errors.Join(problems...)
}

// evaluationOrder puts higher priority (lower number) first and, at equal priority, deny
// before allow, so that "first match decides" also gives "deny wins ties".
func evaluationOrder(a, b compiledRule) int {
	if a.priority != b.priority {
		if a.priority < b.priority {
			return -1
		}
		return 1
	}
	switch {
	case a.deny == b.deny:
		return 0
	case a.deny:
		return -1
	default:
		return 1
	}
}

// EvaluateEgress compiles rules and evaluates p leaving its sender (p.Src is the target).
// Use NewRuleSet and RuleSet.Egress to evaluate many packets or to see malformed rules.
func EvaluateEgress(rules []*computepb.Firewall, p Packet) Verdict {
	rs, _ := NewRuleSet(rules)
	return rs.Egress(p)
}

// EvaluateIngress compiles rules and evaluates p arriving at its receiver (p.Dst is the
// target). Use NewRuleSet and RuleSet.Ingress to evaluate many packets or to see malformed
// rules.
func EvaluateIngress(rules []*computepb.Firewall, p Packet) Verdict {
	rs, _ := NewRuleSet(rules)
	return rs.Ingress(p)
}

// Egress evaluates p as it leaves its sender: the egress rules that target p.Src decide,
// stage by stage, else the implied allow egress rule.
func (rs *RuleSet) Egress(p Packet) Verdict {
	f := newFlow(p)
	return rs.evaluate(&f, true)
}

// Ingress evaluates p as it arrives at its receiver: the ingress rules that target p.Dst
// decide, stage by stage, else the implied deny ingress rule.
func (rs *RuleSet) Ingress(p Packet) Verdict {
	f := newFlow(p)
	return rs.evaluate(&f, false)
}

// matchResult is whether a rule matches a packet; maybe when it would match but for a
// matcher vpcdoctor cannot evaluate.
type matchResult uint8

const (
	noMatch matchResult = iota
	match
	maybeMatch
)

// maybeRules remembers, while walking the stages, the first rule of each kind of action
// that might have matched: after the decision they tell whether it is uncertain. Fixed
// fields rather than a slice keep evaluation free of allocations.
type maybeRules struct {
	allow, deny, gotoNext *compiledRule
	gotoNextStage         int
}

func (m *maybeRules) record(rule *compiledRule, stageIndex int) {
	switch rule.action {
	case actionAllow, actionSecurityProfile:
		if m.allow == nil {
			m.allow = rule
		}
	case actionDeny:
		if m.deny == nil {
			m.deny = rule
		}
	case actionGotoNext:
		if m.gotoNext == nil {
			m.gotoNext, m.gotoNextStage = rule, stageIndex
		}
	}
}

// decide walks the stages from the given one and returns the deciding rule (nil when the
// implied rule decides) and whether the packet is allowed.
func (rs *RuleSet) decide(f *flow, egress bool, from int, maybe *maybeRules) (*compiledRule, bool) {
	if rs == nil {
		return nil, egress
	}
stages:
	for s := from; s < len(rs.stages); s++ {
		rules := rs.stages[s].ingress
		if egress {
			rules = rs.stages[s].egress
		}
		for i := range rules {
			rule := &rules[i]
			switch rule.matches(f, egress) {
			case noMatch:
				continue
			case maybeMatch:
				if maybe != nil {
					maybe.record(rule, s)
				}
				continue
			}
			switch rule.action {
			case actionGotoNext:
				continue stages
			case actionDeny:
				return rule, false
			default:
				return rule, true
			}
		}
	}
	return nil, egress
}

func (rs *RuleSet) evaluate(f *flow, egress bool) Verdict {
	var maybe maybeRules
	rule, allowed := rs.decide(f, egress, 0, &maybe)
	var v Verdict
	switch {
	case rule != nil:
		v = ruleVerdict(rule)
	case egress:
		v = Verdict{
			Allowed: true,
			Implied: ImpliedAllowEgress,
			Reason:  "allowed by the implied allow egress rule (priority 65535): no egress rule matched",
		}
	default:
		v = Verdict{
			Allowed: false,
			Implied: ImpliedDenyIngress,
			Reason:  "blocked by the implied deny ingress rule (priority 65535): no ingress rule allows it",
		}
	}
	// A rule that might have matched makes the verdict uncertain only when its match would
	// change the outcome.
	var doubt *compiledRule
	switch {
	case allowed && maybe.deny != nil:
		doubt = maybe.deny
	case !allowed && maybe.allow != nil:
		doubt = maybe.allow
	case maybe.gotoNext != nil:
		if _, other := rs.decide(f, egress, maybe.gotoNextStage+1, nil); other != allowed {
			doubt = maybe.gotoNext
		}
	}
	if doubt != nil {
		v.UncertainPolicy, v.UncertainRule = doubt.policy, doubt.policyRule
		v.Uncertain = fmt.Sprintf("%s might match (%s), and would %s", DescribePolicyRule(doubt.policy, doubt.policyRule), doubt.unknownReason(), doubt.actionVerb())
	}
	return v
}

func ruleVerdict(rule *compiledRule) Verdict {
	if rule.policyRule != nil {
		v := Verdict{Allowed: rule.action != actionDeny, Policy: rule.policy, PolicyRule: rule.policyRule}
		switch rule.action {
		case actionDeny:
			v.Reason = "blocked by " + DescribePolicyRule(rule.policy, rule.policyRule)
		case actionSecurityProfile:
			v.Reason = "allowed at layers 3 and 4 by " + DescribePolicyRule(rule.policy, rule.policyRule) +
				"; the security profile group's layer 7 inspection may still drop it"
		default:
			v.Reason = "allowed by " + DescribePolicyRule(rule.policy, rule.policyRule)
		}
		return v
	}
	verb := "allowed by "
	if rule.deny {
		verb = "blocked by "
	}
	return Verdict{Allowed: !rule.deny, Rule: rule.source, Reason: verb + Describe(rule.source)}
}

// matches dispatches on the kind of rule: VPC firewall rules never match "maybe".
func (r *compiledRule) matches(f *flow, egress bool) matchResult {
	if r.policyRule != nil {
		return r.matchesPolicy(f, egress)
	}
	var ok bool
	if egress {
		ok = r.matchesEgress(f)
	} else {
		ok = r.matchesIngress(f)
	}
	if ok {
		return match
	}
	return noMatch
}

// flow is a Packet prepared once per evaluation, so the loop over rules does no parsing.
type flow struct {
	src, dst      Endpoint
	protocol      int
	protocolKnown bool
	port          int
}

// newFlow unmaps IPv4-mapped IPv6 addresses, so "::ffff:10.0.0.1" meets 10.0.0.0/8 as it
// does on the wire, and resolves the protocol name or number.
func newFlow(p Packet) flow {
	f := flow{src: p.Src, dst: p.Dst, port: p.Port}
	f.src.IP = f.src.IP.Unmap()
	f.dst.IP = f.dst.IP.Unmap()
	f.protocol, f.protocolKnown = protocolNumber(strings.ToLower(strings.TrimSpace(p.Protocol)))
	return f
}

func (r *compiledRule) matchesEgress(f *flow) bool {
	if !r.appliesTo(f.src) {
		return false
	}
	if r.destinationRangesSet {
		if !containsAddr(r.destinationRanges, f.dst.IP) {
			return false
		}
	} else if !inAnyIPv4(f.dst.IP) {
		return false
	}
	if r.sourceRangesSet && !containsAddr(r.sourceRanges, f.src.IP) {
		return false
	}
	return r.matchesProtocol(f)
}

func (r *compiledRule) matchesIngress(f *flow) bool {
	if !r.appliesTo(f.dst) {
		return false
	}
	if !r.matchesIngressSource(f.src) {
		return false
	}
	if r.destinationRangesSet && !containsAddr(r.destinationRanges, f.dst.IP) {
		return false
	}
	return r.matchesProtocol(f)
}

// matchesIngressSource is the OR of the three source kinds, per the API: "The connection
// does not need to match both fields for the rule to apply."
func (r *compiledRule) matchesIngressSource(src Endpoint) bool {
	if !r.sourceRangesSet && len(r.sourceTags) == 0 && len(r.sourceServiceAccounts) == 0 {
		return inAnyIPv4(src.IP)
	}
	return containsAddr(r.sourceRanges, src.IP) ||
		sharesAny(r.sourceTags, src.Tags) ||
		sharesAny(r.sourceServiceAccounts, src.ServiceAccounts)
}

func (r *compiledRule) appliesTo(target Endpoint) bool {
	switch {
	case len(r.targetTags) > 0:
		return sharesAny(r.targetTags, target.Tags)
	case len(r.targetServiceAccounts) > 0:
		return sharesAny(r.targetServiceAccounts, target.ServiceAccounts)
	default:
		return true
	}
}

func (r *compiledRule) matchesProtocol(f *flow) bool {
	for _, m := range r.protocols {
		if m.matches(f.protocol, f.protocolKnown, f.port) {
			return true
		}
	}
	return false
}

// inAnyIPv4 reports whether addr is in 0.0.0.0/0, the range an unset source (ingress) or
// destination (egress) stands for; IPv6 traffic needs an explicit ::/0.
func inAnyIPv4(addr netip.Addr) bool { return addr.Is4() }

func containsAddr(prefixes []netip.Prefix, addr netip.Addr) bool {
	for _, prefix := range prefixes {
		if prefix.Contains(addr) {
			return true
		}
	}
	return false
}

func sharesAny(ruleValues, endpointValues []string) bool {
	for _, value := range endpointValues {
		if slices.Contains(ruleValues, value) {
			return true
		}
	}
	return false
}
