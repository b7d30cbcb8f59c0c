package firewall

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"cloud.google.com/go/compute/apiv1/computepb"
)

// Policy is one firewall policy in effect on a network, as networks.getEffectiveFirewalls
// (and, for regional policies, regionNetworkFirewallPolicies.getEffectiveFirewalls)
// returns it: its rules already resolved for the network, its type saying where it sits in
// the evaluation order. The regional call's policy type has the same fields; convert it
// with FromRegional.
type Policy = computepb.NetworksGetEffectiveFirewallsResponseEffectiveFirewallPolicy

// The values of Policy.Type.
const (
	PolicyHierarchy       = "HIERARCHY"
	PolicyNetwork         = "NETWORK"
	PolicyNetworkRegional = "NETWORK_REGIONAL"
	PolicySystem          = "SYSTEM"
	PolicySystemGlobal    = "SYSTEM_GLOBAL"
	PolicySystemRegional  = "SYSTEM_REGIONAL"
)

// The values of computepb.Network.NetworkFirewallPolicyEnforcementOrder.
const (
	AfterClassicFirewall  = "AFTER_CLASSIC_FIREWALL"
	BeforeClassicFirewall = "BEFORE_CLASSIC_FIREWALL"
)

// The values of computepb.FirewallPolicyRule.Action for firewall rules.
const (
	ActionAllow                     = "allow"
	ActionDeny                      = "deny"
	ActionGotoNext                  = "goto_next"
	ActionApplySecurityProfileGroup = "apply_security_profile_group"
)

// Effective is everything that decides a network's traffic.
type Effective struct {
	// Rules are the network's VPC firewall rules.
	Rules []*computepb.Firewall
	// Policies are the firewall policies in effect on the network, hierarchical ones in
	// the order getEffectiveFirewalls lists them (the organization's first, then the
	// folders' down to the project).
	Policies []*Policy
	// EnforcementOrder is the network's networkFirewallPolicyEnforcementOrder; empty means
	// the default, AfterClassicFirewall.
	EnforcementOrder string
	// Network is the network's canonical name, projects/P/global/networks/N, which policy
	// rules' targetResources are compared with. Empty when unknown: a rule limited to some
	// networks then makes the verdict uncertain.
	Network string
}

// NewEffectiveRuleSet compiles the VPC firewall rules and firewall policies of a network
// into evaluation order (see the package documentation). Like NewRuleSet, the error joins
// one line per malformed value and the RuleSet is usable even then.
func NewEffectiveRuleSet(e Effective) (*RuleSet, error) {
	var problems []error
	vpc, err := vpcStage(e.Rules)
	if err != nil {
		problems = append(problems, err)
	}
	var hierarchy, system, network, regional []stage
	for _, policy := range e.Policies {
		if policy == nil {
			continue
		}
		st, err := policyStage(policy, e.Network)
		if err != nil {
			problems = append(problems, err)
		}
		switch strings.ToUpper(policy.GetType()) {
		case PolicyHierarchy:
			hierarchy = append(hierarchy, st)
		case PolicySystem, PolicySystemGlobal, PolicySystemRegional:
			system = append(system, st)
		case PolicyNetworkRegional:
			regional = append(regional, st)
		case PolicyNetwork:
			network = append(network, st)
		default:
			problems = append(problems, fmt.Errorf("firewall policy %s: unknown type %q; evaluated as a global network firewall policy", policyName(policy), policy.GetType()))
			network = append(network, st)
		}
	}
	// A network may have several network policies associated; their association priority
	// orders them (hierarchical policies keep the response's order).
	byAssociation := func(a, b stage) int { return cmp.Compare(a.policy.GetPriority(), b.policy.GetPriority()) }
	slices.SortStableFunc(network, byAssociation)
	slices.SortStableFunc(regional, byAssociation)

	stages := make([]stage, 0, len(hierarchy)+len(system)+len(network)+len(regional)+1)
	stages = append(stages, hierarchy...)
	stages = append(stages, system...)
	switch order := strings.ToUpper(e.EnforcementOrder); order {
	case BeforeClassicFirewall:
		stages = append(append(append(stages, network...), regional...), vpc)
	default:
		if order != "" && order != AfterClassicFirewall {
			problems = append(problems, fmt.Errorf("network firewall policy enforcement order %q is unknown; using %s", e.EnforcementOrder, AfterClassicFirewall))
		}
		stages = append(append(append(stages, vpc), network...), regional...)
	}
	return &RuleSet{stages: stages}, errors.Join(problems...)
}

