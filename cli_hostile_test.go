package main

import (
	"bytes"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/urfave/cli/v2"
)

func TestPanicIsInternalError(t *testing.T) {
	for _, debug := range []string{"", "1"} {
		t.Setenv(debugEnv, debug)
		var out, errOut bytes.Buffer
		app := newApp(&out, &errOut)
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

// Hostile files named on the command line: exit 2, one line naming the file; never a crash
// (exit 4 would be a bug found) or a hang.
func TestHostileInputFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string { return writeTestFile(t, dir, name, content) }
	healthy := filepath.Join("fixtures", "scenarios", "healthy")
	fifo := filepath.Join(dir, "pipe.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"service file alias cycle", []string{"check", "--from", healthy, "--service-file", write("cycle.yaml", "a: &a [*a]\n")}, "cycle.yaml:1: not valid YAML or JSON: alias *a"},
		{"service file alias bomb", []string{"check", "--from", healthy, "--service-file", write("bomb.yaml", billionLaughsYAML())}, "alias bomb"},
		{"service file device", []string{"check", "--from", healthy, "--service-file", "/dev/zero"}, "/dev/zero: not a regular file"},
		{"plan fifo", []string{"check", "--from", healthy, "--terraform-plan", fifo}, "pipe.json: not a regular file"},
		{"plan null resource change", []string{"check", "--from", healthy, "--terraform-plan", write("null.json", `{"format_version": "1.2", "resource_changes": [null]}`)}, "null.json: resource_changes[0] is null"},
		{"plan reference cycle", []string{"check", "--from", healthy, "--terraform-plan", filepath.Join("inventory", "terraform", "testdata", "hostile", "plan-cycle.json")}, "references form a cycle"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != exitUsage || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and one line with %q", code, stderr, tt.want)
			}
			if stdout != "" {
				t.Errorf("bad input wrote to stdout: %q", stdout)
			}
		})
	}
}

func billionLaughsYAML() string {
	var b strings.Builder
	b.WriteString("a0: &a0 [lol]\n")
	for i := 1; i <= 10; i++ {
		b.WriteString("a" + strconv.Itoa(i) + ": &a" + strconv.Itoa(i) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + strconv.Itoa(i-1))
		}
		b.WriteString("]\n")
	}
	return b.String()
}
