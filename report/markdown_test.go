package report

import (
	"bytes"
	"strings"
	"testing"
)

func TestMarkdownEscaping(t *testing.T) {
	cells := []struct{ in, want string }{
		{"a | b", `a \| b`},
		{"line1\nline2", "line1<br>line2"},
		{"<script>", "&lt;script>"},
		{"add `a<b` here", "add `a<b` here"}, // entities are not decoded in code spans
	}
	for _, tt := range cells {
		if got := markdownCell(tt.in); got != tt.want {
			t.Errorf("markdownCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	codes := []struct{ in, want string }{
		{"gcloud run services update x", "`gcloud run services update x`"},
		{"echo `date`", "`` echo `date` ``"},
		{"a | b", "`a \\| b`"},
	}
	for _, tt := range codes {
		if got := markdownCode(tt.in); got != tt.want {
			t.Errorf("markdownCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMarkdownTable(t *testing.T) {
	tests := []struct {
		c       goldenCase
		verdict string
		rows    []string // check ids in the table, in order
	}{
		{goldenCase{scenario: "healthy"}, "✅", nil},
		{goldenCase{scenario: "connector-missing"}, "❌", []string{"connector.found"}},
		{goldenCase{scenario: "missing-subnets"}, "❓", []string{"connector.range"}},
		{goldenCase{scenario: "connector-creating"}, "⚠️", []string{"connector.ready"}},
		{goldenCase{scenario: "redis-region", ignore: []string{"redis.region"}}, "✅", []string{"redis.region"}},
	}
	for _, tt := range tests {
		doc := scenarioDocument(t, tt.c)
		out := render(t, func(w *bytes.Buffer) error { return WriteMarkdown(w, doc) })
		if !strings.HasPrefix(out, "### "+tt.verdict+" vpcdoctor: ") {
			t.Errorf("%s: heading %q, want verdict %s", tt.c.scenario, strings.SplitN(out, "\n", 2)[0], tt.verdict)
		}
		var rows []string
		for _, line := range strings.Split(out, "\n") {
			if !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "| | Check") {
				continue
			}
			cells := strings.Split(line, " | ")
			if len(cells) != 5 {
				t.Errorf("%s: row has %d cells: %q", tt.c.scenario, len(cells), line)
				continue
			}
			rows = append(rows, strings.SplitN(cells[1], "`", 3)[1])
			if !strings.HasPrefix(cells[4], "`gcloud ") {
				t.Errorf("%s: fix cell %q is not the first command", tt.c.scenario, cells[4])
			}
		}
		if strings.Join(rows, ",") != strings.Join(tt.rows, ",") {
			t.Errorf("%s: rows %v, want %v", tt.c.scenario, rows, tt.rows)
		}
		if doc.Summary.Pass > 0 && !strings.Contains(out, "<summary>") {
			t.Errorf("%s: passing checks are not folded", tt.c.scenario)
		}
	}
}
