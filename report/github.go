package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/vpcdoctor/vpcdoctor/checks"
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
// An annotation is on the file the finding's resource was read from, else on the plan or
// service file a deploy check reads (see findingFile), else on no file. The summary follows
// as a plain log line.

// WriteGitHub writes the findings that ask for attention as GitHub Actions workflow
// commands, then a summary line.
func WriteGitHub(w io.Writer, doc *Document) error {
	bw := bufio.NewWriter(w)
	for _, f := range doc.Findings {
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
			props = append(props, "file="+escapeGitHubProperty(file))
		}
		props = append(props, "title="+escapeGitHubProperty(title))
		fmt.Fprintf(bw, "::%s %s::%s\n", command, strings.Join(props, ","), escapeGitHubData(findingDetail(f)))
	}
	fmt.Fprintln(bw, "vpcdoctor: "+summaryLine(doc.Summary))
	return bw.Flush()
}

func githubCommand(f checks.Finding) string {
	if f.Ignored {
		if f.Status == checks.Pass || f.Status == checks.Skip {
			return ""
		}
		return "notice"
	}
	switch f.Status {
	case checks.Fail:
		return "error"
	case checks.Warn:
		return "warning"
	case checks.Error:
		return "notice"
	}
	return ""
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

// summaryLine counts the findings per status in one line, as the text report's summary does.
func summaryLine(s Summary) string {
	line := fmt.Sprintf("%d passed, %d warning%s, %d failed, %d skipped, %d error%s",
		s.Pass, s.Warn, plural(s.Warn), s.Fail, s.Skip, s.Error, plural(s.Error))
	if s.Ignored > 0 {
		line += fmt.Sprintf(", %d ignored", s.Ignored)
	}
	return line
}
