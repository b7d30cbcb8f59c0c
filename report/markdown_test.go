package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vpcdoctor/vpcdoctor/finding"
	"github.com/vpcdoctor/vpcdoctor/fixtures"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/snapshot"
	"github.com/vpcdoctor/vpcdoctor/inventory/terraform"
)

func TestMermaidEscaping(t *testing.T) {
	tests := []struct{ in, want string }{
		{"cache-service", "cache-service"},
		{`a"b`, "a#34;b"},
		{"x[1]<y>", "x#91;1#93;#60;y#62;"},
		{"#35;", "#35;35#59;"},
		{"a`b*c", "a#96;b#42;c"},
		{"line\nbreak", "line#92;nbreak"},
		{"a\x1b]8;;x\x07b", "a#92;x1b#93;8#59;#59;x#92;x07b"},
		{"a\u202eb|c", "a#92;u202eb#124;c"},
		{"end\"] --> h9[\"x", "end#34;#93; --#62; h9#91;#34;x"},
		{"</details><img src=x onerror=alert(1)>", "#60;/details#62;#60;img src#61;x onerror#61;alert#40;1#41;#62;"},
		{"$(id)'q'", "#36;#40;id#41;#39;q#39;"},
	}
	for _, tt := range tests {
		if got := mermaidText(tt.in); got != tt.want {
			t.Errorf("mermaidText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestMermaidLabelsAreCut: a hop named at length by input keeps its node small.
func TestMermaidLabelsAreCut(t *testing.T) {
	long := strings.Repeat("x", 300)
	graph := Mermaid(Route{Hops: []RouteHop{{Key: HopKeyService, Name: long, Status: finding.Pass}, {Key: HopKeyConnector, Name: "\x1b" + long, Status: finding.Fail}}})
	for _, line := range strings.Split(graph, "\n") {
		if len(line) > 120 {
			t.Errorf("Mermaid line of %d bytes: %.80q", len(line), line)
		}
	}
}

// TestMarkdownSections: every finding that asks for attention has its own collapsible
// section with all its fix commands in a fenced block; the first line is the verdict.
func TestMarkdownSections(t *testing.T) {
	tests := []struct {
		c       goldenCase
		verdict string   // "" when other checks may change it
		ids     []string // check ids that must have a section
	}{
		{goldenCase{scenario: "healthy"}, "", nil},
		{goldenCase{scenario: "connector-missing"}, "❌", []string{"connector.found"}},
		{goldenCase{scenario: "missing-subnets"}, "❓", []string{"connector.range"}},
		{goldenCase{scenario: "connector-creating"}, "", []string{"connector.ready"}},
		{goldenCase{scenario: "redis-region", ignore: []string{"redis.region"}}, "", []string{"redis.region"}},
		{goldenCase{scenario: "connector-network"}, "❌", []string{"connector.network"}},
	}
	for _, tt := range tests {
		doc := scenarioDocument(t, tt.c)
		out := render(t, func(w *bytes.Buffer) error { return WriteMarkdown(w, doc) })
		verdict := tt.verdict
		if verdict == "" {
			verdict = markdownVerdict(doc.Findings)
		}
		if !strings.HasPrefix(out, "### "+verdict+" vpcdoctor: ") {
			t.Errorf("%s: heading %q, want verdict %s", tt.c.scenario, strings.SplitN(out, "\n", 2)[0], verdict)
		}
		if !strings.Contains(out, "```mermaid\ngraph LR\n") {
			t.Errorf("%s: no Mermaid graph", tt.c.scenario)
		}
		for _, f := range doc.Findings {
			if f.Status == finding.Pass || f.Status == finding.Skip {
				continue
			}
			start := strings.Index(out, "<details><summary>"+MarkdownEmoji[f.Status])
			if start < 0 || !strings.Contains(out, "<code>"+f.ID+"</code>") {
				t.Errorf("%s: no section for %s", tt.c.scenario, f.ID)
				continue
			}
			if f.Remediation != nil {
				for _, cmd := range f.Remediation.Commands {
					if !strings.Contains(out, "\n"+cmd+"\n") {
						t.Errorf("%s: %s: command %q is not a line of a fenced block", tt.c.scenario, f.ID, cmd)
					}
				}
			}
		}
		for _, id := range tt.ids {
			if !strings.Contains(out, "<code>"+id+"</code>") {
				t.Errorf("%s: no section for %s", tt.c.scenario, id)
			}
		}
	}
}

func TestMermaidMarksTheBrokenHop(t *testing.T) {
	doc := scenarioDocument(t, goldenCase{scenario: "connector-network"})
	routes := Routes(doc.Findings, doc.Paths)
	if len(routes) != 1 {
		t.Fatalf("%d routes", len(routes))
	}
	broken := routes[0].Broken()
	if broken < 0 || routes[0].Hops[broken].Key != HopKeyConnector {
		t.Fatalf("broken hop %d, want the connector", broken)
	}
	graph := Mermaid(routes[0])
	if !strings.Contains(graph, "class h1 fail\n") {
		t.Errorf("the connector node is not classed fail:\n%s", graph)
	}
}

func TestMarkdownVerdictIgnoresIgnored(t *testing.T) {
	doc := scenarioDocument(t, goldenCase{scenario: "connector-network"})
	if got := markdownVerdict(doc.Findings); got != MarkdownEmoji[finding.Fail] {
		t.Fatalf("verdict %s with a failure", got)
	}
	var failing []string
	for _, f := range doc.Findings {
		if f.Status == finding.Fail || f.Status == finding.Error || f.Status == finding.Warn {
			failing = append(failing, f.ID)
		}
	}
	ignored := scenarioDocument(t, goldenCase{scenario: "connector-network", ignore: failing})
	if got := markdownVerdict(ignored.Findings); got != MarkdownEmoji[finding.Pass] {
		t.Errorf("verdict %s when every finding that asks for attention is ignored", got)
	}
}

// TestMarkdownDeferredPlan: a plan whose checks wait for terraform apply says so, in the
// heading and on the hops, instead of a green tick.
func TestMarkdownDeferredPlan(t *testing.T) {
	scenario, ok := fixtures.Lookup("connector-network")
	if !ok {
		t.Fatal("no connector-network scenario")
	}
	inv, err := snapshot.LoadFS(scenario.FS, "fixtures/connector-network")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := os.ReadFile(filepath.Join("..", "inventory", "terraform", "testdata", "plans", "greenfield.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := terraform.ApplyPlan(inv, plan, "plan.json"); err != nil {
		t.Fatal(err)
	}
	paths, err := inventory.Select(inv, inventory.Selector{})
	if err != nil {
		t.Fatal(err)
	}
	// Ignore what the plan's checks found, so that only the waiting for apply is left.
	var found []string
	for _, f := range documentFor(paths, Target{}, nil).Findings {
		if f.Status == finding.Warn || f.Status == finding.Fail || f.Status == finding.Error {
			found = append(found, f.ID)
		}
	}
	doc := documentFor(paths, Target{Source: "plan", Input: "plan.json"}, found)
	out := render(t, func(w *bytes.Buffer) error { return WriteMarkdown(w, doc) })
	if !strings.HasPrefix(out, "### "+PendingEmoji+" vpcdoctor: ") {
		t.Errorf("heading %q, want the pending mark", strings.SplitN(out, "\n", 2)[0])
	}
	if !strings.Contains(out, PendingEmoji+" after apply\"]") {
		t.Errorf("no hop of the graph waits for apply:\n%s", out)
	}
	if !strings.Contains(out, "until terraform apply</summary>") {
		t.Error("the skipped section does not count the deferred checks")
	}
}
