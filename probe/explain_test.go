package probe

import (
	"os"
	"strings"
	"testing"

	"github.com/vpcdoctor/vpcdoctor/finding"
)

func TestEveryCauseIsExplained(t *testing.T) {
	seen := map[Cause]bool{}
	n := namesFor(Options{Host: "10.0.0.3", Port: 6379})
	for _, c := range Causes() {
		if seen[c] {
			t.Errorf("cause %q listed twice", c)
		}
		seen[c] = true
		if c == CauseCanceled {
			continue
		}
		r := remediation(c, n, Options{})
		if r == nil || r.Text == "" || len(r.Commands) == 0 {
			t.Errorf("cause %q has no remediation text and commands", c)
		}
	}
}

func TestEveryCauseIsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/probe.md")
	if err != nil {
		t.Fatalf("read the probe docs: %v", err)
	}
	for _, c := range Causes() {
		if !strings.Contains(string(doc), "\n### "+string(c)+"\n") {
			t.Errorf("docs/probe.md has no section \"### %s\"", c)
		}
	}
	for _, id := range []string{IDTCP, IDTLS, IDAuth, IDPing, IDLatency} {
		if !strings.Contains(string(doc), "`"+id+"`") {
			t.Errorf("docs/probe.md does not mention %s", id)
		}
	}
}

func TestCauseOf(t *testing.T) {
	if got := CauseOf(finding.Finding{Docs: DocsURL + "#noauth"}); got != CauseNoAuth {
		t.Errorf("CauseOf(noauth docs) = %q", got)
	}
	for _, docs := range []string{"", DocsURL, DocsURL + "#not-a-cause", "https://example.com/x#noauth"} {
		if got := CauseOf(finding.Finding{Docs: docs}); got != "" {
			t.Errorf("CauseOf(%q) = %q, want none", docs, got)
		}
	}
}

func TestRemediationUsesRealNames(t *testing.T) {
	opts := Options{
		Host:     "10.0.0.3",
		Service:  "projects/shop/locations/europe-west1/services/api",
		Instance: &Instance{Name: "projects/shop/locations/europe-west1/instances/cache"},
	}
	r := remediation(CauseNoAuth, namesFor(opts), opts)
	all := strings.Join(r.Commands, "\n")
	for _, want := range []string{"get-auth-string cache --region europe-west1 --project shop", "services update api --region europe-west1"} {
		if !strings.Contains(all, want) {
			t.Errorf("commands lack %q:\n%s", want, all)
		}
	}
}
