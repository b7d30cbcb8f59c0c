package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/vpcdoctor/vpcdoctor/finding"
)

func TestGitHubEscaping(t *testing.T) {
	tests := []struct{ in, data, property string }{
		{"plain", "plain", "plain"},
		{"100% done", "100%25 done", "100%25 done"},
		{"line1\nline2\r\n", "line1%0Aline2%0D%0A", "line1%0Aline2%0D%0A"},
		{"a: b, c", "a: b, c", "a%3A b%2C c"},
		{"%0A is literal", "%250A is literal", "%250A is literal"}, // already-escaped text stays literal
	}
	for _, tt := range tests {
		if got := escapeGitHubData(tt.in); got != tt.data {
			t.Errorf("escapeGitHubData(%q) = %q, want %q", tt.in, got, tt.data)
		}
		if got := escapeGitHubProperty(tt.in); got != tt.property {
			t.Errorf("escapeGitHubProperty(%q) = %q, want %q", tt.in, got, tt.property)
		}
	}
}

// unescapeGitHub is what the Actions runner does to a command's message.
func unescapeGitHub(s string) string {
	return strings.NewReplacer("%0D", "\r", "%0A", "\n", "%3A", ":", "%2C", ",", "%25", "%").Replace(s)
}

var annotationRe = regexp.MustCompile(`^::(error|warning|notice) ((?:[a-z]+=[^,:]*,?)+)::(.*)$`)

func TestGitHubAnnotations(t *testing.T) {
	tests := []struct {
		c    goldenCase
		want map[string]string // check id → command, for the findings the scenario is about
		file string
	}{
		{c: goldenCase{scenario: "healthy"}, want: map[string]string{}},
		{c: goldenCase{scenario: "connector-missing"}, want: map[string]string{"connector.found": "error"}},
		{c: goldenCase{scenario: "connector-creating"}, want: map[string]string{"connector.ready": "warning"}},
		{c: goldenCase{scenario: "missing-subnets"}, want: map[string]string{"connector.range": "notice"}},
		{c: goldenCase{scenario: "connector-network", ignore: []string{"connector.network"}}, want: map[string]string{"connector.network": "notice"}},
		{c: goldenCase{scenario: "connector-network", planInput: "infra/plan,v2.json"}, want: map[string]string{"connector.network": "error"}, file: "infra/plan,v2.json"},
	}
	for _, tt := range tests {
		doc := scenarioDocument(t, tt.c)
		checkAnnotations(t, tt.c.scenario, doc, tt.want, func(finding.Finding) string { return tt.file })
	}
	// Each annotation is on the file its finding's resource was read from, else on the plan
	// of a deploy check, else on none.
	for _, planInput := range []string{"", "infra/plan.json"} {
		doc := withSources(multiHopDocument(t, goldenCase{scenario: "connector-network", planInput: planInput}),
			map[finding.Hop]string{finding.HopConnector: "snapshot/connector.yaml", finding.HopRedis: "snapshot/redis.yaml"})
		want := map[string]string{"connector.network": "error", "run.cold-start": "warning", "redis.region": "warning"}
		checkAnnotations(t, "findings with sources, plan "+planInput, doc, want, func(f finding.Finding) string {
			if f.Source != "" {
				return f.Source
			}
			return planInput
		})
	}
}

// checkAnnotations parses WriteGitHub's output for doc: one workflow command per finding
// that asks for attention, on the file wantFile names, with a message that round-trips,
// then the summary.
func checkAnnotations(t *testing.T, name string, doc *Document, want map[string]string, wantFile func(finding.Finding) string) {
	t.Helper()
	out := render(t, func(w *bytes.Buffer) error { return WriteGitHub(w, doc) })
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "vpcdoctor: ") || !strings.Contains(last, " passed") {
		t.Errorf("%s: last line %q is not the summary", name, last)
	}
	got := map[string]string{}
	for _, line := range lines[:len(lines)-1] {
		m := annotationRe.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("%s: not a workflow command: %q", name, line)
			continue
		}
		props := map[string]string{}
		for _, kv := range strings.Split(m[2], ",") {
			key, value, _ := strings.Cut(kv, "=")
			props[key] = unescapeGitHub(value)
		}
		id := strings.Fields(props["title"])[1]
		got[id] = m[1]
		for _, f := range doc.Findings {
			if f.ID != id {
				continue
			}
			if props["file"] != wantFile(f) {
				t.Errorf("%s: %s: file=%q, want %q", name, id, props["file"], wantFile(f))
			}
			if unescapeGitHub(m[3]) != findingDetail(f) {
				t.Errorf("%s: message does not round-trip:\n%s", id, unescapeGitHub(m[3]))
			}
		}
	}
	for _, f := range doc.Findings {
		if command := githubCommand(f); got[f.ID] != command {
			t.Errorf("%s: %s (%s, ignored %v) annotated %q, want %q", name, f.ID, f.Status, f.Ignored, got[f.ID], command)
		}
	}
	for id, command := range want {
		if got[id] != command {
			t.Errorf("%s: %s annotated %q, want %q", name, id, got[id], command)
		}
	}
}
