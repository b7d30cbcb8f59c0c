package report

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/vpcdoctor/vpcdoctor/finding"
)

// pathScenarios are the fixtures whose path pictures the golden file pins: every egress kind
// (connector, Direct VPC, none), Shared VPC with private services access, and a broken hop
// on each segment.
var pathScenarios = []string{
	"healthy", "connector-network", "direct-vpc", "direct-vpc-subnet", "no-vpc-egress",
	"shared-vpc", "shared-vpc-not-connected", "peering-deleted", "firewall-egress-deny",
	"redis-repairing", "missing-subnets", "redis-host-stale",
}

// TestGoldenPaths pins, for each scenario, the first two lines of the text report (verdict
// and strip) and the Mermaid graph: one file, so the three renderings of the one model are
// reviewed side by side.
func TestGoldenPaths(t *testing.T) {
	var out strings.Builder
	for _, name := range pathScenarios {
		doc := goldenDocument(t, goldenCase{scenario: name})
		var text bytes.Buffer
		if err := WriteText(&text, doc, TextOptions{Width: 100}); err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitN(text.String(), "\n", 3)
		out.WriteString("## " + name + "\n" + lines[0] + "\n" + lines[1] + "\n\n")
		for _, r := range Routes(doc.Findings, doc.Paths) {
			out.WriteString(Mermaid(r))
		}
		out.WriteString("\n")
	}
	golden(t, "paths.txt", out.String())
}

// TestBrokenHop: the hop of the failing check is the broken one, for each segment ("" when
// nothing fails).
func TestBrokenHop(t *testing.T) {
	tests := map[string]string{
		"connector-network":     HopKeyConnector,
		"no-vpc-egress":         HopKeyEgress,
		"direct-vpc-subnet":     HopKeyDirect,
		"peering-deleted":       HopKeyPeering,
		"firewall-egress-deny":  HopKeyNetwork,
		"redis-repairing":       HopKeyRedis,
		"redis-host-stale":      HopKeyService,
		"connector-subnet-size": HopKeyConnector,
		"healthy":               "",
	}
	for scenario, want := range tests {
		doc := scenarioDocument(t, goldenCase{scenario: scenario})
		routes := Routes(doc.Findings, doc.Paths)
		got := ""
		if i := routes[0].Broken(); i >= 0 && routes[0].Hops[i].Status == finding.Fail {
			got = routes[0].Hops[i].Key
		}
		if got != want {
			t.Errorf("%s: broken hop %q, want %q", scenario, got, want)
		}
	}
}

// TestTextFitsWidth: no line of the text report is wider than the width, except a command
// that has no flag to break before; a command split over lines ends each one in " \".
func TestTextFitsWidth(t *testing.T) {
	for _, width := range []int{60, 100, 160} {
		for _, name := range pathScenarios {
			doc := scenarioDocument(t, goldenCase{scenario: name})
			var text bytes.Buffer
			if err := WriteText(&text, doc, TextOptions{Width: width}); err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(text.String(), "\n") {
				trimmed := strings.TrimSpace(line)
				unbreakable := !strings.Contains(trimmed, " ") || // one long name
					(strings.HasPrefix(trimmed, "$ ") || strings.HasPrefix(trimmed, "--")) && !strings.Contains(trimmed, " --") // no flag to break before
				if n := len([]rune(line)); n > width && !unbreakable {
					t.Errorf("%s at %d: line of %d: %q", name, width, n, line)
				}
			}
		}
	}
}

func TestSplitCommand(t *testing.T) {
	cmd := "gcloud run services update cache-service --region us-central1 --project my-project --set-env-vars 'A=a --b c' --vpc-connector x"
	lines := splitCommand(cmd, 50)
	joined := ""
	for i, l := range lines {
		if i < len(lines)-1 {
			if !strings.HasSuffix(l, " \\") {
				t.Errorf("line %d %q lacks the continuation", i, l)
			}
			l = strings.TrimSuffix(l, " \\")
		}
		if joined != "" {
			joined += " "
		}
		joined += l
	}
	if joined != cmd {
		t.Errorf("split and joined:\n%s\nwant\n%s", joined, cmd)
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "--b") {
			t.Errorf("split inside quotes: %q", lines)
		}
	}
}

func TestQuietPrintsOnlyWhatDidNotPass(t *testing.T) {
	doc := scenarioDocument(t, goldenCase{scenario: "connector-network"})
	var text bytes.Buffer
	if err := WriteText(&text, doc, TextOptions{Quiet: true}); err != nil {
		t.Fatal(err)
	}
	for _, f := range doc.Findings {
		listed := strings.Contains(text.String(), " "+f.ID+" ")
		if want := f.Status == finding.Fail || f.Status == finding.Warn || f.Status == finding.Error; listed != want {
			t.Errorf("%s (%s): listed %v", f.ID, f.Status, listed)
		}
	}
}

// TestWrapNeverStartsALineWithWorkflowCommand: wherever a word from input that starts with
// "::" falls, no wrapped line starts with it, so a GitHub log never reads it as a command.
func TestWrapNeverStartsALineWithWorkflowCommand(t *testing.T) {
	for pad := 0; pad < 40; pad++ {
		text := strings.Repeat("x", pad) + " connector ::error::forged ::add-mask::x ::stop-commands::y end"
		for width := 20; width < 60; width++ {
			for _, line := range wrap(text, width) {
				if strings.HasPrefix(strings.TrimSpace(line), "::") {
					t.Fatalf("width %d pad %d: line %q starts a workflow command", width, pad, line)
				}
			}
		}
	}
}

// TestTextLongNames: a name of 400,000 runes from input (words, and words starting with
// "::", which never start a line) renders at once, and the strip still fits the width.
// Shortening the strip one rune at a time took minutes on such a name.
func TestTextLongNames(t *testing.T) {
	for _, long := range []string{strings.Repeat("a b ", 100000), strings.Repeat("::a ", 100000)} {
		doc := NewDocument(Tool{Name: "vpcdoctor"}, Target{}, []finding.Finding{{ID: "run.vpc-egress", Status: finding.Fail, Hop: finding.HopRun, Service: "s", Message: "connector " + long + " is bad"}})
		doc.Paths = []finding.PathShape{{Service: long, Egress: finding.EgressConnector, Connector: long, Redis: long}}
		start := time.Now()
		var b bytes.Buffer
		if err := WriteText(&b, doc, TextOptions{Width: 100}); err != nil {
			t.Fatal(err)
		}
		if elapsed := time.Since(start); elapsed > 10*time.Second {
			t.Errorf("rendering took %v", elapsed)
		}
		lines := strings.SplitN(b.String(), "\n", 3)
		if n := utf8.RuneCountInString(lines[1]); n > 100 {
			t.Errorf("strip of %d runes, want at most 100", n)
		}
	}
}
