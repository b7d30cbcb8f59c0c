package cli

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

func TestExitCodes(t *testing.T) {
	tests := []struct {
		args []string
		want int
	}{
		{[]string{"demo", "healthy"}, 0},
		{[]string{"demo", "connector-network"}, 1},
		{[]string{"demo", "connector-creating"}, 0},                      // warn < fail
		{[]string{"demo", "connector-creating", "--fail-on", "warn"}, 1}, // warn >= warn
		{[]string{"demo", "missing-subnets"}, 3},                         // error, nothing failed
		{[]string{"demo", "connector-network", "--ignore", "connector.network"}, 0},
		{[]string{"demo", "missing-subnets", "--ignore", "connector.range"}, 0},
		{[]string{"check", "--from", scenarioPath("healthy")}, 0},
		{[]string{"check", "--from", scenarioPath("redis-repairing"), "--format", "json"}, 1},
	}
	for _, tt := range tests {
		if code, _, stderr := runCLI(t, tt.args...); code != tt.want {
			t.Errorf("%v: exit %d, want %d (stderr %q)", tt.args, code, tt.want, stderr)
		}
	}
}

func TestFlagsAfterPositional(t *testing.T) {
	got := flagsFirst(wholeProgram().newApp(io.Discard, io.Discard), []string{"vpcdoctor", "demo", "healthy", "--format", "json", "--probe", "--color=never"})
	want := []string{"vpcdoctor", "demo", "--format", "json", "--probe", "--color=never", "healthy"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("flagsFirst = %v, want %v", got, want)
	}
}

// TestUsageErrors: every usage-error path exits 2 with one line on stderr and nothing on
// stdout (so `> report.json` never receives help), with a suggestion where one is close.
func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string // in the one stderr line
	}{
		{[]string{"chek"}, `unknown command "chek"; did you mean "check"?`},
		{[]string{"demoo", "healthy"}, `did you mean "demo"?`},
		{[]string{"xyzzy"}, `unknown command "xyzzy" (see`},
		{[]string{"help", "chek"}, `unknown command "chek"; did you mean "check"?`},
		{[]string{"help", "check", "demo"}, "help takes one command name"},
		{[]string{"--bogus"}, "unknown flag --bogus"},
		{[]string{"check", "--formt", "json"}, "unknown flag --formt; did you mean --format?"},
		{[]string{"demo", "healthy", "--fail-onn", "warn"}, "did you mean --fail-on?"},
		{[]string{"probe", "--adress", "x"}, "unknown flag --adress"},
		{[]string{"snapshot", "--bogus"}, "unknown flag --bogus"},
		{[]string{"checks", "--bogus"}, "unknown flag --bogus"},
		{[]string{"explain", "--bogus"}, "unknown flag --bogus"},
		{[]string{"version", "--bogus"}, "unknown flag --bogus"},
		{[]string{"version", "extra"}, "version takes no arguments"},
		{[]string{"completion"}, "completion takes one shell"},
		{[]string{"completion", "bsh"}, `did you mean "bash"?`},
		{[]string{"demo", "healthy", "--format", "jsn"}, `--format "jsn": want one of`},
		{[]string{"demo", "healthy", "--format", "jsn"}, `did you mean "json"?`},
		{[]string{"demo", "healthy", "--fail-on", "error"}, "--fail-on"},
		{[]string{"demo", "healthy", "--color", "sometimes"}, "--color"},
		{[]string{"demo", "no-such-scenario"}, "no scenario"},
		{[]string{"demo", "healthy", "--ignore", "connector.fond"}, "no such check"},
		{[]string{"explain", "connector.fond"}, "did you mean"},
		{[]string{"check", "--from", scenarioPath("healthy"), "--output", "sarf=x"}, `did you mean "sarif"?`},
		{[]string{"check", "--from", scenarioPath("healthy"), "--output", "json", "--output", "text"}, "only text and github can share stdout"},
		{[]string{"check", "--from", scenarioPath("healthy"), "--format", "json", "--output", "sarif=x"}, "cannot be combined"},
		{[]string{"check", "--from", "no/such/dir"}, "no/such/dir"},
		{[]string{"check", "--from", scenarioPath("healthy"), "extra"}, "check takes no arguments"},
		{[]string{"check", "--from", scenarioPath("healthy"), "--timeout"}, "flag needs an argument: --timeout"},
		{[]string{"check", "--project", "p", "--region", "r", "--timeout", "soon"}, `invalid value "soon" for flag --timeout`},
		{[]string{"-x"}, "unknown flag -x; did you mean -h?"},
		{[]string{"check", "--from", scenarioPath("healthy"), "--output", "text", "--output", "json=no/such/dir/r.json"}, "no such directory: no/such/dir"},
		{[]string{"check", "--from", scenarioPath("healthy"), "--output", "text", "--output", "json=" + scenarioPath("healthy")}, "is a directory"},
		{[]string{"checks", "connector.found"}, "checks takes no arguments"},
		{[]string{"demo", "healthy", "--output", "json"}, "unknown flag --output"},
		{[]string{"probe", "--format", "sarf", "--host", "127.0.0.1"}, `did you mean "sarif"?`},
	}
	for _, tt := range tests {
		code, stdout, stderr := runCLI(t, tt.args...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want %d (stderr %q)", tt.args, code, exitUsage, stderr)
		}
		if stdout != "" {
			t.Errorf("%v: %d bytes on stdout, want none", tt.args, len(stdout))
		}
		if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: stderr %q, want one line with %q", tt.args, stderr, tt.want)
		}
	}
}

