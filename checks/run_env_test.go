package checks

import (
	"net/netip"
	"testing"
)

func TestParseEndpoint(t *testing.T) {
	for _, tc := range []struct {
		value    string
		ok       bool
		host     string
		port     int
		scheme   string
		password bool
	}{
		{"10.0.0.3", true, "10.0.0.3", 0, "", false},
		{"10.0.0.3:6378", true, "10.0.0.3", 6378, "", false},
		{"redis://10.0.0.3:6379/0", true, "10.0.0.3", 6379, "redis", false},
		{"rediss://:s3cret@10.0.0.3:6378", true, "10.0.0.3", 6378, "rediss", true},
		{"redis://default:s3cret@redis.internal.example:6379", true, "redis.internal.example", 6379, "redis", true},
		{"REDIS://10.0.0.3", true, "10.0.0.3", 0, "redis", false},
		{"redis.internal.example", true, "redis.internal.example", 0, "", false},
		{"redis.internal.example:6380", true, "redis.internal.example", 6380, "", false},
		{"hunter2", false, "", 0, "", false},
		{"", false, "", 0, "", false},
		{"not a host", false, "", 0, "", false},
	} {
		ev, ok := parseEndpoint(tc.value)
		if ok != tc.ok || ev.Host != tc.host || ev.Port != tc.port || ev.Scheme != tc.scheme || ev.Password != tc.password {
			t.Errorf("parseEndpoint(%q) = %+v, %v", tc.value, ev, ok)
		}
	}
}

func TestVariableNames(t *testing.T) {
	for _, tc := range []struct {
		name             string
		host, port, auth bool
	}{
		{"REDIS_HOST", true, false, false},
		{"REDISHOST", true, false, false},
		{"CACHE_REDIS_URL", true, false, false},
		{"REDIS_ADDR", true, false, false},
		{"REDIS_PORT", false, true, false},
		{"REDIS_AUTH", false, false, true},
		{"REDIS_PASSWORD", false, false, true},
		{"redis_auth_string", false, false, true},
		{"DATABASE_URL", false, false, false},
		{"PASSWORD", false, false, false},
	} {
		if got := looksLikeRedisHostVar(tc.name); got != tc.host {
			t.Errorf("looksLikeRedisHostVar(%s) = %v", tc.name, got)
		}
		if got := looksLikeRedisPortVar(tc.name); got != tc.port {
			t.Errorf("looksLikeRedisPortVar(%s) = %v", tc.name, got)
		}
		if got := looksLikeAuthVar(tc.name); got != tc.auth {
			t.Errorf("looksLikeAuthVar(%s) = %v", tc.name, got)
		}
	}
}

// TestPrintableHost guards the rule that a single word, which could be a password pasted
// into the wrong variable, is never echoed.
func TestPrintableHost(t *testing.T) {
	for host, printed := range map[string]bool{"10.0.0.3": true, "redis.internal.example": true, "hunter2": false} {
		if got := printableHost(host) == host; got != printed {
			t.Errorf("printableHost(%q) printed=%v, want %v", host, got, printed)
		}
	}
}

func TestDirectVPCSubnetArithmetic(t *testing.T) {
	for cidr, want := range map[string]int{"10.0.0.0/26": 60, "10.0.0.0/27": 28, "10.128.0.0/20": 4092, "10.0.0.0/30": 0} {
		if got := usableAddresses(netip.MustParsePrefix(cidr)); got != want {
			t.Errorf("usableAddresses(%s) = %d, want %d", cidr, got, want)
		}
	}
	for need, want := range map[int]int{10: 26, 60: 26, 61: 25, 100: 25, 200: 24, 4092: 20} {
		if got := prefixFor(need); got != want {
			t.Errorf("prefixFor(%d) = /%d, want /%d", need, got, want)
		}
	}
}
