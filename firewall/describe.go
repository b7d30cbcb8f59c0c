package firewall

import (
	"fmt"
	"strings"

	"cloud.google.com/go/compute/apiv1/computepb"
)

// describeListLimit bounds how many ranges, tags or service accounts Describe prints per
// list, so a rule with hundreds of ranges still fits on one line.
const describeListLimit = 5

// Describe returns a one-line summary of a rule for people, with the defaults the API
// applies filled in, e.g.
//
//	deny-all-egress (priority 900, deny tcp:all to 0.0.0.0/0)
//	allow-redis (priority 1000, allow tcp:6379 from 10.8.0.0/28, targets tag:redis-proxy)
//
// Ingress rules read "from SOURCES" (and "to RANGES" with destination ranges), egress rules
// "to DESTINATIONS" (and "from RANGES" with source ranges). Tags print as tag:NAME and
// service accounts as sa:EMAIL. Rules that apply to all instances print no targets.
func Describe(fw *computepb.Firewall) string {
	if fw == nil {
		return "(no rule)"
	}
	name := fw.GetName()
	if name == "" {
		name = "(unnamed)"
	}
	action, entries := "allow", fw.GetAllowed()
	if len(fw.GetDenied()) > 0 {
		action = "deny"
		entries = nil
		for _, entry := range fw.GetDenied() {
			entries = append(entries, &computepb.Allowed{IPProtocol: entry.IPProtocol, Ports: entry.GetPorts()})
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "%s (priority %d, %s %s", name, priorityOf(fw), action, describeProtocols(entries))
	if directionOf(fw) == DirectionEgress {
		if len(fw.GetSourceRanges()) > 0 {
			b.WriteString(" from " + describeList(fw.GetSourceRanges()))
		}
		b.WriteString(" to " + orAnyIPv4(describeList(fw.GetDestinationRanges())))
	} else {
		sources := append(append(append([]string{}, fw.GetSourceRanges()...),
			prefixed("tag:", fw.GetSourceTags())...),
			prefixed("sa:", fw.GetSourceServiceAccounts())...)
		b.WriteString(" from " + orAnyIPv4(describeList(sources)))
		if len(fw.GetDestinationRanges()) > 0 {
			b.WriteString(" to " + describeList(fw.GetDestinationRanges()))
		}
	}
	switch {
	case len(fw.GetTargetTags()) > 0:
		b.WriteString(", targets " + describeList(prefixed("tag:", fw.GetTargetTags())))
	case len(fw.GetTargetServiceAccounts()) > 0:
		b.WriteString(", targets " + describeList(prefixed("sa:", fw.GetTargetServiceAccounts())))
	}
	if fw.GetDisabled() {
		b.WriteString(", disabled")
	}
	b.WriteString(")")
	return b.String()
}

// describeProtocols prints entries the way gcloud's --rules flag reads them: "tcp:6379",
// "udp:665-666", "icmp", "all", with "tcp:all" for a port-carrying protocol without ports.
func describeProtocols(entries []*computepb.Allowed) string {
	if len(entries) == 0 {
		return "nothing"
	}
	var parts []string
	for _, entry := range entries {
		protocol := strings.ToLower(strings.TrimSpace(entry.GetIPProtocol()))
		number, known := protocolNumber(protocol)
		switch {
		case protocol == protocolAll:
			parts = append(parts, protocolAll)
		case len(entry.GetPorts()) > 0:
			for _, port := range entry.GetPorts() {
				parts = append(parts, protocol+":"+port)
			}
		case known && hasPorts(number):
			parts = append(parts, protocol+":all")
		default:
			parts = append(parts, protocol)
		}
	}
	return strings.Join(parts, ",")
}

func describeList(values []string) string {
	if len(values) <= describeListLimit {
		return strings.Join(values, ",")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(values[:describeListLimit], ","), len(values)-describeListLimit)
}

func orAnyIPv4(list string) string {
	if list == "" {
		return "0.0.0.0/0"
	}
	return list
}

func prefixed(prefix string, values []string) []string {
	out := make([]string, len(values))
	for i, value := range values {
		out[i] = prefix + value
	}
	return out
}