// TestHelpAndCompletion: help for the app and each command, on stdout, exit 0; the
// completion scripts and the candidates they ask for.
func TestHelpAndCompletion(t *testing.T) {
	for _, args := range [][]string{{}, {"help"}, {"--help"}, {"help", "check"}, {"check", "--help"}, {"help", "probe"}, {"help", "completion"}} {
		code, stdout, stderr := runCLI(t, args...)
		if code != exitOK || stderr != "" || !strings.Contains(stdout, "USAGE") {
			t.Errorf("%v: exit %d, stderr %q, stdout %.80q", args, code, stderr, stdout)
		}
	}
	if _, stdout, _ := runCLI(t, "help", "check"); !strings.Contains(stdout, "--terraform-plan") {
		t.Errorf("help check does not list check's flags:\n%s", stdout)
	}
	// The library reads the word being completed from os.Args, as a shell would set it.
	completing := func(args ...string) (int, string) {
		saved := os.Args
		defer func() { os.Args = saved }()
		os.Args = append([]string{"vpcdoctor"}, args...)
		code, stdout, _ := runCLI(t, args...)
		return code, stdout
	}
	code, stdout := completing(completionFlag)
	for _, cmd := range []string{"check", "demo", "probe", "snapshot", "explain", "version", "completion"} {
		if code != exitOK || !strings.Contains(stdout, cmd+"\n") {
			t.Errorf("completion of commands lacks %s (exit %d):\n%s", cmd, code, stdout)
		}
	}
	if _, stdout := completing("check", "--te", completionFlag); !strings.Contains(stdout, "--terraform-plan") {
		t.Errorf("completion of check's flags:\n%s", stdout)
	}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		code, stdout, _ := runCLI(t, "completion", shell)
		if code != exitOK || !strings.Contains(stdout, "vpcdoctor") || (shell != "fish" && !strings.Contains(stdout, completionFlag)) {
			t.Errorf("completion %s: exit %d\n%s", shell, code, stdout)
		}
	}
}

func TestPanicIsInternalError(t *testing.T) {
	for _, debug := range []string{"", "1"} {
		t.Setenv(debugEnv, debug)
		var out, errOut bytes.Buffer
		app := wholeProgram().newApp(&out, &errOut)
		app.Commands = append(app.Commands, &cli.Command{Name: "boom", Action: func(*cli.Context) error {
			var m map[string]int
			m["x"] = 1 // a bug: assignment to a nil map
			return nil
		}})
		code := runApp(app, []string{"vpcdoctor", "boom"}, &errOut)
		if code != exitInternal {
			t.Fatalf("exit %d, want %d", code, exitInternal)
		}
		first, rest, _ := strings.Cut(errOut.String(), "\n")
		if !strings.Contains(first, "internal error, please report") {
			t.Errorf("first line %q", first)
		}
		if (debug != "") != strings.Contains(rest, "assignment to entry in nil map") {
			t.Errorf("%s=%q: details %q", debugEnv, debug, rest)
		}
	}
}
