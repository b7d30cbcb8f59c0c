package firewall

import (
	"strings"
	"testing"
)

// FuzzParseRange: firewall rule ranges as a snapshot or plan may hold them. A range that
// parses is masked and in the form netip prints; an error is one line.
func FuzzParseRange(f *testing.F) {
	for _, seed := range []string{"10.8.0.0/28", "10.8.0.1/28", "10.8.0.1", "::ffff:10.0.0.0/104", "::ffff:10.0.0.1", "2001:db8::/32",
		"10.0.0.0/33", "10.0.0.0/-1", "", " 0.0.0.0/0 ", "fe80::1%eth0/64", "010.0.0.0/8", "banana"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		prefix, err := parseRange(text)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\r\n") && !strings.ContainsAny(text, "\r\n") {
				t.Fatalf("error %q is not one line", err)
			}
			return
		}
		if prefix != prefix.Masked() {
			t.Fatalf("%q → %v is not masked", text, prefix)
		}
		if again, err := parseRange(prefix.String()); err != nil || again != prefix {
			t.Fatalf("%q → %v → %v, %v", text, prefix, again, err)
		}
	})
}
