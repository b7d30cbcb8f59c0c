package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/vpcdoctor/vpcdoctor/finding"
	"github.com/vpcdoctor/vpcdoctor/internal/sanitize"
)

// GitHub Actions reads "workflow commands" from a step's output; ::error, ::warning and
// ::notice lines become annotations on the run (and on a file, when one is named). The
// mapping:
//   - fail    → ::error
//   - warn    → ::warning
//   - error   → ::notice (the check could not be evaluated: a gap in the input, not a
//     defect; the exit code, 3, already makes the job say so)
//   - ignored → ::notice whatever its status, with "(ignored)" in the title
//   - pass, skip → no annotation.
//
// GitHub shows at most 10 annotations of each kind per step, so the annotations come most
// important first (failures, warnings, errors, then ignored findings; check order within
// each), and the summary line says how many there are. An annotation is on the file the
// finding's resource was read from, at the line that declares it when known (file=, line=);
// else on the plan or service file a deploy check reads (see findingFile); else on no file.
// Every value from input is one escaped line (sanitize.Line), then escaped as the runner
// unescapes workflow commands, so input can neither end the command nor start another.

// WriteGitHub writes the findings that ask for attention as GitHub Actions workflow
// commands, most important first, then a summary line.
func WriteGitHub(w io.Writer, doc *Document) error {
	bw := bufio.NewWriter(w)
	for _, i := range attentionOrder(doc.Findings) {
		f := doc.Findings[i]
		command := githubCommand(f)
		if command == "" {
			continue
		}
		title := "vpcdoctor " + f.ID
		if f.Service != "" {
			title += " (" + f.Service + ")"
		}
		if f.Ignored {
			title += " (ignored)"
		}
		props := []string{}
		if file := findingFile(doc.Target, f); file != "" {
			props = append(props, "file="+escapeGitHubProperty(sanitize.Line(file)))
			if f.Source != "" && f.Line > 0 {
				props = append(props, fmt.Sprintf("line=%d", f.Line))
			}
		}
		props = append(props, "title="+escapeGitHubProperty(sanitize.Line(title)))
		fmt.Fprintf(bw, "::%s %s::%s\n", command, strings.Join(props, ","), escapeGitHubData(githubDetail(f)))
	}
	fmt.Fprintln(bw, "vpcdoctor: "+summaryLine(doc.Summary))
	return bw.Flush()
}

// githubDetail is findingDetail with every part from input made one line: the annotation's
// own line breaks (escaped as %0A) separate the parts.
func githubDetail(f finding.Finding) string {
	lines := []string{sanitize.Line(f.Message)}
	if f.Resource != "" {
		lines = append(lines, "resource: "+sanitize.Line(f.Resource))
	}
	if r := f.Remediation; r != nil {
		if r.Text != "" {
			lines = append(lines, "fix: "+sanitize.Line(r.Text))
		}
		for _, cmd := range r.Commands {
			lines = append(lines, "  $ "+sanitize.Line(cmd))
		}
	}
	if f.Docs != "" {
		lines = append(lines, "docs: "+sanitize.Line(f.Docs))
	}
	return strings.Join(lines, "\n")
}

func githubCommand(f finding.Finding) string {
	if f.Ignored {
		if f.Status == finding.Pass || f.Status == finding.Skip {
			return ""
		}
		return "notice"
	}
	return problemLevel(f.Status, levels{fail: "error", warn: "warning", error: "notice"})
}

// escapeGitHubData escapes a workflow command's message the way the Actions runner
// unescapes it: % first, then the line breaks that would end the command.
func escapeGitHubData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeGitHubProperty escapes a property value: as data, plus the ":" and "," that
// separate properties from each other and from the message.
func escapeGitHubProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// summaryLine counts the findings per status in one line, as the text report's summary
// does: ignored findings apart (Summary.Shown).
func summaryLine(s Summary) string {
	s = s.Shown()
	line := fmt.Sprintf("%d passed, %d warning%s, %d failed, %d skipped, %d error%s",
		s.Pass, s.Warn, plural(s.Warn), s.Fail, s.Skip, s.Error, plural(s.Error))
	if s.Ignored > 0 {
		line += fmt.Sprintf(", %d ignored", s.Ignored)
	}
	return line
}
