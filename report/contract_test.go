package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/vpcdoctor/vpcdoctor/finding"
	"github.com/vpcdoctor/vpcdoctor/fixtures"
)

// fixedTime is the generatedAt of documents in tests.
var fixedTime = time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC)

func compileSchema(t *testing.T, name string, data []byte) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	compiler := jsonschema.NewCompiler()
	compiler.AssertFormat()
	if err := compiler.AddResource(name, doc); err != nil {
		t.Fatal(err)
	}
	schema, err := compiler.Compile(name)
	if err != nil {
		t.Fatal(err)
	}
	return schema
}

func validateJSON(t *testing.T, schema *jsonschema.Schema, what, out string) {
	t.Helper()
	instance, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	if err != nil {
		t.Fatalf("%s: not JSON: %v", what, err)
	}
	if err := schema.Validate(instance); err != nil {
		t.Errorf("%s: %v", what, err)
	}
}

// allCases are the golden cases and every fixture scenario.
func allCases() []goldenCase {
	cases := append([]goldenCase(nil), goldenCases...)
	for _, s := range fixtures.Scenarios() {
		cases = append(cases, goldenCase{name: "scenario " + s.Name, scenario: s.Name})
		cases = append(cases, goldenCase{name: "plan " + s.Name, scenario: s.Name, planInput: "infra/plan.json"})
	}
	return cases
}

// TestGitLabCodeQuality validates the code quality report of every scenario against
// GitLab's documented format, and what the format leaves to prose: fingerprints unique
// (GitLab shows findings with the same fingerprint as one), one issue per finding that asks
// for attention and is not ignored, no byte order mark.
func TestGitLabCodeQuality(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "gitlab-codequality.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	schema := compileSchema(t, "gitlab-codequality.schema.json", data)
	for _, c := range allCases() {
		doc := scenarioDocument(t, c)
		out := render(t, func(w *bytes.Buffer) error { return WriteGitLab(w, doc) })
		validateJSON(t, schema, c.name, out)
		if strings.HasPrefix(out, "\uFEFF") {
			t.Errorf("%s: byte order mark", c.name)
		}
		var issues []gitlabIssue
		if err := json.Unmarshal([]byte(out), &issues); err != nil {
			t.Fatal(err)
		}
		want := 0
		for _, f := range doc.Findings {
			if !f.Ignored && sarifLevel(f.Status) != "" {
				want++
			}
		}
		if len(issues) != want {
			t.Errorf("%s: %d issues for %d findings that ask for attention", c.name, len(issues), want)
		}
		seen := map[string]bool{}
		for _, issue := range issues {
			if seen[issue.Fingerprint] {
				t.Errorf("%s: fingerprint %s twice", c.name, issue.Fingerprint)
			}
			seen[issue.Fingerprint] = true
			if c.planInput != "" && issue.Location.Path != c.planInput {
				t.Errorf("%s: %s on %s, want the plan", c.name, issue.CheckName, issue.Location.Path)
			}
		}
	}
	// The schema must reject what GitLab does not read, or the test proves nothing.
	for _, bad := range []string{
		`{}`,
		`[{"description": "d", "check_name": "c", "fingerprint": "f", "severity": "high", "location": {"path": "a", "lines": {"begin": 1}}}]`,
		`[{"description": "d", "check_name": "c", "fingerprint": "f", "severity": "minor", "location": {"path": "/abs", "lines": {"begin": 1}}}]`,
		`[{"description": "d", "fingerprint": "f", "severity": "minor", "location": {"path": "a", "lines": {"begin": 1}}}]`,
	} {
		instance, _ := jsonschema.UnmarshalJSON(strings.NewReader(bad))
		if schema.Validate(instance) == nil {
			t.Errorf("schema accepted %s", bad)
		}
	}
}

// TestGitLabSeverities pins the mapping of statuses to GitLab severities.
func TestGitLabSeverities(t *testing.T) {
	for _, tt := range []struct {
		f    finding.Finding
		want string
	}{
		{finding.Finding{Status: finding.Fail}, "critical"},
		{finding.Finding{Status: finding.Warn}, "minor"},
		{finding.Finding{Status: finding.Error}, "info"},
		{finding.Finding{Status: finding.Pass}, ""},
		{finding.Finding{Status: finding.Skip}, ""},
		{finding.Finding{Status: finding.Fail, Ignored: true}, ""},
	} {
		if got := gitlabSeverity(tt.f); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.f, got, tt.want)
		}
	}
}

