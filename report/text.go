package report

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/fatih/color"

	"github.com/vpcdoctor/vpcdoctor/finding"
	"github.com/vpcdoctor/vpcdoctor/internal/sanitize"
)

// The human report. Its first line is the verdict (the worst finding's check and what it
// observed), its second the path strip (each hop marked, the broken one red), one strip per
// service; then the findings grouped by hop, each with its fix commands. Lines fit the width;
// a command longer than the width is split before a flag with a shell line continuation, so
// a copied command still runs as one.

// DefaultWidth is the width of the text report when the output is not a terminal.
const DefaultWidth = 100

// minWidth is the narrowest width the text report wraps to.
const minWidth = 40

// Marks are the symbols each status prints with.
var Marks = map[finding.Status]string{
	finding.Pass:  "✓",
	finding.Warn:  "!",
	finding.Fail:  "✗",
	finding.Skip:  "-",
	finding.Error: "?",
}

// TextOptions shape the text report.
type TextOptions struct {
	// Color turns ANSI colours on.
	Color bool
	// Width is the line width to fit (DefaultWidth when 0).
	Width int
	// Quiet prints the verdict, the strips and only the findings that did not pass: warnings,
	// failures, errors and checks that wait for terraform apply.
	Quiet bool
}

// Text collects findings as they arrive and writes the whole text report at End: the
// verdict line comes first, so it needs every finding.
type Text struct {
	w        io.Writer
	opts     TextOptions
	target   Target
	shapes   []finding.PathShape
	findings []finding.Finding
}

// NewText returns a text reporter writing to w; useColor turns ANSI colors on.
func NewText(w io.Writer, useColor bool) *Text {
	return NewTextWith(w, TextOptions{Color: useColor})
}

// NewTextWith returns a text reporter writing to w with the given options.
func NewTextWith(w io.Writer, opts TextOptions) *Text {
	return &Text{w: w, opts: opts}
}

// Begin records what the report is about.
func (t *Text) Begin(target Target) { t.target = target }

// Path records the hops of one service's path, for its strip.
func (t *Text) Path(shape finding.PathShape) { t.shapes = append(t.shapes, shape) }

// Finding records one finding.
func (t *Text) Finding(f finding.Finding) { t.findings = append(t.findings, f) }

// End writes the report.
func (t *Text) End() {
	doc := NewDocument(Tool{Name: "vpcdoctor"}, t.target, t.findings)
	doc.Paths = t.shapes
	_ = WriteText(t.w, doc, t.opts)
}

// textPainter colours text, or not.
type textPainter struct {
	status map[finding.Status]*color.Color
	dim    *color.Color
	bold   *color.Color
	broken *color.Color
}

