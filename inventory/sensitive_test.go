package inventory_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// FuzzRedactSensitive: the redacted form of a sensitive environment value keeps what the
// checks judge (an endpoint's scheme, host, port and whether it carries a password) and
// never the value of an AUTH-named variable or a URL's password.
func FuzzRedactSensitive(f *testing.F) {
	for _, seed := range [][2]string{
		{"REDIS_HOST", "10.0.0.3"},
		{"REDIS_HOST", "10.0.0.3:6379"},
		{"REDIS_URL", "redis://:s3cret@10.0.0.3:6379/0"},
		{"REDIS_URL", "rediss://default:s3cret@[fd00::3]:6378"},
		{"REDIS_PORT", "6378"},
		{"REDIS_AUTH", "6a1f0d3e-auth-string"},
		{"REDIS_PASSWORD", "10.0.0.3"},
		{"CACHE", "redis.internal.example:6379"},
		{"OTHER", "not an endpoint"},
		{"EMPTY", "  "},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, name, value string) {
		got := inventory.RedactSensitive(name, value)
		trimmed := strings.TrimSpace(value)
		if trimmed == "" {
			if got != "" {
				t.Fatalf("empty value redacted to %q", got)
			}
			return
		}
		if inventory.LooksLikeAuthVar(name) && got != inventory.SensitivePlaceholder {
			t.Fatalf("AUTH-named %s kept as %q", name, got)
		}
		if u, err := url.Parse(got); err == nil && u.User != nil {
			if pw, set := u.User.Password(); set && pw != "REDACTED" {
				t.Fatalf("%q redacted to %q, which keeps a password", value, got)
			}
			if u.User.Username() != "" {
				t.Fatalf("%q redacted to %q, which keeps a user name", value, got)
			}
		}
		if got == inventory.SensitivePlaceholder || got == trimmed {
			return
		}
		want, ok := inventory.ParseEnvEndpoint(trimmed)
		have, ok2 := inventory.ParseEnvEndpoint(got)
		if !ok || !ok2 || want != have {
			t.Fatalf("%q redacted to %q: endpoint %+v (%v) became %+v (%v)", value, got, want, ok, have, ok2)
		}
	})
}
