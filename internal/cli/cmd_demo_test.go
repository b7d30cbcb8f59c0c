package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/vpcdoctor/vpcdoctor/fixtures"
	"github.com/vpcdoctor/vpcdoctor/report"
)

// TestGoldenReports pins the text report as the CLI streams it, plain and colored, with
// its exit code, on the few checks of goldenProgram (testdata/golden; -update rewrites).
func TestGoldenReports(t *testing.T) {
	prog := goldenProgram(t)
	code, text, _ := runProgram(t, prog, "demo", "connector-network", "--color", "never")
	if code != exitFindings {
		t.Errorf("exit %d, want %d", code, exitFindings)
	}
	golden(t, "connector-network.txt", text)
	_, colored, _ := runProgram(t, prog, "demo", "connector-network", "--color", "always")
	if !strings.Contains(colored, "\x1b[") {
		t.Error("--color always printed no ANSI escapes")
	}
	golden(t, "connector-network.color.txt", colored)
}

func TestNoColorWhenNotATerminal(t *testing.T) {
	_, out, _ := runCLI(t, "demo", "connector-network") // --color auto into a buffer
	if strings.Contains(out, "\x1b[") {
		t.Error("auto color wrote ANSI escapes to a non-terminal")
	}
}

// TestJSONMatchesSchema validates every scenario's JSON report against the committed schema.
func TestJSONMatchesSchema(t *testing.T) {
	schema := reportSchema(t)
	for _, scenario := range fixtures.Scenarios() {
		_, out, _ := runCLI(t, "demo", scenario.Name, "--format", "json")
		instance, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
		if err != nil {
			t.Fatalf("%s: output is not JSON: %v", scenario.Name, err)
		}
		if err := schema.Validate(instance); err != nil {
			t.Errorf("%s: %v", scenario.Name, err)
		}
		var parsed struct {
			SchemaVersion int `json:"schemaVersion"`
			Summary       report.Summary
			Findings      []struct{ ID, Status string }
		}
		if err := json.Unmarshal([]byte(out), &parsed); err != nil {
			t.Fatal(err)
		}
		sum := parsed.Summary
		total := sum.Pass + sum.Warn + sum.Fail + sum.Skip + sum.Error
		if parsed.SchemaVersion != 1 || total != len(parsed.Findings) {
			t.Errorf("%s: schemaVersion %d, summary total %d for %d findings", scenario.Name, parsed.SchemaVersion, total, len(parsed.Findings))
		}
		if !strings.HasPrefix(strings.TrimSpace(out), `{
  "schemaVersion"`) {
			t.Errorf("%s: schemaVersion is not the first field", scenario.Name)
		}
	}
	// The schema must reject what breaks the contract.
	bad, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"schemaVersion": 1, "tool": {"name": "vpcdoctor", "version": "x"}, "target": {"source": "demo"}, "summary": {"pass": 0, "warn": 0, "fail": 0, "skip": 0, "error": 0}, "findings": [{"id": "x", "status": "maybe", "title": "t", "hop": "run", "message": "m"}]}`))
	if err := schema.Validate(bad); err == nil {
		t.Error("schema accepted an unknown status")
	}
}

func TestIgnoredFindingsStayInReport(t *testing.T) {
	_, out, _ := runCLI(t, "demo", "connector-network", "--format", "json", "--ignore", "connector.network")
	var doc report.Document
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	for _, f := range doc.Findings {
		if f.ID == "connector.network" && (!f.Ignored || f.Status != "fail") {
			t.Errorf("ignored finding: %+v", f)
		}
	}
	if doc.Summary.Ignored != 1 {
		t.Errorf("summary.ignored = %d", doc.Summary.Ignored)
	}
}