func newPainter(useColor bool) textPainter {
	mk := func(attrs ...color.Attribute) *color.Color {
		c := color.New(attrs...)
		if useColor {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return c
	}
	return textPainter{
		status: map[finding.Status]*color.Color{
			finding.Pass:  mk(color.FgGreen),
			finding.Warn:  mk(color.FgYellow),
			finding.Fail:  mk(color.FgRed, color.Bold),
			finding.Skip:  mk(color.Faint),
			finding.Error: mk(color.FgMagenta),
		},
		dim:    mk(color.Faint),
		bold:   mk(color.Bold),
		broken: mk(color.FgRed, color.Bold, color.Underline),
	}
}

// WriteText writes the whole text report of a document.
func WriteText(w io.Writer, doc *Document, opts TextOptions) error {
	width := opts.Width
	if width <= 0 {
		width = DefaultWidth
	}
	width = max(width, minWidth)
	paint := newPainter(opts.Color)
	bw := bufio.NewWriter(w)
	routes := Routes(doc.Findings, doc.Paths)

	status, verdict := VerdictText(routes)
	line := fitVerdict(Marks[status]+" "+sanitize.Line(verdict), width)
	fmt.Fprintln(bw, paint.status[status].Sprint(Marks[status])+" "+line[len(Marks[status])+1:])
	for _, r := range routes {
		fmt.Fprintln(bw, Strip(r, width, paint))
	}

	fmt.Fprintf(bw, "\n%s %s\n", paint.bold.Sprint("vpcdoctor"), paint.dim.Sprint(fit(sanitize.Line(heading(doc.Target)), width-10)))
	severalServices := len(routes) > 1
	for _, r := range routes {
		if severalServices {
			fmt.Fprintf(bw, "\n%s\n", paint.bold.Sprint("Service "+sanitize.Line(r.Service)))
		}
		for _, h := range r.Hops {
			var shown []finding.Finding
			for _, f := range h.Findings {
				if !opts.Quiet || f.Status == finding.Warn || f.Status == finding.Fail || f.Status == finding.Error || IsDeferred(f) {
					shown = append(shown, f)
				}
			}
			if len(shown) == 0 {
				continue
			}
			title := h.Kind
			if h.Name != "" {
				title += " " + h.Name
			}
			if h.Note != "" {
				title += " (" + h.Note + ")"
			}
			fmt.Fprintf(bw, "\n  %s\n", paint.bold.Sprint(fit(sanitize.Line(title), width-2)))
			for _, f := range shown {
				writeTextFinding(bw, f, width, paint)
			}
		}
	}
	s := doc.Summary.Shown()
	parts := []string{
		paint.status[finding.Pass].Sprintf("%d passed", s.Pass),
		paint.status[finding.Warn].Sprintf("%d warning%s", s.Warn, plural(s.Warn)),
		paint.status[finding.Fail].Sprintf("%d failed", s.Fail),
		fmt.Sprintf("%d skipped", s.Skip),
		paint.status[finding.Error].Sprintf("%d error%s", s.Error, plural(s.Error)),
	}
	if s.Ignored > 0 {
		parts = append(parts, fmt.Sprintf("%d ignored", s.Ignored))
	}
	// The counts, wrapped at a comma when the width is short.
	line, plain := paint.bold.Sprint("Summary:"), len("Summary:")
	for i, part := range parts {
		n := len(stripANSI(part)) + 2
		if plain+n > width {
			line += "\n        "
			plain = 8
		} else {
			line += " "
		}
		line += part
		if i < len(parts)-1 {
			line += ","
		}
		plain += n
	}
	fmt.Fprintf(bw, "\n%s\n", line)
	return bw.Flush()
}

// heading says what was checked: project, region, input.
func heading(target Target) string {
	var parts []string
	if target.Project != "" {
		parts = append(parts, "project "+target.Project)
	}
	if target.Region != "" {
		parts = append(parts, "region "+target.Region)
	}
	switch {
	case target.Source == "probe":
		parts = append(parts, "probe of "+target.Input)
	case target.Input != "":
		parts = append(parts, "from "+target.Input)
	}
	return strings.Join(parts, ", ")
}

const (
	findingIndent = 4                  // "    ✓ "
	idColumn      = 22                 // check IDs are padded to this
	messageIndent = findingIndent + 25 // where messages start: indent, mark, space, id, space
	fixIndent     = 8
	commandIndent = 10
)

func writeTextFinding(w io.Writer, f finding.Finding, width int, paint textPainter) {
	mark := paint.status[f.Status].Sprint(Marks[f.Status])
	id := fmt.Sprintf("%-*s", idColumn, f.ID)
	message := sanitize.Line(f.Message)
	if f.Ignored {
		message += " (ignored)"
	}
	lines := wrap(message, width-messageIndent)
	if utf8.RuneCountInString(f.ID) > idColumn {
		// A long ID pushes the message to the next line rather than out of its column.
		lines = append([]string{""}, lines...)
	}
	for i, l := range lines {
		if f.Status == finding.Skip {
			l = paint.dim.Sprint(l)
		}
		if i == 0 {
			if f.Status == finding.Skip {
				id = paint.dim.Sprint(id)
			}
			fmt.Fprintf(w, "%s%s %s %s\n", spaces(findingIndent), mark, id, l)
			continue
		}
		fmt.Fprintf(w, "%s%s\n", spaces(messageIndent), l)
	}
	r := f.Remediation
	if r == nil || (f.Status != finding.Fail && f.Status != finding.Warn && f.Status != finding.Error) {
		return
	}
	if r.Text != "" {
		for i, l := range wrap(sanitize.Line(r.Text), width-fixIndent-5) {
			prefix := paint.dim.Sprint("fix: ")
			if i > 0 {
				prefix = "     "
			}
			fmt.Fprintf(w, "%s%s%s\n", spaces(fixIndent), prefix, l)
		}
	}
	for _, cmd := range r.Commands {
		for i, l := range splitCommand(sanitize.Line(cmd), width-commandIndent-2) {
			prefix := paint.dim.Sprint("$ ")
			if i > 0 {
				prefix = "      "
			}
			fmt.Fprintf(w, "%s%s%s\n", spaces(commandIndent), prefix, l)
		}
	}
}

// stripANSI removes colour codes, to measure what a coloured string shows.
func stripANSI(s string) string { return ansiRe.ReplaceAllString(s, "") }

var ansiRe = regexp.MustCompile("\x1b\\[[0-9;]*m")

func spaces(n int) string { return strings.Repeat(" ", n) }

// cutLabel cuts a label longer than the whole line to width runes, as Strip's one-rune-at-
// a-time shortening would, so that a name of any length from input costs Strip no more
// than one of width runes.
func cutLabel(label string, width int) string {
	if width < 2 || utf8.RuneCountInString(label) <= width {
		return label
	}
	return string([]rune(label)[:width-1]) + "…"
}

// Strip renders a route as one line of hops, each with its mark, the broken hop red; it
// shortens names until the line fits width.
func Strip(r Route, width int, paint textPainter) string {
	broken := r.Broken()
	labels := make([]string, len(r.Hops))
	for i, h := range r.Hops {
		labels[i] = cutLabel(sanitize.Line(h.Label()), width)
	}
	const sep = " → "
	length := func() int {
		n := 0
		for i, l := range labels {
			n += utf8.RuneCountInString(l) + 2 // mark and space
			if i > 0 {
				n += utf8.RuneCountInString(sep)
			}
		}
		return n
	}
	// Short of room: drop the kind word of the hops that are not broken, then shorten the
	// longest label (the broken hop's last) until the line fits.
	for i, h := range r.Hops {
		if length() > width && i != broken {
			labels[i] = cutLabel(sanitize.Line(h.Compact()), width)
		}
	}
	for length() > width {
		longest := -1
		for i, l := range labels {
			n := utf8.RuneCountInString(l)
			if n <= 6 {
				continue
			}
			if longest < 0 || (i != broken && (longest == broken || n > utf8.RuneCountInString(labels[longest]))) {
				longest = i
			}
		}
		if longest < 0 {
			break
		}
		n := utf8.RuneCountInString(labels[longest])
		labels[longest] = string([]rune(labels[longest])[:n-2]) + "…"
	}
	parts := make([]string, len(r.Hops))
	for i, h := range r.Hops {
		c := paint.status[h.Status]
		label := c.Sprint(labels[i])
		if h.Status == finding.Pass {
			label = labels[i]
		}
		if i == broken {
			label = paint.broken.Sprint(labels[i])
		}
		mark := Marks[h.Status]
		if h.Pending() {
			mark = PendingMark
		}
		parts[i] = c.Sprint(mark) + " " + label
	}
	return strings.Join(parts, paint.dim.Sprint(sep))
}

// fit cuts s to width runes, ending in "…" when cut.
func fit(s string, width int) string {
	if width <= 1 || utf8.RuneCountInString(s) <= width {
		return s
	}
	runes := []rune(s)
	cut := width - 1
	// Prefer to cut at a space, unless that loses most of the line.
	if i := strings.LastIndex(string(runes[:cut]), " "); i > 0 && utf8.RuneCountInString(string(runes[:cut])[:i]) > width*2/3 {
		return string(runes[:cut])[:i] + " …"
	}
	return string(runes[:cut]) + "…"
}

// fitVerdict shortens the verdict line to width while keeping the observed values, which
// sit at both ends of a message ("X is on network A, but Redis authorizes B: consequence"):
// first the consequence after the last ": " goes, then words from the middle.
func fitVerdict(s string, width int) string {
	if utf8.RuneCountInString(s) <= width {
		return s
	}
	if i := strings.LastIndex(s, ": "); i > 0 && utf8.RuneCountInString(s[:i]) >= 40 && strings.Count(s[:i], ": ") >= 1 {
		s = s[:i]
	}
	if utf8.RuneCountInString(s) <= width {
		return s
	}
	words := strings.Fields(s)
	// Keep words from the start (at least the mark, the check and a few words) and from the
	// end until the line is full, with " … " between them.
	head, tail := 0, len(words)
	length := func() int {
		return utf8.RuneCountInString(strings.Join(words[:head], " ")) + 3 + utf8.RuneCountInString(strings.Join(words[tail:], " "))
	}
	for grew := true; grew && head < tail; {
		grew = false
		if head++; length() > width {
			head--
		} else {
			grew = true
		}
		if head < tail {
			if tail--; length() > width {
				tail++
			} else {
				grew = true
			}
		}
	}
	if head >= tail {
		return s
	}
	if head < 3 || tail >= len(words) {
		return fit(s, width)
	}
	return strings.Join(words[:head], " ") + " … " + strings.Join(words[tail:], " ")
}

// wrap breaks text into lines of at most width runes at spaces; a word longer than width
// (a resource name) gets a line of its own rather than being split. A word that starts
// with "::" never starts a line: GitHub's runner reads a log line that starts with "::"
// after its leading spaces as a workflow command, and the word may come from input.
func wrap(text string, width int) []string {
	width = max(width, 20)
	words := strings.Fields(text)
	if len(words) == 0 {
		return []string{""}
	}
	var lines []string
	var current strings.Builder // a builder: words starting with "::" can make one line long
	current.WriteString(words[0])
	currentRunes := utf8.RuneCountInString(words[0])
	for _, word := range words[1:] {
		n := utf8.RuneCountInString(word)
		if currentRunes+1+n > width && !strings.HasPrefix(word, "::") {
			lines = append(lines, current.String())
			current.Reset()
			current.WriteString(word)
			currentRunes = n
			continue
		}
		current.WriteString(" " + word)
		currentRunes += 1 + n
	}
	return append(lines, current.String())
}

// splitCommand breaks a shell command longer than width into lines ending in " \" (a line
// continuation), each break before a "--flag" outside quotes, so the lines pasted into a
// shell run as the one command. A command with no such break stays one line.
func splitCommand(cmd string, width int) []string {
	width = max(width, 20)
	if utf8.RuneCountInString(cmd) <= width {
		return []string{cmd}
	}
	// The positions where a flag starts, outside single and double quotes.
	var breaks []int
	var quote rune
	escaped := false
	for i, r := range cmd {
		switch {
		case escaped:
			escaped = false
		case r == '\\' && quote != '\'':
			escaped = true
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == ' ' && strings.HasPrefix(cmd[i:], " --"):
			breaks = append(breaks, i)
		case r == ' ' && (strings.HasPrefix(cmd[i:], " && ") || strings.HasPrefix(cmd[i:], " | ")):
			breaks = append(breaks, i)
		}
	}
	var lines []string
	start := 0
	last := 0
	for _, b := range append(breaks, len(cmd)) {
		segment := strings.TrimSpace(cmd[start:b])
		if utf8.RuneCountInString(segment)+2 > width-6 && last > start {
			lines = append(lines, strings.TrimSpace(cmd[start:last])+" \\")
			start = last
		}
		last = b
	}
	if rest := strings.TrimSpace(cmd[start:]); rest != "" {
		lines = append(lines, rest)
	}
	return lines
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