// TestJSONContract validates the JSON report of every scenario against the committed schema
// and checks what the schema cannot say alone: counts that add up without the ignored
// findings, the outcome and exit code of the gate, reasons on every skip and error.
func TestJSONContract(t *testing.T) {
	schema := compileSchema(t, "schema.json", JSONSchema)
	for _, c := range allCases() {
		doc := scenarioDocument(t, c)
		doc.SetGeneratedAt(fixedTime)
		for _, write := range []func(*bytes.Buffer) error{
			func(w *bytes.Buffer) error { return WriteJSON(w, doc) },
			func(w *bytes.Buffer) error { return WriteJSONCompact(w, doc) },
		} {
			out := render(t, write)
			validateJSON(t, schema, c.name, out)
		}
		compact := render(t, func(w *bytes.Buffer) error { return WriteJSONCompact(w, doc) })
		if strings.Count(compact, "\n") != 1 || !strings.HasSuffix(compact, "}\n") {
			t.Errorf("%s: compact JSON is not one line", c.name)
		}
		s := doc.Summary
		if all := s.Pass + s.Warn + s.Fail + s.Skip + s.Error; all != len(doc.Findings) {
			t.Errorf("%s: status counts add up to %d for %d findings", c.name, all, len(doc.Findings))
		}
		e := s.Effective
		if counted := e.Pass + e.Warn + e.Fail + e.Skip + e.Error; counted+s.Ignored != len(doc.Findings) {
			t.Errorf("%s: %d effective + %d ignored for %d findings", c.name, counted, s.Ignored, len(doc.Findings))
		}
		byStatus := 0
		for _, n := range s.IgnoredByStatus {
			byStatus += n
		}
		if byStatus != s.Ignored {
			t.Errorf("%s: ignoredByStatus adds up to %d, ignored is %d", c.name, byStatus, s.Ignored)
		}
		for _, f := range doc.Findings {
			hasReason := slices.Contains(finding.Reasons, f.Reason)
			if (f.Status == finding.Skip || f.Status == finding.Error) != hasReason {
				t.Errorf("%s: %s %s has reason %q", c.name, f.ID, f.Status, f.Reason)
			}
		}
	}
	// The open schema takes fields it does not know, at the top and in a finding.
	open := `{"schemaVersion": 1, "tool": {"name": "vpcdoctor", "version": "v1"}, "target": {"source": "demo"}, "outcome": "passed", "exitCode": 0, "summary": {"pass": 0, "warn": 0, "fail": 0, "skip": 0, "error": 0}, "findings": [{"id": "run.x", "status": "pass", "title": "t", "hop": "run", "message": "m", "future": 1}], "future": true}`
	instance, _ := jsonschema.UnmarshalJSON(strings.NewReader(open))
	if err := schema.Validate(instance); err != nil {
		t.Errorf("schema rejects unknown fields: %v", err)
	}
	noReason := strings.Replace(open, `"status": "pass"`, `"status": "skip"`, 1)
	instance, _ = jsonschema.UnmarshalJSON(strings.NewReader(noReason))
	if schema.Validate(instance) == nil {
		t.Error("schema accepted a skip finding without a reason")
	}
}

// TestGate pins the outcome and exit code for each kind of run.
func TestGate(t *testing.T) {
	f := func(s finding.Status, ignored bool) finding.Finding {
		return finding.Finding{Status: s, Ignored: ignored}
	}
	for _, tt := range []struct {
		findings []finding.Finding
		failOn   finding.Status
		outcome  string
		code     int
	}{
		{nil, finding.Fail, OutcomePassed, 0},
		{[]finding.Finding{f(finding.Pass, false), f(finding.Warn, false)}, finding.Fail, OutcomePassed, 0},
		{[]finding.Finding{f(finding.Warn, false)}, finding.Warn, OutcomeFailed, 1},
		{[]finding.Finding{f(finding.Fail, true)}, finding.Fail, OutcomePassed, 0},
		{[]finding.Finding{f(finding.Error, false)}, finding.Fail, OutcomeIncomplete, 3},
		{[]finding.Finding{f(finding.Error, false), f(finding.Fail, false)}, finding.Fail, OutcomeFailed, 1},
		{[]finding.Finding{f(finding.Error, true)}, finding.Fail, OutcomePassed, 0},
	} {
		outcome, code := Gate(tt.findings, tt.failOn)
		if outcome != tt.outcome || code != tt.code {
			t.Errorf("%+v --fail-on %s: %s %d, want %s %d", tt.findings, tt.failOn, outcome, code, tt.outcome, tt.code)
		}
	}
}

// TestFormatRegistry: names unique, every format writes every golden case, the stream
// formats are the line-oriented ones.
func TestFormatRegistry(t *testing.T) {
	seen := map[string]bool{}
	for _, format := range Formats() {
		if seen[format.Name] || format.Description == "" || format.Write == nil {
			t.Errorf("format %+v: duplicate or incomplete", format.Name)
		}
		seen[format.Name] = true
		if got, ok := LookupFormat(format.Name); !ok || got.Name != format.Name {
			t.Errorf("LookupFormat(%s) = %v, %v", format.Name, got.Name, ok)
		}
		doc := scenarioDocument(t, goldenCases[1])
		if out := render(t, func(w *bytes.Buffer) error { return format.Write(w, doc) }); out == "" {
			t.Errorf("%s wrote nothing", format.Name)
		}
	}
	for name, stream := range map[string]bool{"text": true, "github": true, "json": false, "sarif": false, "gitlab": false} {
		if f, _ := LookupFormat(name); f.Stream != stream {
			t.Errorf("%s: Stream %v", name, f.Stream)
		}
	}
	if _, ok := LookupFormat("yaml"); ok {
		t.Error("LookupFormat found a format that does not exist")
	}
}

// TestSummaryIgnored: an ignored failure is in the version 1 status counts, in ignored and
// ignoredByStatus, not in effective; readers are shown it as ignored, not failed.
func TestSummaryIgnored(t *testing.T) {
	doc := NewDocument(Tool{Name: "vpcdoctor"}, Target{Source: "demo"}, []finding.Finding{
		{ID: "run.a", Status: finding.Pass}, {ID: "run.b", Status: finding.Fail, Ignored: true}, {ID: "run.c", Status: finding.Warn},
	})
	s := doc.Summary
	if s.Fail != 1 || s.Effective.Fail != 0 || s.Ignored != 1 || s.IgnoredByStatus[finding.Fail] != 1 || s.Effective.Warn != 1 || s.Pass != 1 {
		t.Errorf("summary %+v", s)
	}
	if doc.Outcome != OutcomePassed || doc.ExitCode != 0 {
		t.Errorf("outcome %s %d, want passed 0", doc.Outcome, doc.ExitCode)
	}
	if got, want := summaryLine(s), "1 passed, 1 warning, 0 failed, 0 skipped, 0 errors, 1 ignored"; got != want {
		t.Errorf("summary line %q, want %q", got, want)
	}
}
