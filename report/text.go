package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/fatih/color"

	"github.com/vpcdoctor/vpcdoctor/checks"
)

// Text streams the human report: findings grouped by hop along the path, one line each
// with a colored mark, the observed values, and the remediation commands indented below.
type Text struct {
	w       io.Writer
	color   bool
	lastHop checks.Hop
	lastSvc string
	summary Summary
	paint   map[checks.Status]*color.Color
	dim     *color.Color
	bold    *color.Color
}

// Marks are the symbols each status prints with.
var Marks = map[checks.Status]string{
	checks.Pass:  "✓",
	checks.Warn:  "!",
	checks.Fail:  "✗",
	checks.Skip:  "-",
	checks.Error: "?",
}

// NewText returns a text reporter writing to w; useColor turns ANSI colors on.
func NewText(w io.Writer, useColor bool) *Text {
	mk := func(attrs ...color.Attribute) *color.Color {
		c := color.New(attrs...)
		if useColor {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return c
	}
	return &Text{
		w:     w,
		color: useColor,
		paint: map[checks.Status]*color.Color{
			checks.Pass:  mk(color.FgGreen),
			checks.Warn:  mk(color.FgYellow),
			checks.Fail:  mk(color.FgRed, color.Bold),
			checks.Skip:  mk(color.Faint),
			checks.Error: mk(color.FgMagenta),
		},
		dim:  mk(color.Faint),
		bold: mk(color.Bold),
	}
}

// Begin prints the heading of the report.
func (t *Text) Begin(target Target) {
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
	fmt.Fprintf(t.w, "%s %s\n", t.bold.Sprint("vpcdoctor"), t.dim.Sprint(strings.Join(parts, ", ")))
}

// Finding prints one finding, with a hop (and service) heading when the hop changes.
func (t *Text) Finding(f checks.Finding) {
	if f.Service != t.lastSvc {
		fmt.Fprintf(t.w, "\n%s\n", t.bold.Sprint("Service "+f.Service))
		t.lastSvc, t.lastHop = f.Service, ""
	}
	if f.Hop != t.lastHop {
		fmt.Fprintf(t.w, "\n  %s\n", t.bold.Sprint(checks.HopTitle(f.Hop)))
		t.lastHop = f.Hop
	}
	t.summary.Add(f)
	mark := t.paint[f.Status].Sprint(Marks[f.Status])
	id := fmt.Sprintf("%-22s", f.ID)
	message := f.Message
	if f.Status == checks.Skip {
		id, message = t.dim.Sprint(id), t.dim.Sprint(message)
	}
	suffix := ""
	if f.Ignored {
		suffix = t.dim.Sprint(" (ignored)")
	}
	fmt.Fprintf(t.w, "    %s %s %s%s\n", mark, id, message, suffix)
	if r := f.Remediation; r != nil && (f.Status == checks.Fail || f.Status == checks.Warn || f.Status == checks.Error) {
		if r.Text != "" {
			fmt.Fprintf(t.w, "        %s %s\n", t.dim.Sprint("fix:"), r.Text)
		}
		for _, cmd := range r.Commands {
			fmt.Fprintf(t.w, "          %s\n", t.dim.Sprint("$ ")+cmd)
		}
	}
}

// End prints the one-line summary.
func (t *Text) End() {
	s := t.summary
	parts := []string{
		t.paint[checks.Pass].Sprintf("%d passed", s.Pass),
		t.paint[checks.Warn].Sprintf("%d warning%s", s.Warn, plural(s.Warn)),
		t.paint[checks.Fail].Sprintf("%d failed", s.Fail),
		fmt.Sprintf("%d skipped", s.Skip),
		t.paint[checks.Error].Sprintf("%d error%s", s.Error, plural(s.Error)),
	}
	if s.Ignored > 0 {
		parts = append(parts, fmt.Sprintf("%d ignored", s.Ignored))
	}
	fmt.Fprintf(t.w, "\n%s %s\n", t.bold.Sprint("Summary:"), strings.Join(parts, ", "))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
