package report

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/finding"
	"github.com/vpcdoctor/vpcdoctor/fixtures"
	goldenfile "github.com/vpcdoctor/vpcdoctor/internal/golden"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/snapshot"
)

// This file holds what the tests of every buffered format share: the -update flag, the
// golden-file comparison, and documents rendered from the built-in fixture scenarios by the
// real loader and checks (fixtures are data; no finding is built by hand here). The golden
// files render fixed documents (goldenDocument: a few scenarios, a fixed set of checks);
// the other tests run the whole catalogue.

// goldenCase is one document the golden tests render in every format.
type goldenCase struct {
	name     string
	scenario string
	ignore   []string
	// planInput, when set, presents the document as made from that input file (as with
	// --terraform-plan or --service-file), which is what locates SARIF results and GitHub
	// annotations on a file.
	planInput string
}

// goldenCases are the documents every buffered format's golden files render. Over them they
// cover every status and the ignored marker: pass, warn and a not-applicable skip; a
// failure with the skips of its dependents; an error (input missing) beside an ignored
// warning; a failure located on a plan file.
var goldenCases = []goldenCase{
	{name: "healthy", scenario: "healthy"},
	{name: "connector-missing", scenario: "connector-missing"},
	{name: "missing-subnets-ignored", scenario: "missing-subnets", ignore: []string{"connector.capacity"}},
	{name: "connector-network-plan", scenario: "connector-network", planInput: "infra/plan.json"},
}

// goldenIDs are the checks whose findings and rules the golden files show: a fixed set, so
// a check added to the catalogue rewrites no golden file (the scenario table in
// checks/scenarios_test.go is where every check meets every scenario). The set has a check
// of every hop and, over goldenCases and pathScenarios, every status and every broken hop.
var goldenIDs = map[string]bool{
	"run.vpc-egress": true, "run.direct-vpc": true, "run.redis-host": true,
	"connector.found": true, "connector.ready": true, "connector.network": true, "connector.range": true,
	"connector.shared-vpc": true, "connector.capacity": true,
	"vpc.peering": true, "vpc.firewall-egress": true,
	"redis.found": true, "redis.ready": true, "redis.region": true,
}

// TestGoldenIDsAreChecks keeps goldenIDs honest: each names a check of the catalogue.
func TestGoldenIDsAreChecks(t *testing.T) {
	for id := range goldenIDs {
		if _, ok := checks.Lookup(checks.Catalogue(), id); !ok {
			t.Errorf("goldenIDs names %s, which is not a check of the catalogue", id)
		}
	}
}

// goldenDocument is the fixed document of a golden case: the scenario's document with only
// the findings and rules of goldenIDs.
func goldenDocument(t *testing.T, c goldenCase) *Document {
	t.Helper()
	full := scenarioDocument(t, c)
	var findings []finding.Finding
	for _, f := range full.Findings {
		if goldenIDs[f.ID] {
			findings = append(findings, f)
		}
	}
	doc := NewDocument(full.Tool, full.Target, findings)
	for _, rule := range full.Rules {
		if goldenIDs[rule.ID] {
			doc.Rules = append(doc.Rules, rule)
		}
	}
	doc.Paths = full.Paths
	return doc
}

// scenarioDocument runs the catalogue on a fixture scenario, as `vpcdoctor demo` does, and
// returns the report document.
func scenarioDocument(t *testing.T, c goldenCase) *Document {
	t.Helper()
	scenario, ok := fixtures.Lookup(c.scenario)
	if !ok {
		t.Fatalf("no fixture scenario %q", c.scenario)
	}
	inv, err := snapshot.LoadFS(scenario.FS, "fixtures/"+c.scenario)
	if err != nil {
		t.Fatal(err)
	}
	paths, err := inventory.Select(inv, inventory.Selector{})
	if err != nil {
		t.Fatal(err)
	}
	target := Target{Source: "demo", Input: c.scenario}
	if c.planInput != "" {
		target = Target{Source: "plan", Input: c.planInput}
	}
	return documentFor(paths, target, c.ignore)
}

