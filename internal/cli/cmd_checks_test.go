package cli

import (
	"strings"
	"testing"

	"github.com/vpcdoctor/vpcdoctor/checks"
)

func TestCataloguePrinted(t *testing.T) {
	code, out, _ := runCLI(t, "checks")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, id := range []string{"run.vpc-egress", "connector.range", "redis.region"} {
		if !strings.Contains(out, id) {
			t.Errorf("checks output lacks %s", id)
		}
	}
	code, out, _ = runCLI(t, "explain", "connector.range")
	if code != 0 || !strings.Contains(out, "connector.range") {
		t.Errorf("explain: exit %d, %q", code, out)
	}
	code, out, _ = runCLI(t, "explain", "probe.tls")
	if code != 0 || !strings.Contains(out, "TLS handshake") || !strings.Contains(out, "docs/probe.md") {
		t.Errorf("explain probe.tls: exit %d, %q", code, out)
	}
	code, out, _ = runCLI(t, "demo")
	if code != 0 || !strings.Contains(out, "healthy") || !strings.Contains(out, "connector-network") {
		t.Errorf("demo list: exit %d, %q", code, out)
	}
}

// TestReadmeListsCatalogue keeps the README's table of checks complete.
func TestReadmeListsCatalogue(t *testing.T) {
	readme := mustRead(t, repoPath("README.md"))
	for _, check := range checks.Catalogue() {
		if !strings.Contains(readme, "`"+check.ID+"`") {
			t.Errorf("README.md does not list %s", check.ID)
		}
	}
}
