package report

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/finding"
	"github.com/vpcdoctor/vpcdoctor/fixtures"
	"github.com/vpcdoctor/vpcdoctor/internal/sariftest"
)

// sarifSchema compiles the OASIS SARIF 2.1.0 schema (errata 01) committed in testdata.
func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	schema, err := sariftest.Schema(filepath.Join("testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	return schema
}

// TestSARIFMatchesSchema validates the SARIF of every fixture scenario and golden case
// against the official schema.
func TestSARIFMatchesSchema(t *testing.T) {
	schema := sarifSchema(t)
	cases := append([]goldenCase(nil), goldenCases...)
	for _, s := range fixtures.Scenarios() {
		cases = append(cases, goldenCase{name: "scenario " + s.Name, scenario: s.Name})
	}
	for _, c := range cases {
		doc := scenarioDocument(t, c)
		out := render(t, func(w *bytes.Buffer) error { return WriteSARIF(w, doc) })
		instance, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
		if err != nil {
			t.Fatalf("%s: not JSON: %v", c.name, err)
		}
		if err := schema.Validate(instance); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		for _, err := range sariftest.Check([]byte(out), nil) {
			t.Errorf("%s: GitHub ingestion: %v", c.name, err)
		}
	}
	// The schema must catch what breaks the format, or the test above proves nothing.
	bad, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}, "level": "fatal"}]}]}`))
	if err := schema.Validate(bad); err == nil {
		t.Error("schema accepted an unknown result level")
	}
}

// sarifView is the part of a SARIF log the semantic assertions read.
type sarifView struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Rules []struct {
					ID               string
					Name             string
					ShortDescription struct{ Text string }
					FullDescription  struct{ Text string }
					Help             struct{ Text, Markdown string }
					HelpURI          string
				}
			}
		}
		Results []struct {
			RuleID    string
			RuleIndex int
			Level     string
			Message   struct{ Text string }
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct{ URI, URIBaseID string }
					Region           struct{ StartLine int }
				}
				LogicalLocations []struct{ FullyQualifiedName string }
			}
			Suppressions []struct{ Kind, Justification string }
		}
	}
}

func readSARIF(t *testing.T, doc *Document) sarifView {
	t.Helper()
	var view sarifView
	out := render(t, func(w *bytes.Buffer) error { return WriteSARIF(w, doc) })
	if err := json.Unmarshal([]byte(out), &view); err != nil {
		t.Fatal(err)
	}
	if len(view.Runs) != 1 {
		t.Fatalf("%d runs, want 1", len(view.Runs))
	}
	return view
}

func TestSARIFRulesAreTheCatalogue(t *testing.T) {
	view := readSARIF(t, scenarioDocument(t, goldenCase{scenario: "healthy"}))
	rules := view.Runs[0].Tool.Driver.Rules
	catalogue := checks.Catalogue()
	if len(rules) != len(catalogue) {
		t.Fatalf("%d rules for %d checks", len(rules), len(catalogue))
	}
	for i, check := range catalogue {
		r := rules[i]
		if r.ID != check.ID || r.ShortDescription.Text != check.Title || r.FullDescription.Text == "" {
			t.Errorf("rule %d = %+v, want check %s with its title and summary", i, r, check.ID)
		}
		if r.HelpURI != finding.DocsBase+"#"+finding.Anchor(check.ID) {
			t.Errorf("%s: helpUri %q", check.ID, r.HelpURI)
		}
		if explain := checks.Explain(check.ID); explain != "" && r.Help.Text != explain {
			t.Errorf("%s: help text is not the explain text", check.ID)
		}
		if strings.ContainsAny(r.Name, ".-") || r.Name == "" {
			t.Errorf("%s: name %q is not one PascalCase word", check.ID, r.Name)
		}
	}
	for _, r := range view.Runs[0].Results {
		if r.Level != "error" && r.Level != "warning" && r.Level != "note" {
			t.Errorf("%s: level %q", r.RuleID, r.Level)
		}
	}
}

func TestSARIFResults(t *testing.T) {
	tests := []struct {
		c          goldenCase
		wantLevels map[string]string // rule id → level of the findings the scenario is about
		wantLoc    string            // URI of every result's location, "" for none
		suppressed string
	}{
		{c: goldenCase{scenario: "connector-missing"}, wantLevels: map[string]string{"connector.found": "error"}},
		{c: goldenCase{scenario: "connector-creating"}, wantLevels: map[string]string{"connector.ready": "warning"}},
		{c: goldenCase{scenario: "missing-subnets"}, wantLevels: map[string]string{"connector.range": "note"}},
		{c: goldenCase{scenario: "redis-region", ignore: []string{"redis.region"}}, wantLevels: map[string]string{"redis.region": "warning"}, suppressed: "redis.region"},
		{c: goldenCase{scenario: "connector-network", planInput: "infra/plan.json"}, wantLevels: map[string]string{"connector.network": "error"}, wantLoc: "infra/plan.json"},
		{c: goldenCase{scenario: "connector-network", planInput: "/abs/dir/plan file.json"}, wantLevels: map[string]string{"connector.network": "error"}, wantLoc: "file:///abs/dir/plan%20file.json"},
	}
	for _, tt := range tests {
		doc := scenarioDocument(t, tt.c)
		view := readSARIF(t, doc)
		rules := view.Runs[0].Tool.Driver.Rules
		got := map[string]string{}
		for _, r := range view.Runs[0].Results {
			got[r.RuleID] = r.Level
			if rules[r.RuleIndex].ID != r.RuleID {
				t.Errorf("%s: ruleIndex %d points at %s", r.RuleID, r.RuleIndex, rules[r.RuleIndex].ID)
			}
			wantLoc := tt.wantLoc
			if wantLoc == "" && len(r.Locations) == 1 && len(r.Locations[0].LogicalLocations) == 1 {
				// No input file: the pseudo-location of the resource.
				wantLoc = PseudoLocationPrefix + r.Locations[0].LogicalLocations[0].FullyQualifiedName
			}
			{
				if len(r.Locations) != 1 || r.Locations[0].PhysicalLocation.ArtifactLocation.URI != wantLoc || r.Locations[0].PhysicalLocation.Region.StartLine != 1 {
					t.Errorf("%s: locations %+v, want %s line 1", r.RuleID, r.Locations, wantLoc)
				} else if len(r.Locations[0].LogicalLocations) != 1 || !strings.HasPrefix(r.Locations[0].LogicalLocations[0].FullyQualifiedName, "projects/") {
					t.Errorf("%s: logical location %+v, want the resource name", r.RuleID, r.Locations[0].LogicalLocations)
				}
			}
			if (r.RuleID == tt.suppressed) != (len(r.Suppressions) == 1 && r.Suppressions[0].Kind == "external") {
				t.Errorf("%s: suppressions %+v", r.RuleID, r.Suppressions)
			}
			if !strings.Contains(r.Message.Text, "Fix: ") {
				t.Errorf("%s: message carries no fix: %q", r.RuleID, r.Message.Text)
			}
		}
		// Every finding that asks for attention has its result, and nothing else does; the
		// table pins the levels of the findings each scenario is about.
		results := 0
		for _, f := range doc.Findings {
			if level := sarifLevel(f.Status); level != "" {
				results++
				if got[f.ID] != level {
					t.Errorf("%s: %s (%s) has result level %q, want %q", tt.c.scenario, f.ID, f.Status, got[f.ID], level)
				}
			}
		}
		if results != len(view.Runs[0].Results) {
			t.Errorf("%s: %d results for %d findings that ask for attention", tt.c.scenario, len(view.Runs[0].Results), results)
		}
		for id, level := range tt.wantLevels {
			if got[id] != level {
				t.Errorf("%s: %s level %q, want %q", tt.c.scenario, id, got[id], level)
			}
		}
	}
}

func TestPascalCase(t *testing.T) {
	for in, want := range map[string]string{"connector.found": "ConnectorFound", "run.vpc-egress": "RunVpcEgress", "probe.tls": "ProbeTls"} {
		if got := pascalCase(in); got != want {
			t.Errorf("pascalCase(%q) = %q, want %q", in, got, want)
		}
	}
}

// withSources sets Finding.Source the way the CLI does, from the file each hop's resources
// were read from in this test.
func withSources(doc *Document, byHop map[finding.Hop]string) *Document {
	for i := range doc.Findings {
		doc.Findings[i].Source = byHop[doc.Findings[i].Hop]
	}
	return doc
}

// TestSARIFPerFindingLocations: each result is located on the file its resource was read
// from; a result without one falls back on the plan or service file of a deploy check,
// and is on the pseudo-location of its resource otherwise; a known line is the region's.
func TestSARIFPerFindingLocations(t *testing.T) {
	sources := map[finding.Hop]string{finding.HopConnector: "snapshot/connector.yaml", finding.HopRedis: "/abs/snap/redis.yaml"}
	tests := []struct {
		c        goldenCase
		fallback string // URI of results whose finding has no source
	}{
		{c: goldenCase{scenario: "connector-network"}},
		{c: goldenCase{scenario: "connector-network", planInput: "infra/plan.json"}, fallback: "infra/plan.json"},
	}
	for _, tt := range tests {
		doc := withSources(multiHopDocument(t, tt.c), sources)
		for i := range doc.Findings {
			if doc.Findings[i].Source == "snapshot/connector.yaml" {
				doc.Findings[i].Line = 7
			}
		}
		view := readSARIF(t, doc)
		located := 0
		for i, r := range view.Runs[0].Results {
			f := attentionFindings(doc)[i]
			want := tt.fallback
			switch f.Source {
			case "snapshot/connector.yaml":
				want = "snapshot/connector.yaml"
			case "/abs/snap/redis.yaml":
				want = "file:///abs/snap/redis.yaml"
			}
			wantLine := 1
			if f.Source == "snapshot/connector.yaml" {
				wantLine = 7
			}
			if want == "" {
				want = PseudoLocationPrefix + f.Resource
				if len(r.Locations) != 1 || r.Locations[0].PhysicalLocation.ArtifactLocation.URI != want || r.Locations[0].PhysicalLocation.ArtifactLocation.URIBaseID != "" {
					t.Errorf("%s: %s located on %+v, want the pseudo-location %s", tt.c.name, r.RuleID, r.Locations, want)
				}
				continue
			}
			located++
			if len(r.Locations) != 1 || r.Locations[0].PhysicalLocation.ArtifactLocation.URI != want || r.Locations[0].PhysicalLocation.Region.StartLine != wantLine {
				t.Errorf("%s: %s located on %+v, want %s line %d", tt.c.name, r.RuleID, r.Locations, want, wantLine)
				continue
			}
			if base := r.Locations[0].PhysicalLocation.ArtifactLocation.URIBaseID; (base == srcRoot) != !strings.HasPrefix(want, "file:") {
				t.Errorf("%s: %s uriBaseId %q for %s", tt.c.name, r.RuleID, base, want)
			}
			if len(r.Locations[0].LogicalLocations) != 1 || r.Locations[0].LogicalLocations[0].FullyQualifiedName != f.Resource {
				t.Errorf("%s: %s logical location %+v, want %s", tt.c.name, r.RuleID, r.Locations[0].LogicalLocations, f.Resource)
			}
		}
		wantLocated := 3 // connector.network, connector.capacity (healthy's e2-micro connector) and redis.region
		if tt.fallback != "" {
			wantLocated = 4 // and run.cold-start, on the plan
		}
		if located != wantLocated {
			t.Errorf("%s: %d results located on a file, want %d", tt.c.name, located, wantLocated)
		}
	}
}

// multiHopDocument is c's document with the findings that ask for attention in two more
// scenarios in place of its own: with connector-network, connector.network fails,
// run.cold-start and redis.region warn.
func multiHopDocument(t *testing.T, c goldenCase) *Document {
	t.Helper()
	doc := scenarioDocument(t, c)
	for _, other := range []string{"cold-start", "redis-region"} {
		for _, f := range scenarioDocument(t, goldenCase{scenario: other}).Findings {
			if sarifLevel(f.Status) == "" {
				continue
			}
			for i := range doc.Findings {
				if doc.Findings[i].ID == f.ID {
					doc.Findings[i] = f
				}
			}
		}
	}
	out := NewDocument(doc.Tool, doc.Target, doc.Findings)
	out.Rules = doc.Rules
	return out
}

// attentionFindings are the findings that have a SARIF result, in order.
func attentionFindings(doc *Document) []finding.Finding {
	var out []finding.Finding
	for _, f := range doc.Findings {
		if sarifLevel(f.Status) != "" {
			out = append(out, f)
		}
	}
	return out
}
