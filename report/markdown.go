package report

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"strings"

	"github.com/vpcdoctor/vpcdoctor/finding"
	"github.com/vpcdoctor/vpcdoctor/internal/sanitize"
)

// The Markdown report is meant for a pull-request comment or a job summary
// ($GITHUB_STEP_SUMMARY). Its first line is a summary fit for a chat message (the verdict's
// mark, check and observation, and the counts); then the path of each service as a Mermaid
// graph (GitHub renders it natively), the broken hop red; then each finding that asks for
// attention in a collapsible section with all its fix commands in a fenced block; the
// skipped and passing checks folded away. It renders in GitHub and GitLab Markdown.

// MarkdownEmoji is the mark each status gets in the Markdown report.
var MarkdownEmoji = map[finding.Status]string{
	finding.Pass:  "✅",
	finding.Warn:  "⚠️",
	finding.Fail:  "❌",
	finding.Skip:  "⏭️",
	finding.Error: "❓",
}

// PendingEmoji marks a report or hop whose checks wait for terraform apply.
const PendingEmoji = "⏳"

// WriteMarkdown writes the document as a compact Markdown summary.
func WriteMarkdown(w io.Writer, doc *Document) error {
	bw := bufio.NewWriter(w)
	routes := Routes(doc.Findings, doc.Paths)
	fmt.Fprintf(bw, "### %s\n\n", markdownSummary(doc, routes))
	if scope := markdownScope(doc.Target); scope != "" {
		fmt.Fprintf(bw, "%s\n\n", scope)
	}
	for _, r := range routes {
		bw.WriteString(Mermaid(r))
		bw.WriteString("\n")
	}
	var attention, skipped, passed []finding.Finding
	for _, f := range doc.Findings {
		switch {
		case f.Status == finding.Pass:
			passed = append(passed, f)
		case f.Status == finding.Skip:
			skipped = append(skipped, f)
		default:
			attention = append(attention, f)
		}
	}
	several := len(doc.Target.Services) > 1
	for _, f := range attention {
		writeMarkdownFinding(bw, f, several)
	}
	if len(attention) > 0 {
		bw.WriteString("\n")
	}
	if len(skipped) > 0 {
		// Skips say why a check did not run (a failed prerequisite, a value known only after
		// apply); folded, because the failure that caused them is already above.
		deferred := 0
		for _, f := range skipped {
			if IsDeferred(f) {
				deferred++
			}
		}
		label := fmt.Sprintf("%d skipped", len(skipped))
		if deferred > 0 {
			label += fmt.Sprintf(", %d of them until terraform apply", deferred)
		}
		fmt.Fprintf(bw, "<details><summary>%s</summary>\n\n", label)
		for _, f := range skipped {
			mark := ""
			if IsDeferred(f) {
				mark = PendingEmoji + " "
			}
			fmt.Fprintf(bw, "- %s%s: %s\n", mark, markdownID(f, several), sanitize.MarkdownText(f.Message))
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

// writeMarkdownFinding writes one finding that asks for attention as a collapsible section:
// the summary names the check and what it observed; inside, the message, the fix and every
// command in a fenced block.
func writeMarkdownFinding(w io.Writer, f finding.Finding, withService bool) {
	mark := MarkdownEmoji[f.Status]
	if f.Ignored {
		mark += " (ignored)"
	}
	service := ""
	if withService && f.Service != "" {
		service = " on " + html.EscapeString(sanitize.Line(f.Service))
	}
	fmt.Fprintf(w, "<details><summary>%s <code>%s</code>%s: %s</summary>\n\n",
		mark, html.EscapeString(f.ID), service, html.EscapeString(fit(sanitize.Line(ShortNames(f.Message)), 120)))
	fmt.Fprintf(w, "%s ([%s](%s))\n\n", sanitize.MarkdownText(f.Message), f.ID, f.Docs)
	if r := f.Remediation; r != nil {
		if r.Text != "" {
			fmt.Fprintf(w, "**Fix:** %s\n\n", sanitize.MarkdownText(r.Text))
		}
		if len(r.Commands) > 0 {
			w.Write([]byte(sanitize.MarkdownFence("sh", r.Commands)))
			w.Write([]byte("\n"))
		}
	}
	fmt.Fprint(w, "</details>\n")
}

// markdownSummary is the heading: one line fit for a chat message.
func markdownSummary(doc *Document, routes []Route) string {
	status, verdict := VerdictText(routes)
	mark := MarkdownEmoji[status]
	deferred := 0
	for _, f := range doc.Findings {
		if IsDeferred(f) {
			deferred++
		}
	}
	if status == finding.Pass && deferred > 0 {
		mark = PendingEmoji
	}
	// The verdict as a code span: shown literally, with no escapes in the raw text, so the
	// line reads the same pasted into a chat as rendered.
	if status == finding.Pass {
		return fmt.Sprintf("%s vpcdoctor: %s (%s)", mark, verdict, summaryLine(doc.Summary))
	}
	return fmt.Sprintf("%s vpcdoctor: %s — %s", mark, sanitize.MarkdownCode(fitVerdict(verdict, 140), false), summaryLine(doc.Summary))
}

// markdownID names a check, with its service when the report covers several.
func markdownID(f finding.Finding, withService bool) string {
	id := "`" + f.ID + "`"
	if withService && f.Service != "" {
		id += " (" + sanitize.MarkdownText(f.Service) + ")"
	}
	return id
}

// markdownVerdict is the heading's mark: the worst status that is not ignored.
func markdownVerdict(findings []finding.Finding) string {
	status, _ := VerdictText(Routes(findings, nil))
	return MarkdownEmoji[status]
}

func markdownScope(t Target) string {
	var parts []string
	if len(t.Services) > 0 {
		parts = append(parts, "service "+sanitize.MarkdownText(strings.Join(t.Services, ", ")))
	}
	if t.Redis != "" {
		parts = append(parts, "Redis "+sanitize.MarkdownText(t.Redis))
	}
	if t.Project != "" {
		parts = append(parts, "project "+sanitize.MarkdownText(t.Project))
	}
	if t.Region != "" {
		parts = append(parts, "region "+sanitize.MarkdownText(t.Region))
	}
	if t.Input != "" {
		parts = append(parts, "from "+sanitize.MarkdownCode(t.Input, false))
	}
	return strings.Join(parts, " · ")
}

// Mermaid renders a route as a Mermaid flowchart in a fenced block: one node per hop, left
// to right, each labelled with its status in words (not colour alone) and classed by it, so
// a failing hop is red.
func Mermaid(r Route) string {
	var b strings.Builder
	b.WriteString("```mermaid\ngraph LR\n")
	for i, h := range r.Hops {
		label := h.Label()
		state, mark := string(h.Status), MarkdownEmoji[h.Status]
		if h.Pending() {
			state, mark = "after apply", PendingEmoji
		}
		// Cut after escaping, as the HTML diagram does: a name from input cannot stretch the
		// graph across the page.
		label = ellipsis(sanitize.Line(label), mermaidLabelRunes)
		fmt.Fprintf(&b, "  h%d[\"%s<br/>%s %s\"]\n", i, mermaidText(label), mark, mermaidText(state))
	}
	for i := 1; i < len(r.Hops); i++ {
		fmt.Fprintf(&b, "  h%d --> h%d\n", i-1, i)
	}
	b.WriteString("  classDef pass fill:#e6f4ea,stroke:#1e8e3e,color:#0d3d1a\n")
	b.WriteString("  classDef warn fill:#fef7e0,stroke:#b06000,color:#4a2800\n")
	b.WriteString("  classDef fail fill:#fce8e6,stroke:#c5221f,stroke-width:3px,color:#5c0b09\n")
	b.WriteString("  classDef error fill:#f3e8fd,stroke:#8430ce,color:#3b0a66\n")
	b.WriteString("  classDef skip fill:#f1f3f4,stroke:#80868b,color:#3c4043,stroke-dasharray:4 3\n")
	byStatus := map[finding.Status][]string{}
	for i, h := range r.Hops {
		status := h.Status
		if h.Pending() {
			status = finding.Skip
		}
		byStatus[status] = append(byStatus[status], fmt.Sprintf("h%d", i))
	}
	for _, status := range finding.Statuses {
		if nodes := byStatus[status]; len(nodes) > 0 {
			fmt.Fprintf(&b, "  class %s %s\n", strings.Join(nodes, ","), status)
		}
	}
	b.WriteString("```\n")
	return b.String()
}

// mermaidLabelRunes is the most of a hop's label a Mermaid node shows.
const mermaidLabelRunes = 48

// mermaidText escapes a node label for a double-quoted Mermaid label: every character but
// letters, digits, space and . _ / - is written as a Mermaid entity code (#NNN;), so quotes,
// brackets, '<', '#' and the Markdown GitHub applies inside labels are shown, not parsed.
func mermaidText(s string) string {
	var b strings.Builder
	for _, r := range sanitize.Line(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == ' ', r == '.', r == '/', r == '-':
			b.WriteRune(r)
		default:
			fmt.Fprintf(&b, "#%d;", r)
		}
	}
	return b.String()
}
