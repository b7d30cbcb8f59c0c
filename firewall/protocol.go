package firewall

import (
	"fmt"
	"strconv"
	"strings"
)

// protocolAll is the IPProtocol value that matches every protocol.
const protocolAll = "all"

// protocolNumber returns the IANA number of a protocol given by name or number, and false
// when it is neither a name the firewall API accepts nor a number from 0 to 255. Comparing
// numbers lets a rule for "6" and a packet for "tcp" (or the reverse) meet.
func protocolNumber(protocol string) (int, bool) {
	switch protocol {
	case "icmp":
		return 1, true
	case "ipip":
		return 4, true
	case "tcp":
		return 6, true
	case "udp":
		return 17, true
	case "esp":
		return 50, true
	case "ah":
		return 51, true
	case "sctp":
		return 132, true
	}
	number, err := strconv.Atoi(protocol)
	if err != nil || number < 0 || number > 255 {
		return 0, false
	}
	return number, true
}

// hasPorts reports whether ports mean anything for the protocol: the API only applies
// ports to TCP, UDP and SCTP.
func hasPorts(number int) bool { return number == 6 || number == 17 || number == 132 }

// portRange is an inclusive range of ports; a single port has from == to.
type portRange struct{ from, to int }

// protocolMatcher is one allowed[] or denied[] entry: a protocol and the ports it covers.
type protocolMatcher struct {
	all    bool // "all": every protocol, every port
	number int  // IANA protocol number when !all
	valid  bool // false when the protocol was malformed: the entry matches nothing
	ports  []portRange
	// portsSet records that the entry listed ports, so one whose ports are all malformed
	// matches no port instead of every port.
	portsSet bool
}

// parseProtocol reads one allowed[]/denied[] entry. Malformed ports are reported and left
// out; the other ports of the entry still count.
func parseProtocol(protocol string, ports []string) (protocolMatcher, []error) {
	protocol = strings.ToLower(strings.TrimSpace(protocol))
	if protocol == protocolAll {
		return protocolMatcher{all: true, valid: true}, nil
	}
	number, ok := protocolNumber(protocol)
	if !ok {
		return protocolMatcher{}, []error{fmt.Errorf("unknown protocol %q", protocol)}
	}
	matcher := protocolMatcher{number: number, valid: true, portsSet: len(ports) > 0, ports: make([]portRange, 0, len(ports))}
	var problems []error
	for _, text := range ports {
		r, err := parsePortRange(text)
		if err != nil {
			problems = append(problems, fmt.Errorf("protocol %s: %w", protocol, err))
			continue
		}
		matcher.ports = append(matcher.ports, r)
	}
	return matcher, problems
}

// parsePortRange reads "443" or "6000-7000".
func parsePortRange(text string) (portRange, error) {
	text = strings.TrimSpace(text)
	fromText, toText, isRange := strings.Cut(text, "-")
	from, errFrom := strconv.Atoi(strings.TrimSpace(fromText))
	to := from
	var errTo error
	if isRange {
		to, errTo = strconv.Atoi(strings.TrimSpace(toText))
	}
	if errFrom != nil || errTo != nil || from < 0 || to > 65535 || from > to {
		return portRange{}, fmt.Errorf("%q is not a port or port range", text)
	}
	return portRange{from: from, to: to}, nil
}

// matches reports whether a packet of the protocol with IANA number protocol (known false
// when the packet named no protocol the API knows) to port falls in the entry.
func (m protocolMatcher) matches(protocol int, known bool, port int) bool {
	if !m.valid {
		return false
	}
	if m.all {
		return true
	}
	if !known || protocol != m.number {
		return false
	}
	if !m.portsSet || !hasPorts(protocol) {
		return true
	}
	for _, r := range m.ports {
		if port >= r.from && port <= r.to {
			return true
		}
	}
	return false
}
