package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/vpcdoctor/vpcdoctor/checks"
)

// The Markdown report is meant for a pull-request comment or a job summary
// ($GITHUB_STEP_SUMMARY): a heading with the verdict and counts, one table row per finding
// that asks for attention (status, check, service, what was observed, the first fix
// command), and the passing checks folded away. It renders in GitHub and GitLab Markdown.

// MarkdownEmoji is the mark each status gets in the Markdown table.
var MarkdownEmoji = map[checks.Status]string{
	checks.Pass:  "✅",
	checks.Warn:  "⚠️",
	checks.Fail:  "❌",
	checks.Skip:  "⏭️",
	checks.Error: "❓",
}

// WriteMarkdown writes the document as a compact Markdown summary.
func WriteMarkdown(w io.Writer, doc *Document) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "### %s vpcdoctor: %s\n\n", markdownVerdict(doc.Findings), summaryLine(doc.Summary))
	if scope := markdownScope(doc.Target); scope != "" {
		fmt.Fprintf(bw, "%s\n\n", scope)
	}
	var attention, skipped, passed []checks.Finding
	for _, f := range doc.Findings {
		switch {
		case f.Ignored && f.Status != checks.Pass && f.Status != checks.Skip:
			attention = append(attention, f)
		case f.Status == checks.Pass:
			passed = append(passed, f)
		case f.Status == checks.Skip:
			skipped = append(skipped, f)
		default:
			attention = append(attention, f)
		}
	}
	several := len(doc.Target.Services) > 1
	if len(attention) > 0 {
		bw.WriteString("| | Check | Service | Finding | Fix |\n|---|---|---|---|---|\n")
		for _, f := range attention {
			mark := MarkdownEmoji[f.Status]
			if f.Ignored {
				mark += " (ignored)"
			}
			fmt.Fprintf(bw, "| %s | [`%s`](%s) | %s | %s | %s |\n",
				mark, f.ID, f.Docs, markdownCell(f.Service), markdownCell(f.Message), markdownFix(f))
		}
		bw.WriteString("\n")
	}
	if len(skipped) > 0 {
		// Skips say why a check did not run (a failed prerequisite, a value known only after
		// apply); folded, because the failure that caused them is already in the table.
		fmt.Fprintf(bw, "<details><summary>%d skipped</summary>\n\n", len(skipped))
		for _, f := range skipped {
			fmt.Fprintf(bw, "- %s: %s\n", markdownID(f, several), markdownCell(f.Message))
		}
		bw.WriteString("\n</details>\n")
	}
	if len(passed) > 0 {
		ids := make([]string, 0, len(passed))
		for _, f := range passed {
			ids = append(ids, markdownID(f, several))
		}
		fmt.Fprintf(bw, "<details><summary>%d passed</summary>\n\n%s\n\n</details>\n", len(passed), strings.Join(ids, ", "))
	}
	return bw.Flush()
}

// markdownID names a check, with its service when the report covers several.
func markdownID(f checks.Finding, withService bool) string {
	id := "`" + f.ID + "`"
	if withService && f.Service != "" {
		id += " (" + markdownCell(f.Service) + ")"
	}
	return id
}

// markdownVerdict is the heading's mark: the worst status that is not ignored.
func markdownVerdict(findings []checks.Finding) string {
	worst := checks.Pass
	rank := map[checks.Status]int{checks.Pass: 0, checks.Skip: 0, checks.Warn: 1, checks.Error: 2, checks.Fail: 3}
	for _, f := range findings {
		if !f.Ignored && rank[f.Status] > rank[worst] {
			worst = f.Status
		}
	}
	return MarkdownEmoji[worst]
}

func markdownScope(t Target) string {
	var parts []string
	if len(t.Services) > 0 {
		parts = append(parts, "service "+markdownCell(strings.Join(t.Services, ", ")))
	}
	if t.Redis != "" {
		parts = append(parts, "Redis "+markdownCell(t.Redis))
	}
	if t.Project != "" {
		parts = append(parts, "project "+markdownCell(t.Project))
	}
	if t.Region != "" {
		parts = append(parts, "region "+markdownCell(t.Region))
	}
	if t.Input != "" {
		parts = append(parts, "from "+markdownCode(t.Input))
	}
	return strings.Join(parts, " · ")
}

// markdownFix is the fix cell: the first command, which is the one to run; the sentence
// stands in when there is no command.
func markdownFix(f checks.Finding) string {
	r := f.Remediation
	if r == nil || f.Status == checks.Pass || f.Status == checks.Skip {
		return ""
	}
	if len(r.Commands) > 0 {
		return markdownCode(r.Commands[0])
	}
	return markdownCell(r.Text)
}

// markdownCell makes text safe inside a table cell: no line breaks, no pipes, and no raw
// HTML from resource names or messages. Messages quote commands in backticks; entities are
// not decoded inside code spans, so "<" is escaped only outside them.
func markdownCell(s string) string {
	var b strings.Builder
	inCode := false
	for _, r := range s {
		switch {
		case r == '`':
			inCode = !inCode
			b.WriteRune(r)
		case r == '<' && !inCode:
			b.WriteString("&lt;")
		default:
			b.WriteRune(r)
		}
	}
	return tableSafe(b.String())
}

// markdownCode renders s as a code span inside a table cell. Entities are not decoded in
// code spans, so only the pipe (which GFM tables unescape before parsing the cell) and
// backticks need care: the span's fence is one backtick longer than any run inside it.
func markdownCode(s string) string {
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if longest > 0 {
		s = " " + s + " "
	}
	return fence + tableSafe(s) + fence
}

func tableSafe(s string) string {
	return strings.NewReplacer("|", `\|`, "\r\n", "<br>", "\n", "<br>", "\r", "<br>").Replace(s)
}