// FromRegional converts a policy of regionNetworkFirewallPolicies.getEffectiveFirewalls.
func FromRegional(p *computepb.RegionNetworkFirewallPoliciesGetEffectiveFirewallsResponseEffectiveFirewallPolicy) *Policy {
	if p == nil {
		return nil
	}
	return &Policy{DisplayName: p.DisplayName, Name: p.Name, Priority: p.Priority, Rules: p.Rules, Type: p.Type}
}

// policyStage compiles the firewall rules of one policy (packet mirroring rules do not
// decide traffic and are ignored). Rules that cannot apply to the network's instances
// (disabled, another network, a load balancer target) are dropped here, once.
func policyStage(policy *Policy, network string) (stage, error) {
	st := stage{policy: policy}
	var problems []error
	for _, rule := range policy.GetRules() {
		if rule == nil || rule.GetDisabled() {
			continue
		}
		compiled, applies, err := compilePolicyRule(policy, rule, network)
		if err != nil {
			problems = append(problems, err)
		}
		if !applies {
			continue
		}
		if strings.EqualFold(rule.GetDirection(), DirectionEgress) {
			st.egress = append(st.egress, compiled)
		} else {
			st.ingress = append(st.ingress, compiled)
		}
	}
	slices.SortStableFunc(st.ingress, evaluationOrder)
	slices.SortStableFunc(st.egress, evaluationOrder)
	return st, errors.Join(problems...)
}

// compilePolicyRule parses one firewall policy rule. applies is false when the rule can
// never apply to the network's instances.
func compilePolicyRule(policy *Policy, rule *computepb.FirewallPolicyRule, network string) (compiledRule, bool, error) {
	var problems []error
	report := func(format string, args ...any) {
		problems = append(problems, fmt.Errorf("%s: "+format, append([]any{DescribePolicyRuleShort(policy, rule)}, args...)...))
	}
	match := rule.GetMatch()
	c := compiledRule{
		policy:                policy,
		policyRule:            rule,
		priority:              rule.GetPriority(),
		targetServiceAccounts: rule.GetTargetServiceAccounts(),
		sourceRangesSet:       len(match.GetSrcIpRanges()) > 0,
		destinationRangesSet:  len(match.GetDestIpRanges()) > 0,
	}
	switch strings.ToLower(rule.GetAction()) {
	case ActionAllow:
		c.action = actionAllow
	case ActionDeny:
		c.action, c.deny = actionDeny, true
	case ActionGotoNext:
		c.action = actionGotoNext
	case ActionApplySecurityProfileGroup:
		c.action = actionSecurityProfile
	default:
		report("action %q is not a firewall action; the rule is ignored", rule.GetAction())
		return c, false, errors.Join(problems...)
	}
	direction := strings.ToUpper(rule.GetDirection())
	if direction == "" {
		direction = DirectionIngress
	}
	if direction != DirectionIngress && direction != DirectionEgress {
		report("direction %q is neither INGRESS nor EGRESS; the rule is ignored", rule.GetDirection())
		return c, false, errors.Join(problems...)
	}
	if t := strings.ToUpper(rule.GetTargetType()); t != "" && t != "INSTANCES" {
		return c, false, nil // applies to load balancers' proxies, not to VMs
	}
	if targets := rule.GetTargetResources(); len(targets) > 0 {
		switch {
		case network == "":
			c.allUnknown = joinUnknown(c.allUnknown, "it targets networks "+describeList(targets)+" and the network is not known")
		case !slices.ContainsFunc(targets, func(t string) bool { return sameNetwork(t, network) }):
			return c, false, nil
		}
	}
	if len(rule.GetTargetSecureTags()) > 0 {
		c.allUnknown = joinUnknown(c.allUnknown, "targets secure tags")
	}

	for _, text := range match.GetSrcIpRanges() {
		prefix, err := parseRange(text)
		if err != nil {
			report("source range: %v", err)
			continue
		}
		c.sourceRanges = append(c.sourceRanges, prefix)
	}
	for _, text := range match.GetDestIpRanges() {
		prefix, err := parseRange(text)
		if err != nil {
			report("destination range: %v", err)
			continue
		}
		c.destinationRanges = append(c.destinationRanges, prefix)
	}

	// Sources of an ingress rule and destinations of an egress rule combine by OR: a
	// packet that misses the ranges may still match one of these.
	if direction == DirectionIngress {
		c.peerUnknown = unknownMatchers(
			"source address groups", len(match.GetSrcAddressGroups()),
			"source FQDNs", len(match.GetSrcFqdns()),
			"source geolocations", len(match.GetSrcRegionCodes()),
			"source threat intelligence lists", len(match.GetSrcThreatIntelligences()),
			"source secure tags", len(match.GetSrcSecureTags()),
		)
		if match.GetSrcNetworkType() != "" || len(match.GetSrcNetworks()) > 0 || match.GetSrcNetworkContext() != "" {
			c.allUnknown = joinUnknown(c.allUnknown, "a source network context")
		}
	} else {
		c.peerUnknown = unknownMatchers(
			"destination address groups", len(match.GetDestAddressGroups()),
			"destination FQDNs", len(match.GetDestFqdns()),
			"destination geolocations", len(match.GetDestRegionCodes()),
			"destination threat intelligence lists", len(match.GetDestThreatIntelligences()),
		)
		if match.GetDestNetworkType() != "" || match.GetDestNetworkContext() != "" {
			c.allUnknown = joinUnknown(c.allUnknown, "a destination network context")
		}
	}

	configs := match.GetLayer4Configs()
	if len(configs) == 0 {
		report("has no layer4Configs, so it matches nothing")
	}
	c.protocols = make([]protocolMatcher, 0, len(configs))
	for _, config := range configs {
		m, errs := parseProtocol(config.GetIpProtocol(), config.GetPorts())
		for _, err := range errs {
			report("layer4Configs: %v", err)
		}
		c.protocols = append(c.protocols, m)
	}
	return c, true, errors.Join(problems...)
}

