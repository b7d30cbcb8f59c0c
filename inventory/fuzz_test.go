package inventory

import (
	"strings"
	"testing"

	"github.com/vpcdoctor/vpcdoctor/internal/inputtest"
)

// Fuzz targets for the normalisers. Their seed corpora are in testdata/fuzz (malformed
// names and ranges, control characters); `go test` runs the seeds, `go test -fuzz`
// explores. The invariants: no panic, bounded time, one-line errors. The loaders' targets
// sit with each loader.

// FuzzNames: resource names and self links in every form the parsers accept.
func FuzzNames(f *testing.F) {
	for _, seed := range []string{
		"projects/p/global/networks/n", "https://www.googleapis.com/compute/v1/projects/p/global/networks/n", "default",
		"projects/p/regions/r/subnetworks/s", "projects/p/locations/r/connectors/c", "projects/p/locations/r/instances/i",
		"projects//locations/r/connectors/c", "projects/p/zones/us-central1-a", "us-central1-a", "//compute.googleapis.com/projects/p/global/networks/n",
		"projects/p/global/networks/n\x1b[31m", "projects/p/global/networks/n\n::error::x", strings.Repeat("projects/", 1000),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		inputtest.Timed(t, func() {
			_ = RelativeName(s)
			_ = RegionOf(s)
			_ = ProjectOf(s)
			_ = RegionFromZone(s)
			if ref, err := ParseNetwork(s, "p"); err == nil && !ref.IsZero() {
				again, err := ParseNetwork(ref.String(), "p")
				if err != nil || again != ref {
					t.Fatalf("network %q → %q → %v, %v", s, ref, again, err)
				}
			}
			if ref, err := ParseConnector(s, "p", "r"); err == nil && !ref.IsZero() {
				again, err := ParseConnector(ref.String(), "p", "r")
				if err != nil || again != ref {
					t.Fatalf("connector %q → %q → %v, %v", s, ref, again, err)
				}
			}
			_, _ = ParseSubnet(s, "p", "r")
			_, _ = ParseLocation(s, "instances")
			_, _ = ParseLocation(s, "services")
		})
	})
}

// FuzzCIDR: IP ranges as validate reads them.
func FuzzCIDR(f *testing.F) {
	for _, seed := range []string{"10.8.0.0/28", "10.8.0.0/33", "10.8.0.1", "::ffff:10.0.0.0/104", "2001:db8::/32", " 10.0.0.0/8 ", "10.0.0.0/-1", "", "banana", "10.0.0.0/08"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if err := cidrField("ipCidrRange", s, true); err != nil && strings.ContainsAny(err.Error(), "\r\n") && !strings.ContainsAny(s, "\r\n") {
			t.Fatalf("error %q is not one line", err)
		}
	})
}

// FuzzEnvEndpoint: Redis endpoints in environment values, and the network-interfaces
// annotation.
func FuzzEnvEndpoint(f *testing.F) {
	for _, seed := range []string{
		"10.0.0.3", "10.0.0.3:6379", "redis://10.0.0.3:6379/0", "rediss://:p%40ss@10.0.0.3:6378", "redis://user:pw@host.example.com",
		"host.example.com:99999", "redis://[::1]:6379", "redis://%zz", "10.0.0.3:-1", "password", "host:port,password=x",
		`[{"network":"default","subnetwork":"s","tags":["a"]}]`, `[null]`, `{"network": 1}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		inputtest.Timed(t, func() {
			if ep, ok := ParseEnvEndpoint(s); ok {
				if ep.Port < 0 || ep.Port > 65535 {
					t.Fatalf("%q: port %d", s, ep.Port)
				}
				if ep.Host == "" {
					t.Fatalf("%q: ok without a host", s)
				}
			}
			_, _ = ParseNetworkInterfaces(s)
			_, _ = ParseEndpoint(s)
		})
	})
}
