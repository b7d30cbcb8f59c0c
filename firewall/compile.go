package firewall

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"cloud.google.com/go/compute/apiv1/computepb"
)

// This file turns API firewall rules into compiled rules: the API's defaults, validation,
// and the ranges, ports and protocols a rule names.

// directionOf applies the API default: a rule without a direction is an ingress rule.
func directionOf(fw *computepb.Firewall) string {
	if fw.Direction == nil {
		return DirectionIngress
	}
	return strings.ToUpper(fw.GetDirection())
}

// priorityOf applies the API default: a rule without a priority has priority 1000.
func priorityOf(fw *computepb.Firewall) int32 {
	if fw.Priority == nil {
		return defaultPriority
	}
	return fw.GetPriority()
}

// compile turns one API rule into one compiled rule per action. The API accepts either
// allowed or denied, never both; should a hand-written snapshot carry both, each half is
// kept (deny first, as at equal priority) and the mix is reported.
func compile(fw *computepb.Firewall) ([]compiledRule, error) {
	name := fw.GetName()
	if name == "" {
		name = "(unnamed)"
	}
	var problems []error
	report := func(format string, args ...any) {
		problems = append(problems, fmt.Errorf("firewall rule %s: "+format, append([]any{name}, args...)...))
	}

	direction := directionOf(fw)
	if direction != DirectionIngress && direction != DirectionEgress {
		report("direction %q is neither INGRESS nor EGRESS", fw.GetDirection())
		return nil, errors.Join(problems...)
	}
	priority := priorityOf(fw)
	if priority < 0 || priority > impliedPriority {
		report("priority %d is outside 0-65535", priority)
	}
	if len(fw.GetAllowed()) == 0 && len(fw.GetDenied()) == 0 {
		report("has neither allowed nor denied protocols, so it matches nothing")
	}
	if len(fw.GetTargetTags()) > 0 && len(fw.GetTargetServiceAccounts()) > 0 {
		// The API rejects the mix; appliesTo reads the tags.
		report("has both target tags and target service accounts; using the tags")
	}
	if len(fw.GetAllowed()) > 0 && len(fw.GetDenied()) > 0 {
		report("has both allowed and denied protocols; evaluating them as two rules")
	}

	base := compiledRule{
		source:                fw,
		action:                actionAllow,
		priority:              priority,
		targetTags:            fw.GetTargetTags(),
		targetServiceAccounts: fw.GetTargetServiceAccounts(),
		sourceTags:            fw.GetSourceTags(),
		sourceServiceAccounts: fw.GetSourceServiceAccounts(),
		sourceRangesSet:       len(fw.GetSourceRanges()) > 0,
		destinationRangesSet:  len(fw.GetDestinationRanges()) > 0,
		sourceRanges:          make([]netip.Prefix, 0, len(fw.GetSourceRanges())),
		destinationRanges:     make([]netip.Prefix, 0, len(fw.GetDestinationRanges())),
	}
	for _, text := range fw.GetSourceRanges() {
		prefix, err := parseRange(text)
		if err != nil {
			report("source range: %v", err)
			continue
		}
		base.sourceRanges = append(base.sourceRanges, prefix)
	}
	for _, text := range fw.GetDestinationRanges() {
		prefix, err := parseRange(text)
		if err != nil {
			report("destination range: %v", err)
			continue
		}
		base.destinationRanges = append(base.destinationRanges, prefix)
	}
	if direction == DirectionEgress && (len(base.sourceTags) > 0 || len(base.sourceServiceAccounts) > 0) {
		// The API rejects these; ignoring them keeps the rule's ranges meaningful.
		report("egress rule with source tags or service accounts; ignoring them")
		base.sourceTags, base.sourceServiceAccounts = nil, nil
	}

	compiled := make([]compiledRule, 0, 1)
	if denied := fw.GetDenied(); len(denied) > 0 {
		rule := base
		rule.deny, rule.action = true, actionDeny
		rule.protocols = make([]protocolMatcher, 0, len(denied))
		for _, entry := range denied {
			m, errs := parseProtocol(entry.GetIPProtocol(), entry.GetPorts())
			for _, err := range errs {
				report("denied: %v", err)
			}
			rule.protocols = append(rule.protocols, m)
		}
		compiled = append(compiled, rule)
	}
	if allowed := fw.GetAllowed(); len(allowed) > 0 {
		rule := base
		rule.protocols = make([]protocolMatcher, 0, len(allowed))
		for _, entry := range allowed {
			m, errs := parseProtocol(entry.GetIPProtocol(), entry.GetPorts())
			for _, err := range errs {
				report("allowed: %v", err)
			}
			rule.protocols = append(rule.protocols, m)
		}
		compiled = append(compiled, rule)
	}
	return compiled, errors.Join(problems...)
}

// parseRange reads a CIDR as the API stores it. It is lenient where the meaning is clear, so
// a hand-edited snapshot still means what its author meant: a bare address is one host and
// host bits set after the slash are ignored.
func parseRange(text string) (netip.Prefix, error) {
	text = strings.TrimSpace(text)
	if prefix, err := netip.ParsePrefix(text); err == nil {
		if prefix.Addr().Is4In6() && prefix.Bits() >= 96 {
			// Written as IPv4-mapped IPv6: the same hosts as the IPv4 prefix.
			prefix = netip.PrefixFrom(prefix.Addr().Unmap(), prefix.Bits()-96)
		}
		return prefix.Masked(), nil
	}
	if addr, err := netip.ParseAddr(text); err == nil {
		addr = addr.Unmap()
		return netip.PrefixFrom(addr, addr.BitLen()), nil
	}
	return netip.Prefix{}, fmt.Errorf("%q is not a CIDR range", text)
}
