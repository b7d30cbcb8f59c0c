package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/vpcdoctor/vpcdoctor/checks"
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
		verdict string   // "" when other checks may change it
		rows    []string // check ids the table must show
	}{
		{goldenCase{scenario: "healthy"}, "", nil},
		{goldenCase{scenario: "connector-missing"}, "❌", []string{"connector.found"}},
		{goldenCase{scenario: "missing-subnets"}, "❓", []string{"connector.range"}},
		{goldenCase{scenario: "connector-creating"}, "", []string{"connector.ready"}},
		{goldenCase{scenario: "redis-region", ignore: []string{"redis.region"}}, "", []string{"redis.region"}},
	}
	for _, tt := range tests {
		doc := scenarioDocument(t, tt.c)
		out := render(t, func(w *bytes.Buffer) error { return WriteMarkdown(w, doc) })
		// The verdict is the worst status not ignored; the table pins the scenarios whose
		// verdict no other check can change (a failure, an error without a failure).
		verdict := tt.verdict
		if verdict == "" {
			verdict = markdownVerdict(doc.Findings)
			if verdict == MarkdownEmoji[checks.Fail] {
				t.Errorf("%s: verdict %s without a failure", tt.c.scenario, verdict)
			}
		}
		if !strings.HasPrefix(out, "### "+verdict+" vpcdoctor: ") {
			t.Errorf("%s: heading %q, want verdict %s", tt.c.scenario, strings.SplitN(out, "\n", 2)[0], verdict)
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
		for _, id := range tt.rows {
			if !strings.Contains(","+strings.Join(rows, ",")+",", ","+id+",") {
				t.Errorf("%s: rows %v lack %s", tt.c.scenario, rows, id)
			}
		}
		wantRows := 0
		for _, f := range doc.Findings {
			if f.Status != checks.Pass && f.Status != checks.Skip {
				wantRows++
			}
		}
		if len(rows) != wantRows {
			t.Errorf("%s: %d rows for %d findings that ask for attention", tt.c.scenario, len(rows), wantRows)
		}
		if doc.Summary.Pass > 0 && !strings.Contains(out, "<summary>") {
			t.Errorf("%s: passing checks are not folded", tt.c.scenario)
		}
	}
}

func TestMarkdownVerdictIgnoresIgnored(t *testing.T) {
	doc := scenarioDocument(t, goldenCase{scenario: "connector-network"})
	if got := markdownVerdict(doc.Findings); got != MarkdownEmoji[checks.Fail] {
		t.Fatalf("verdict %s with a failure", got)
	}
	var failing []string
	for _, f := range doc.Findings {
		if f.Status == checks.Fail || f.Status == checks.Error || f.Status == checks.Warn {
			failing = append(failing, f.ID)
		}
	}
	ignored := scenarioDocument(t, goldenCase{scenario: "connector-network", ignore: failing})
	if got := markdownVerdict(ignored.Findings); got != MarkdownEmoji[checks.Pass] {
		t.Errorf("verdict %s when every finding that asks for attention is ignored", got)
	}
}
