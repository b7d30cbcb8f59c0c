package inventory

import (
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// EnvEndpoint is what an environment value says about a Redis endpoint. It keeps what was
// parsed out of the value, never the value itself, so nothing secret travels further.
type EnvEndpoint struct {
	// Host is the parsed host: an IP address or a DNS name.
	Host string
	// Port is the parsed port, 0 when the value carries none.
	Port int
	// Scheme is "redis" or "rediss" for URLs, "" otherwise.
	Scheme string
	// Password is true when a URL carries a password in its user info.
	Password bool
}

var dnsNameRe = regexp.MustCompile(`^(?i:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.(?i:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?))+\.?$`)

// ParseEnvEndpoint reads a Redis endpoint out of an environment value: a redis:// or
// rediss:// URL, an IP, IP:port, a dotted DNS name or name:port. ok is false when the
// value is none of these (a single word could be a password, so it never counts).
func ParseEnvEndpoint(value string) (ep EnvEndpoint, ok bool) {
	value = strings.TrimSpace(value)
	lower := strings.ToLower(value)
	if strings.HasPrefix(lower, "redis://") || strings.HasPrefix(lower, "rediss://") {
		u, err := url.Parse(value)
		if err != nil {
			return EnvEndpoint{}, false
		}
		ep.Scheme = strings.ToLower(u.Scheme)
		ep.Host = u.Hostname()
		if _, set := u.User.Password(); set {
			ep.Password = true
		}
		if port := u.Port(); port != "" {
			n, ok := parsePort(port)
			if !ok {
				return EnvEndpoint{}, false // not a port: reported as unparsed, never as real
			}
			ep.Port = n
		}
		return ep, ep.Host != ""
	}
	if addr, err := netip.ParseAddr(value); err == nil {
		return EnvEndpoint{Host: addr.String()}, true
	}
	if host, port, err := net.SplitHostPort(value); err == nil {
		n, ok := parsePort(port)
		if ok && (IsIP(host) || IsDNSName(host)) {
			return EnvEndpoint{Host: host, Port: n}, true
		}
		return EnvEndpoint{}, false
	}
	if IsDNSName(value) {
		return EnvEndpoint{Host: value}, true
	}
	return EnvEndpoint{}, false
}

// parsePort reads a TCP port, 1 to 65535.
func parsePort(s string) (int, bool) {
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil || n == 0 {
		return 0, false
	}
	return int(n), true
}

// IsIP reports whether s is an IP address.
func IsIP(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}

// IsDNSName reports whether s is a dotted DNS name.
func IsDNSName(s string) bool { return dnsNameRe.MatchString(s) }
