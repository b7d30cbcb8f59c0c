// Package report renders findings: one file per output format. Reporters take plain data
// (a Document, or findings one at a time for the streamed text format), never the engine.
package report

import (
	"io"
	"sort"
	"strings"
	"time"

	"github.com/vpcdoctor/vpcdoctor/finding"
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
	Source   string   `json:"source"`          // "snapshot", "live", "demo", "probe", "plan"
	Input    string   `json:"input,omitempty"` // the snapshot directory or input file, when there is one
}

// Summary counts findings per status. The status counts are of every finding, ignored or
// not, as in every version 1 report; Effective counts the findings that are not ignored,
// which are the ones the gate (Outcome, ExitCode) reads, and Ignored and IgnoredByStatus
// count the ignored ones apart.
type Summary struct {
	Pass    int `json:"pass"`
	Warn    int `json:"warn"`
	Fail    int `json:"fail"`
	Skip    int `json:"skip"`
	Error   int `json:"error"`
	Ignored int `json:"ignored"`
	// IgnoredByStatus counts the ignored findings per status; only statuses that occur.
	IgnoredByStatus map[finding.Status]int `json:"ignoredByStatus,omitempty"`
	// Effective counts per status the findings that are not ignored.
	Effective Counts `json:"effective"`
}

// Counts is a number of findings per status.
type Counts struct {
	Pass  int `json:"pass"`
	Warn  int `json:"warn"`
	Fail  int `json:"fail"`
	Skip  int `json:"skip"`
	Error int `json:"error"`
}

func (c *Counts) add(s finding.Status) {
	switch s {
	case finding.Pass:
		c.Pass++
	case finding.Warn:
		c.Warn++
	case finding.Fail:
		c.Fail++
	case finding.Skip:
		c.Skip++
	case finding.Error:
		c.Error++
	}
}

// Add counts one finding.
func (s *Summary) Add(f finding.Finding) {
	all := Counts{Pass: s.Pass, Warn: s.Warn, Fail: s.Fail, Skip: s.Skip, Error: s.Error}
	all.add(f.Status)
	s.Pass, s.Warn, s.Fail, s.Skip, s.Error = all.Pass, all.Warn, all.Fail, all.Skip, all.Error
	if !f.Ignored {
		s.Effective.add(f.Status)
		return
	}
	s.Ignored++
	if s.IgnoredByStatus == nil {
		s.IgnoredByStatus = map[finding.Status]int{}
	}
	s.IgnoredByStatus[f.Status]++
}

// Shown is the summary a reader sees (the text, Markdown and HTML reports): the status
// counts of the findings that are not ignored, and the ignored ones apart, so a report
// whose only failure is ignored does not say "1 failed" beside exit code 0.
func (s Summary) Shown() Summary {
	shown := s
	e := s.Effective
	shown.Pass, shown.Warn, shown.Fail, shown.Skip, shown.Error = e.Pass, e.Warn, e.Fail, e.Skip, e.Error
	return shown
}

// The outcomes of a run, and the exit codes they imply (a public contract for CI).
const (
	// OutcomePassed: no finding that counts is at or above the gate; exit 0.
	OutcomePassed = "passed"
	// OutcomeFailed: a finding that counts is at or above the gate (--fail-on); exit 1.
	OutcomeFailed = "failed"
	// OutcomeIncomplete: nothing failed the gate, but some check could not be evaluated; exit 3.
	OutcomeIncomplete = "incomplete"
)

// Gate evaluates findings against the --fail-on status: the outcome and its exit code.
// Ignored findings never count.
func Gate(findings []finding.Finding, failOn finding.Status) (outcome string, exitCode int) {
	incomplete := false
	for _, f := range findings {
		if f.Ignored {
			continue
		}
		if f.Status.Severity() > 0 && f.Status.Severity() >= failOn.Severity() {
			return OutcomeFailed, 1
		}
		if f.Status == finding.Error {
			incomplete = true
		}
	}
	if incomplete {
		return OutcomeIncomplete, 3
	}
	return OutcomePassed, 0
}

// Document is one whole report: what the buffered formats (JSON, JUnit, SARIF, ...) render.
type Document struct {
	SchemaVersion int    `json:"schemaVersion"`
	Tool          Tool   `json:"tool"`
	GeneratedAt   string `json:"generatedAt,omitempty"`
	Target        Target `json:"target"`
	// Outcome is the run's verdict against FailOn, and ExitCode the exit status it implies.
	Outcome  string            `json:"outcome"`
	ExitCode int               `json:"exitCode"`
	FailOn   finding.Status    `json:"failOn"`
	Summary  Summary           `json:"summary"`
	Findings []finding.Finding `json:"findings"`
	// Rules describe the checks that could report (SARIF rules); data from the caller, so
	// that reporters never read the catalogue themselves. Not part of the JSON report.
	Rules []Rule `json:"-"`
	// Paths are the hops of each service's path, for the reports that draw it (text strip,
	// Mermaid, HTML); not part of the JSON contract.
	Paths []finding.PathShape `json:"-"`
	// Generated is when the report was made, for the reports that show it (HTML); not part
	// of the JSON contract.
	Generated time.Time `json:"-"`
}

