package inventory

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/vpcdoctor/vpcdoctor/fixtures"
)

// Fuzz targets for every loader and normaliser. Their seed corpora are in testdata/fuzz
// (the hostile classes: alias cycles and bombs, merge keys, null plan entries, reference
// cycles, malformed ranges, negative counts, control characters) plus the built-in
// scenarios' files added below; `go test` runs the seeds, `go test -fuzz` explores. The
// invariants: no panic, bounded time, and any error is a one-line *InputError naming the
// file.

// fuzzBudget bounds one input: a loader that takes longer on a few KiB is a hang to fix.
const fuzzBudget = 2 * time.Second

// checkLoadError asserts the invariants of a loader's error.
func checkLoadError(t *testing.T, err error, path string) {
	t.Helper()
	if err == nil {
		return
	}
	var inErr *InputError
	if !errors.As(err, &inErr) {
		t.Fatalf("error %v (%T) is not an *InputError", err, err)
	}
	if msg := err.Error(); strings.ContainsAny(msg, "\r\n") || !strings.HasPrefix(msg, path) {
		t.Fatalf("error %q is not one line naming %s", msg, path)
	}
}

// timed fails when fn takes longer than the budget.
func timed(t *testing.T, fn func()) {
	t.Helper()
	start := time.Now()
	fn()
	if elapsed := time.Since(start); elapsed > fuzzBudget {
		t.Fatalf("took %v, more than %v", elapsed, fuzzBudget)
	}
}

// addScenarioFiles seeds a target with the files of every built-in scenario that pass keep.
func addScenarioFiles(f *testing.F, keep func(name string, data []byte) bool) {
	for _, s := range fixtures.Scenarios() {
		_ = fs.WalkDir(s.FS, ".", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			if data, err := fs.ReadFile(s.FS, path); err == nil && keep(path, data) {
				f.Add(data)
			}
			return nil
		})
	}
}

// FuzzSnapshotFile: any snapshot file (YAML or JSON, any resource shape).
func FuzzSnapshotFile(f *testing.F) {
	addScenarioFiles(f, func(string, []byte) bool { return true })
	f.Fuzz(func(t *testing.T, data []byte) {
		timed(t, func() {
			inv := &Inventory{}
			checkLoadError(t, inv.AddFile("snap/file.yaml", data), "snap/file.yaml")
		})
	})
}

// FuzzKnative: a Cloud Run service.yaml (Knative v1) converted to the v2 shape.
func FuzzKnative(f *testing.F) {
	addScenarioFiles(f, func(_ string, data []byte) bool { return strings.Contains(string(data), "kind: Service") })
	f.Fuzz(func(t *testing.T, data []byte) {
		timed(t, func() {
			docs, err := decodeDocuments(data)
			if err != nil {
				return
			}
			for _, doc := range docs {
				obj, ok := doc.value.(map[string]any)
				if !ok {
					continue
				}
				inv := &Inventory{}
				checkLoadError(t, inv.addKnativeService("service.yaml", doc.line, obj), "service.yaml")
			}
		})
	})
}

// FuzzServiceV2JSON: a Cloud Run v2 service (gcloud run services describe --format json
// of the v2 API, or a --service-file).
func FuzzServiceV2JSON(f *testing.F) {
	f.Add([]byte(`{"name": "projects/p/locations/us-central1/services/s", "template": {"vpcAccess": {"connector": "projects/p/locations/us-central1/connectors/c", "egress": "PRIVATE_RANGES_ONLY"}, "containers": [{"env": [{"name": "REDIS_HOST", "value": "10.0.0.3"}]}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		timed(t, func() {
			inv := &Inventory{}
			checkLoadError(t, inv.AddFile("service.json", data), "service.json")
		})
	})
}

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
		timed(t, func() {
			_ = trimSelfLink(s)
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
		timed(t, func() {
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
