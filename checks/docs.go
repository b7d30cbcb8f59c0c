package checks

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// RenderDocs writes docs/checks.md: every check of the catalogue, grouped by hop in path
// order, under a heading that is exactly its ID, so that GitHub's heading anchor equals
// Anchor(id) and the Docs link of every finding lands on it. The text comes from the same
// catalogue and explain files the CLI prints, so the page cannot drift from the binary
// (a test regenerates it and compares).
func RenderDocs(w io.Writer) error {
	bw := bufio.NewWriter(w)
	catalogue := Catalogue()
	fmt.Fprintln(bw, "# vpcdoctor checks")
	fmt.Fprintln(bw)
	fmt.Fprintln(bw, "<!-- Generated from the check catalogue by checks.RenderDocs; do not edit. Regenerate with `go run ./internal/regen`. -->")
	fmt.Fprintln(bw)
	fmt.Fprintln(bw, "Every check vpcdoctor runs, in the order it runs them: along the path from the Cloud Run service to Memorystore for Redis. `vpcdoctor explain ID` prints the same text.")
	fmt.Fprintln(bw)
	fmt.Fprintln(bw, "| ID | Hop | Verifies |")
	fmt.Fprintln(bw, "|---|---|---|")
	for _, check := range catalogue {
		fmt.Fprintf(bw, "| [%s](#%s) | %s | %s |\n", check.ID, Anchor(check.ID), HopTitle(check.Hop), escapeCell(check.Summary))
	}
	for _, hop := range Hops {
		first := true
		for _, check := range catalogue {
			if check.Hop != hop {
				continue
			}
			if first {
				// A bold line rather than a heading: headings are reserved for check IDs, so
				// no hop title can ever take an anchor a check needs.
				fmt.Fprintf(bw, "\n---\n\n**%s**\n", HopTitle(hop))
				first = false
			}
			fmt.Fprintf(bw, "\n## %s\n\n", check.ID)
			fmt.Fprintf(bw, "**%s.** %s.\n\n", check.Title, upperFirst(check.Summary))
			if len(check.Requires) > 0 {
				links := make([]string, len(check.Requires))
				for i, req := range check.Requires {
					links[i] = fmt.Sprintf("[%s](#%s)", req, Anchor(req))
				}
				fmt.Fprintf(bw, "Runs after: %s (skipped when one of them does not pass or warn).\n\n", strings.Join(links, ", "))
			}
			fmt.Fprintln(bw, Explain(check.ID))
		}
	}
	return bw.Flush()
}

// The markers around the block of README.md that RenderReadmeChecks writes.
const (
	ReadmeChecksBegin = "<!-- checks:begin: generated from the check catalogue by checks.RenderReadmeChecks; do not edit (go run ./internal/regen rewrites it) -->"
	ReadmeChecksEnd   = "<!-- checks:end -->"
)

// RenderReadmeChecks writes the README's table of the catalogue's check IDs, one row per hop
// in path order and the IDs in catalogue order, so the README cannot list a check the
// binary lacks or miss one it has (a test compares the committed block).
func RenderReadmeChecks(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "| hop | checks |")
	fmt.Fprintln(bw, "|---|---|")
	catalogue := Catalogue()
	for _, hop := range Hops {
		var ids []string
		for _, check := range catalogue {
			if check.Hop == hop {
				ids = append(ids, "`"+check.ID+"`")
			}
		}
		if len(ids) > 0 {
			fmt.Fprintf(bw, "| %s | %s |\n", HopTitle(hop), strings.Join(ids, ", "))
		}
	}
	return bw.Flush()
}

func escapeCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