// Tool identifies the program that wrote the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	// Commit and Date are the VCS revision and commit time the binary was built from, when
	// the build recorded them.
	Commit string `json:"commit,omitempty"`
	Date   string `json:"date,omitempty"`
}

// Rule describes one check for formats that list them (SARIF): its ID, hop, title, one-line
// summary, the help text (the check's explain page, Markdown), and its documentation link.
type Rule struct {
	ID      string
	Hop     finding.Hop
	Title   string
	Summary string
	Help    string
	HelpURI string
}

// NewDocument builds a document and its summary from findings in check order, with the
// default gate (--fail-on fail). SetGate changes the gate.
func NewDocument(tool Tool, target Target, findings []finding.Finding) *Document {
	doc := &Document{SchemaVersion: SchemaVersion, Tool: tool, Target: target, Findings: findings}
	if doc.Findings == nil {
		doc.Findings = []finding.Finding{}
	}
	for _, f := range findings {
		doc.Summary.Add(f)
	}
	doc.SetGate(finding.Fail)
	return doc
}

// SetGate records the --fail-on status and the outcome and exit code it gives.
func (doc *Document) SetGate(failOn finding.Status) {
	doc.FailOn = failOn
	doc.Outcome, doc.ExitCode = Gate(doc.Findings, failOn)
}

// SetGeneratedAt stamps the document with the time it was made: GeneratedAt (the JSON
// field, UTC, RFC 3339) and Generated (what the HTML page shows) are the same instant.
func (doc *Document) SetGeneratedAt(t time.Time) {
	doc.Generated = t
	doc.GeneratedAt = t.UTC().Format(time.RFC3339)
}

// Format is one output format of the registry.
type Format struct {
	// Name is what --output and --format take.
	Name string
	// Description says in a few words what the format is for (help text).
	Description string
	// Stream marks the line-oriented formats read as a log (text, github): several may share
	// stdout. A document format (JSON, SARIF, ...) must be alone on stdout to stay parseable.
	Stream bool
	// Write renders a whole document.
	Write func(io.Writer, *Document) error
}

// Formats is the registry of output formats, in the order help lists them.
func Formats() []Format {
	return []Format{
		{Name: "text", Description: "the human report (streamed as checks finish)", Stream: true, Write: writePlainText},
		{Name: "json", Description: "the JSON report (report/schema.json)", Write: WriteJSON},
		{Name: "jsonl", Description: "the JSON report on one line, for log pipelines", Write: WriteJSONCompact},
		{Name: "sarif", Description: "SARIF 2.1.0 for GitHub code scanning, Jenkins Warnings NG and other viewers", Write: WriteSARIF},
		{Name: "junit", Description: "JUnit XML for GitLab, Jenkins and other test tabs", Write: WriteJUnit},
		{Name: "github", Description: "GitHub Actions workflow commands (annotations)", Stream: true, Write: WriteGitHub},
		{Name: "gitlab", Description: "GitLab code quality report (merge request widget)", Write: WriteGitLab},
		{Name: "markdown", Description: "Markdown, for a pull request comment or a job summary", Write: WriteMarkdown},
		{Name: "html", Description: "one self-contained HTML page with the path drawn, to attach to a ticket", Write: WriteHTML},
	}
}

// LookupFormat finds a format of the registry by name.
func LookupFormat(name string) (Format, bool) {
	for _, f := range Formats() {
		if f.Name == name {
			return f, true
		}
	}
	return Format{}, false
}

// FormatNames lists the registry's names, comma-separated, for messages.
func FormatNames() string {
	var names []string
	for _, f := range Formats() {
		names = append(names, f.Name)
	}
	return strings.Join(names, ", ")
}

// writePlainText is the text report of a whole document, without color, at the default
// width: what the registry writes to a file.
func writePlainText(w io.Writer, doc *Document) error {
	return WriteText(w, doc, TextOptions{})
}

// attentionOrder returns the indexes of the findings in the order a reader should see them
// when only the first few are shown: fail, then warn, then error, then ignored findings;
// check order within each group.
func attentionOrder(findings []finding.Finding) []int {
	rank := func(f finding.Finding) int {
		if f.Ignored {
			return 4
		}
		switch f.Status {
		case finding.Fail:
			return 0
		case finding.Warn:
			return 1
		case finding.Error:
			return 2
		}
		return 3
	}
	order := make([]int, len(findings))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return rank(findings[order[a]]) < rank(findings[order[b]]) })
	return order
}

// levels names, in one CI format's words, the three statuses that ask for attention.
type levels struct{ fail, warn, error string }

// problemLevel is a format's word for a status that asks for attention (fail, warn, error),
// or "" for pass and skip, which CI formats report as no problem at all.
func problemLevel(s finding.Status, words levels) string {
	switch s {
	case finding.Fail:
		return words.fail
	case finding.Warn:
		return words.warn
	case finding.Error:
		return words.error
	}
	return ""
}
