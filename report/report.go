// Package report renders findings: one file per output format. Reporters take plain data
// (a Document, or findings one at a time for the streamed text format), never the engine.
package report

import (
	"time"

	"github.com/vpcdoctor/vpcdoctor/checks"
)

// SchemaVersion is the version of the JSON report contract. Adding a field keeps it;
// renaming or removing one bumps it.
const SchemaVersion = 1

// Target says what was checked.
type Target struct {
	Project  string   `json:"project,omitempty"`
	Region   string   `json:"region,omitempty"`
	Services []string `json:"services,omitempty"`
	Redis    string   `json:"redis,omitempty"`
	Source   string   `json:"source"`          // "snapshot", "live", "demo", "probe"
	Input    string   `json:"input,omitempty"` // the snapshot directory or input file, when there is one
}

// Summary counts findings per status. Ignored findings are counted under their status and
// again under Ignored.
type Summary struct {
	Pass    int `json:"pass"`
	Warn    int `json:"warn"`
	Fail    int `json:"fail"`
	Skip    int `json:"skip"`
	Error   int `json:"error"`
	Ignored int `json:"ignored,omitempty"`
}

// Add counts one finding.
func (s *Summary) Add(f checks.Finding) {
	switch f.Status {
	case checks.Pass:
		s.Pass++
	case checks.Warn:
		s.Warn++
	case checks.Fail:
		s.Fail++
	case checks.Skip:
		s.Skip++
	case checks.Error:
		s.Error++
	}
	if f.Ignored {
		s.Ignored++
	}
}

// Document is one whole report: what the buffered formats (JSON, JUnit, SARIF, ...) render.
type Document struct {
	SchemaVersion int              `json:"schemaVersion"`
	Tool          Tool             `json:"tool"`
	Target        Target           `json:"target"`
	Summary       Summary          `json:"summary"`
	Findings      []checks.Finding `json:"findings"`
	// Paths are the hops of each service's path, for the reports that draw it (text strip,
	// Mermaid, HTML); not part of the JSON contract.
	Paths []PathShape `json:"-"`
	// Generated is when the report was made, for the reports that show it (HTML); not part
	// of the JSON contract.
	Generated time.Time `json:"-"`
}

// Tool identifies the program that wrote the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// NewDocument builds a document and its summary from findings in check order.
func NewDocument(tool Tool, target Target, findings []checks.Finding) *Document {
	doc := &Document{SchemaVersion: SchemaVersion, Tool: tool, Target: target, Findings: findings}
	if doc.Findings == nil {
		doc.Findings = []checks.Finding{}
	}
	for _, f := range findings {
		doc.Summary.Add(f)
	}
	return doc
}
