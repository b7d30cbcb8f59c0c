package report

import (
	"encoding/json"
	"io"
	"path/filepath"
	"strings"

	"github.com/vpcdoctor/vpcdoctor/finding"
)

// The GitLab code quality report (artifacts:reports:codequality) is what GitLab shows in
// the merge request widget (and, on higher tiers, beside the changed lines). GitLab reads a
// JSON array of objects with description, check_name, fingerprint, severity, location.path
// and location.lines.begin, and ignores the rest of the Code Climate specification.
//
// Mapping: one issue per finding that asks for attention and is not ignored (GitLab has no
// suppression):
//   - fail  → severity "critical": the deploy cannot work as configured;
//   - warn  → "minor": it may work, worse than it could;
//   - error → "info": the check could not be evaluated (the exit code, 3, says so too).
//
// pass and skip produce no issue. The location is the one SARIF uses (the input file and
// line, else the deploy input, else the gcp/ pseudo-path), and the fingerprint is the SARIF
// partial fingerprint: the same check on the same service and resource is the same issue
// across pipelines, so the widget tells new findings from resolved ones.

type gitlabIssue struct {
	Description string         `json:"description"`
	CheckName   string         `json:"check_name"`
	Fingerprint string         `json:"fingerprint"`
	Severity    string         `json:"severity"`
	Location    gitlabLocation `json:"location"`
}

type gitlabLocation struct {
	Path  string      `json:"path"`
	Lines gitlabLines `json:"lines"`
}

type gitlabLines struct {
	Begin int `json:"begin"`
}

// WriteGitLab writes the document as a GitLab code quality report.
func WriteGitLab(w io.Writer, doc *Document) error {
	issues := []gitlabIssue{}
	for _, i := range attentionOrder(doc.Findings) {
		f := doc.Findings[i]
		severity := gitlabSeverity(f)
		if severity == "" {
			continue
		}
		path, line := gitlabPath(doc.Target, f)
		issues = append(issues, gitlabIssue{
			Description: gitlabDescription(f),
			CheckName:   f.ID,
			Fingerprint: fingerprint(f.ID, f.Service, f.Resource),
			Severity:    severity,
			Location:    gitlabLocation{Path: path, Lines: gitlabLines{Begin: line}},
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(issues)
}

func gitlabSeverity(f finding.Finding) string {
	if f.Ignored {
		return ""
	}
	return problemLevel(f.Status, levels{fail: "critical", warn: "minor", error: "info"})
}

// gitlabDescription is one line: the widget lists issues by their description.
func gitlabDescription(f finding.Finding) string {
	d := f.ID + ": " + f.Message
	if f.Service != "" {
		d = f.ID + " (" + f.Service + "): " + f.Message
	}
	if r := f.Remediation; r != nil && r.Text != "" {
		if !strings.HasSuffix(d, ".") {
			d += "."
		}
		d += " Fix: " + r.Text
	}
	return d
}

// gitlabPath is the relative path and line of a finding: its input file when the path is
// relative (GitLab resolves location.path against the repository), else the gcp/
// pseudo-path, line 1.
func gitlabPath(t Target, f finding.Finding) (string, int) {
	file := findingFile(t, f)
	if file == "" || filepath.IsAbs(file) {
		return pseudoPath(t, f), 1
	}
	line := 1
	if f.Source != "" && f.Line > 0 {
		line = f.Line
	}
	return strings.TrimPrefix(filepath.ToSlash(filepath.Clean(file)), "./"), line
}