// unknownMatchers lists the named matchers that have entries: pairs of name and count.
func unknownMatchers(pairs ...any) string {
	var names []string
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1].(int) > 0 {
			names = append(names, pairs[i].(string))
		}
	}
	return strings.Join(names, ", ")
}

func joinUnknown(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// sameNetwork compares a network reference as targetResources holds it (a full URL or a
// relative name) with a canonical projects/P/global/networks/N name.
func sameNetwork(reference, canonical string) bool {
	reference = strings.TrimRight(reference, "/")
	if i := strings.Index(reference, "projects/"); i >= 0 {
		reference = reference[i:]
	}
	return reference == canonical
}

// matchesPolicy evaluates a firewall policy rule: targets, then the peer side (sources of
// an ingress rule, destinations of an egress rule, with their unknown alternatives), then
// the other side's ranges and the protocols. Conditions vpcdoctor cannot evaluate turn a
// match into a maybe; they never make a rule match outright.
func (r *compiledRule) matchesPolicy(f *flow, egress bool) matchResult {
	target, peer := f.dst, f.src
	peerRanges, peerSet, otherRanges, otherSet := r.sourceRanges, r.sourceRangesSet, r.destinationRanges, r.destinationRangesSet
	if egress {
		target, peer = f.src, f.dst
		peerRanges, peerSet, otherRanges, otherSet = r.destinationRanges, r.destinationRangesSet, r.sourceRanges, r.sourceRangesSet
	}
	if len(r.targetServiceAccounts) > 0 && !sharesAny(r.targetServiceAccounts, target.ServiceAccounts) {
		return noMatch
	}
	if otherSet && !containsAddr(otherRanges, target.IP) {
		return noMatch
	}
	if !r.matchesProtocol(f) {
		return noMatch
	}
	result := match
	switch {
	case peerSet && containsAddr(peerRanges, peer.IP):
	case r.peerUnknown != "":
		result = maybeMatch
	case !peerSet && inAnyIPv4(peer.IP):
	default:
		return noMatch
	}
	if r.allUnknown != "" {
		result = maybeMatch
	}
	return result
}

// unknownReason says which matchers made a match uncertain.
func (r *compiledRule) unknownReason() string {
	reason := joinUnknown(r.peerUnknown, r.allUnknown)
	if r.peerUnknown != "" {
		reason = "it uses " + reason
	}
	return reason + ", which vpcdoctor cannot evaluate"
}

func (r *compiledRule) actionVerb() string {
	switch r.action {
	case actionDeny:
		return "block the traffic"
	case actionGotoNext:
		return "skip the rest of the policy (goto_next), which changes the outcome"
	case actionSecurityProfile:
		return "allow it at layers 3 and 4 (apply_security_profile_group)"
	}
	return "allow it"
}

// PolicyLevel names a policy's kind for people: "hierarchical firewall policy", ...
func PolicyLevel(policy *Policy) string {
	switch strings.ToUpper(policy.GetType()) {
	case PolicyHierarchy:
		return "hierarchical firewall policy"
	case PolicyNetwork:
		return "global network firewall policy"
	case PolicyNetworkRegional:
		return "regional network firewall policy"
	case PolicySystem, PolicySystemGlobal, PolicySystemRegional:
		return "system firewall policy"
	}
	return "firewall policy"
}

// PolicyName is the name people know a policy by: its short name, else its display name,
// else its name (a hierarchical policy's name is a number).
func PolicyName(policy *Policy) string { return policyName(policy) }

func policyName(policy *Policy) string {
	switch {
	case policy.GetShortName() != "":
		return policy.GetShortName()
	case policy.GetDisplayName() != "":
		return policy.GetDisplayName()
	case policy.GetName() != "":
		return policy.GetName()
	}
	return "(unnamed)"
}

// DescribePolicyRuleShort names a rule without its content, e.g. "rule 1000 of
// hierarchical firewall policy org-baseline".
func DescribePolicyRuleShort(policy *Policy, rule *computepb.FirewallPolicyRule) string {
	return fmt.Sprintf("rule %d of %s %s", rule.GetPriority(), PolicyLevel(policy), policyName(policy))
}

// DescribePolicyRule returns a one-line summary of a firewall policy rule, e.g.
//
//	rule 1000 of hierarchical firewall policy org-baseline (deny tcp:all to 10.0.0.0/8)
//
// with "from"/"to" as Describe prints them, the matchers vpcdoctor cannot evaluate named,
// and the targets (service accounts, secure tags, networks) when the rule has any.
func DescribePolicyRule(policy *Policy, rule *computepb.FirewallPolicyRule) string {
	if rule == nil {
		return "(no rule)"
	}
	match := rule.GetMatch()
	var entries []*computepb.Allowed
	for _, config := range match.GetLayer4Configs() {
		entries = append(entries, &computepb.Allowed{IPProtocol: config.IpProtocol, Ports: config.GetPorts()})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s %s", DescribePolicyRuleShort(policy, rule), strings.ToLower(rule.GetAction()), describeProtocols(entries))
	sources := append(append([]string{}, match.GetSrcIpRanges()...), prefixed("fqdn:", match.GetSrcFqdns())...)
	sources = append(sources, prefixed("address-group:", match.GetSrcAddressGroups())...)
	sources = append(sources, prefixed("region:", match.GetSrcRegionCodes())...)
	destinations := append(append([]string{}, match.GetDestIpRanges()...), prefixed("fqdn:", match.GetDestFqdns())...)
	destinations = append(destinations, prefixed("address-group:", match.GetDestAddressGroups())...)
	destinations = append(destinations, prefixed("region:", match.GetDestRegionCodes())...)
	if strings.EqualFold(rule.GetDirection(), DirectionEgress) {
		if len(sources) > 0 {
			b.WriteString(" from " + describeList(sources))
		}
		b.WriteString(" to " + orAnyIPv4(describeList(destinations)))
	} else {
		for _, tag := range match.GetSrcSecureTags() {
			sources = append(sources, "secure-tag:"+tag.GetName())
		}
		b.WriteString(" from " + orAnyIPv4(describeList(sources)))
		if len(destinations) > 0 {
			b.WriteString(" to " + describeList(destinations))
		}
	}
	var targets []string
	targets = append(targets, prefixed("sa:", rule.GetTargetServiceAccounts())...)
	for _, tag := range rule.GetTargetSecureTags() {
		targets = append(targets, "secure-tag:"+tag.GetName())
	}
	for _, network := range rule.GetTargetResources() {
		targets = append(targets, "network:"+shortName(network))
	}
	if len(targets) > 0 {
		b.WriteString(", targets " + describeList(targets))
	}
	b.WriteString(")")
	return b.String()
}

func shortName(name string) string {
	name = strings.TrimRight(name, "/")
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// allRules lists every compiled rule of every stage in one direction, for the cut
// points of CheckRequirement.
func (rs *RuleSet) allRules(egress bool) [][]compiledRule {
	if rs == nil {
		return nil
	}
	out := make([][]compiledRule, 0, len(rs.stages))
	for _, st := range rs.stages {
		if egress {
			out = append(out, st.egress)
		} else {
			out = append(out, st.ingress)
		}
	}
	return out
}