// documentFor runs the catalogue on paths and builds the document the CLI would.
func documentFor(paths []*inventory.Path, target Target, ignore []string) *Document {
	ignored := map[string]bool{}
	for _, id := range ignore {
		ignored[id] = true
	}
	var findings []finding.Finding
	var shapes []finding.PathShape
	for _, p := range paths {
		shapes = append(shapes, checks.ShapeOf(p))
		target.Services = append(target.Services, p.ServiceRef.Name)
		target.Project, target.Region = p.Project(), p.Region()
		target.Redis = p.RedisRef.Name
		for _, f := range checks.Run(checks.Catalogue(), p, nil) {
			f.Ignored = ignored[f.ID]
			findings = append(findings, f)
		}
	}
	doc := NewDocument(Tool{Name: "vpcdoctor", Version: "VERSION"}, target, findings)
	doc.Rules = catalogueRules()
	doc.Paths = shapes
	return doc
}

// catalogueRules describes the catalogue's checks as the CLI does: reporters get the
// rules as data.
func catalogueRules() []Rule {
	var rules []Rule
	for _, c := range checks.Catalogue() {
		rules = append(rules, Rule{ID: c.ID, Hop: c.Hop, Title: c.Title, Summary: c.Summary,
			Help: checks.Explain(c.ID), HelpURI: finding.DocsBase + "#" + finding.Anchor(c.ID)})
	}
	return rules
}

// render runs one writer on a document.
func render(t *testing.T, write func(w *bytes.Buffer) error) string {
	t.Helper()
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", "golden", name), got)
}

// formats are the buffered writers, with the extension of their golden files.
var formats = []struct {
	ext   string
	write func(w *bytes.Buffer, doc *Document) error
}{
	{"junit.xml", func(w *bytes.Buffer, doc *Document) error { return WriteJUnit(w, doc) }},
	{"sarif.json", func(w *bytes.Buffer, doc *Document) error { return WriteSARIF(w, doc) }},
	{"github.txt", func(w *bytes.Buffer, doc *Document) error { return WriteGitHub(w, doc) }},
	{"md", func(w *bytes.Buffer, doc *Document) error { return WriteMarkdown(w, doc) }},
	{"gitlab.json", func(w *bytes.Buffer, doc *Document) error { return WriteGitLab(w, doc) }},
	{"json", func(w *bytes.Buffer, doc *Document) error { return WriteJSON(w, doc) }},
}

func TestGoldenFormats(t *testing.T) {
	for _, c := range goldenCases {
		doc := goldenDocument(t, c)
		for _, format := range formats {
			t.Run(c.name+"."+format.ext, func(t *testing.T) {
				got := render(t, func(w *bytes.Buffer) error { return format.write(w, doc) })
				if format.ext == "sarif.json" {
					got = elideHelp(got)
				}
				golden(t, c.name+"."+format.ext, got)
			})
		}
	}
}

var helpLineRe = regexp.MustCompile(`^(\s*"(?:text|markdown)": )".*"(,?)$`)

// elideHelp replaces the rules' help text (each check's explain page, which has its own
// tests and its own authors) with a placeholder, so the SARIF goldens change only when the
// SARIF writer or the findings do. TestSARIFRulesAreTheCatalogue checks the help itself.
func elideHelp(sarif string) string {
	lines := strings.Split(sarif, "\n")
	inHelp := false
	for i, line := range lines {
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == `"help": {`:
			inHelp = true
		case inHelp && strings.HasPrefix(trimmed, "}"):
			inHelp = false
		case inHelp:
			lines[i] = helpLineRe.ReplaceAllString(line, `${1}"(explain text)"${2}`)
		}
	}
	return strings.Join(lines, "\n")
}
