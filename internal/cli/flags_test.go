package cli

import (
	"strings"
	"testing"
)

// TestSharedFlagsValidatedOnce: a flag group is declared and validated in one place, so
// every command that takes a group refuses the same bad value with the same one line and
// exit 2, before it reads or probes anything.
func TestSharedFlagsValidatedOnce(t *testing.T) {
	isolateGcloud(t)
	t.Setenv("VPCDOCTOR_TEST_UNSET", "")
	healthy := scenarioPath("healthy")
	out := t.TempDir() + "/snapshot"
	groups := []struct {
		group    string
		commands [][]string
		bad      [][]string
	}{
		{"selection (--timeout)",
			[][]string{{"check", "--from", healthy}, {"check", "--project", "p", "--region", "r"}, {"snapshot", "--project", "p", "--region", "r", "--out", out}, {"probe", "--host", "127.0.0.1"}},
			[][]string{{"--timeout", "0"}, {"--timeout", "-1s"}}},
		{"probe tuning",
			[][]string{{"check", "--from", healthy, "--probe"}, {"probe", "--host", "127.0.0.1"}},
			[][]string{{"--connect-timeout", "0"}, {"--connect-timeout", "2m"}, {"--count", "0"}, {"--count", "100001"},
				{"--interval", "-1s"}, {"--interval", "2m"}, {"--auth-env", "VPCDOCTOR_TEST_UNSET"}}},
		{"output",
			[][]string{{"check", "--from", healthy}, {"demo", "healthy"}, {"probe", "--host", "127.0.0.1"}},
			[][]string{{"--format", "jsn"}, {"--color", "sometimes"}, {"--fail-on", "skip"}, {"--ignore", "run.nope"}}},
	}
	for _, g := range groups {
		for _, bad := range g.bad {
			first := ""
			for _, cmd := range g.commands {
				args := append(append([]string{}, cmd...), bad...)
				code, stdout, stderr := runCLI(t, args...)
				if code != exitUsage || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, bad[0]+" ") {
					t.Errorf("%s: %v: exit %d, stdout %q, stderr %q; want exit 2 and one line naming %s", g.group, args, code, stdout, stderr, bad[0])
				}
				if first == "" {
					first = stderr
				} else if stderr != first {
					t.Errorf("%s: %v says %q, %v said %q", g.group, args, stderr, g.commands[0], first)
				}
			}
		}
	}
}
