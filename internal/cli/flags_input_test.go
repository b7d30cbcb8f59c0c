package cli

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/snapshot"
	"github.com/vpcdoctor/vpcdoctor/report"
)

// Hostile files named on the command line: exit 2, one line naming the file; never a crash
// (exit 4 would be a bug found) or a hang.
func TestHostileInputFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string { return writeTestFile(t, dir, name, content) }
	healthy := repoPath("fixtures", "scenarios", "healthy")
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
		{"plan reference cycle", []string{"check", "--from", healthy, "--terraform-plan", repoPath("inventory", "terraform", "testdata", "hostile", "plan-cycle.json")}, "references form a cycle"},
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

// ciFindings loads a fixture scenario directory, applies the CI flags and runs the checks.
func ciFindings(t *testing.T, scenario string, args []string, sel inventory.Selector) ([]checks.Finding, report.Target, error) {
	t.Helper()
	dir := scenarioPath(scenario)
	inv, err := snapshot.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	target := report.Target{Source: "snapshot", Input: dir}
	var findings []checks.Finding
	err = withCIFlags(t, args, func(c *cli.Context) error {
		in := inputsFrom(c)
		if err := in.apply(c.Context, inv, defaultLiveTimeout); err != nil {
			return err
		}
		in.retarget(&target)
		paths, err := inventory.Select(inv, sel)
		if err != nil {
			return err
		}
		fillTarget(&target, paths)
		for _, p := range paths {
			findings = append(findings, checks.Run(checks.Catalogue(), p, nil)...)
		}
		return nil
	})
	return findings, target, err
}

func TestApplyCIInputs(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		sel    inventory.Selector
		want   map[string]checks.Status
		input  string
		source string
	}{
		{name: "plan creates a connector on the wrong network",
			args:  []string{"--terraform-plan", planFile("connector-wrong-network.json")},
			want:  map[string]checks.Status{"connector.found": checks.Pass, "connector.network": checks.Fail},
			input: planFile("connector-wrong-network.json"), source: "plan"},
		{name: "plan fixes it",
			args:  []string{"--terraform-plan", planFile("connector-fix.json")},
			want:  map[string]checks.Status{"connector.found": checks.Pass, "connector.network": checks.Pass, "connector.range": checks.Pass},
			input: planFile("connector-fix.json"), source: "plan"},
		{name: "service file with Direct VPC replaces the snapshot's service",
			args:  []string{"--service-file", scenarioPath("direct-vpc", "service.yaml")},
			want:  map[string]checks.Status{"run.vpc-egress": checks.Pass, "connector.found": checks.Skip},
			input: scenarioPath("direct-vpc", "service.yaml"), source: "plan"},
		{name: "service file wins over the plan's service",
			args: []string{"--terraform-plan", planFile("connector-fix.json"), "--service-file", scenarioPath("healthy", "service.yaml")},
			// healthy's service.yaml uses redis-connector on default: the plan's new connector is unused.
			want:  map[string]checks.Status{"connector.found": checks.Pass, "connector.network": checks.Fail},
			input: scenarioPath("healthy", "service.yaml"), source: "plan"},
		{name: "no CI inputs", args: nil,
			want:  map[string]checks.Status{"connector.network": checks.Fail},
			input: scenarioPath("connector-network"), source: "snapshot"},
	}
	for _, tt := range tests {
		findings, target, err := ciFindings(t, "connector-network", tt.args, tt.sel)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		for id, want := range tt.want {
			if got := statusOf(findings, id); got != want {
				t.Errorf("%s: %s is %s, want %s", tt.name, id, got, want)
			}
		}
		if target.Input != tt.input || target.Source != tt.source {
			t.Errorf("%s: target %s %q, want %s %q", tt.name, target.Source, target.Input, tt.source, tt.input)
		}
	}
}

func TestApplyCIInputsBadFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string { return writeTestFile(t, dir, name, content) }
	tests := []struct {
		flag, path string
	}{
		{"--terraform-plan", filepath.Join(dir, "missing.json")},
		{"--terraform-plan", write("state.json", `{"format_version": "1.0", "values": {"root_module": {}}}`)},
		{"--terraform-plan", write("broken.json", "{\n\"format_version\": \"1.2\",\n}")},
		{"--terraform-plan", write("plan.out", "PK\x03\x04binary")},
		{"--service-file", filepath.Join(dir, "missing.yaml")},
		{"--service-file", write("broken.yaml", "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: [\n")},
		{"--service-file", scenarioPath("healthy", "redis.yaml")}, // no service in it
	}
	for _, tt := range tests {
		_, _, err := ciFindings(t, "healthy", []string{tt.flag, tt.path}, inventory.Selector{})
		if exitCodeOf(err) != exitUsage || !strings.Contains(err.Error(), tt.path) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s %s: %v, want exit 2 with one line naming the file", tt.flag, tt.path, err)
		}
	}
}

// An --output path that is one of the run's inputs is refused before anything is read or
// written: the input survives byte for byte.
func TestOutputNeverOverwritesAnInput(t *testing.T) {
	dir := t.TempDir()
	snap := filepath.Join(dir, "snap")
	if err := os.CopyFS(snap, os.DirFS(repoPath("fixtures", "scenarios", "healthy"))); err != nil {
		t.Fatal(err)
	}
	plan := repoPath("inventory", "terraform", "testdata", "plans", "connector-fix.json")
	planCopy := writeTestFile(t, dir, "plan.json", mustRead(t, plan))
	service := filepath.Join(snap, "service.yaml")
	linked := filepath.Join(dir, "linked-plan.json")
	if err := os.Link(planCopy, linked); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		victim string
		want   string
	}{
		{"the plan", []string{"--from", repoPath("fixtures", "scenarios", "connector-network"), "--terraform-plan", planCopy, "--output", "json=" + planCopy}, planCopy, "--terraform-plan file"},
		{"the plan by a hard link", []string{"--from", repoPath("fixtures", "scenarios", "connector-network"), "--terraform-plan", planCopy, "--output", "sarif=" + linked}, planCopy, "--terraform-plan file"},
		{"the service file", []string{"--from", repoPath("fixtures", "scenarios", "healthy"), "--service-file", service, "--output", "text", "--output", "json=" + service}, service, "--service-file file"},
		{"a file of the snapshot", []string{"--from", snap, "--output", "json=" + service}, service, "inside the --from directory"},
		{"a new file in the snapshot", []string{"--from", snap, "--output", "sarif=" + filepath.Join(snap, "report.sarif")}, service, "inside the --from directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := mustRead(t, tt.victim)
			code, stdout, stderr := runCLI(t, append([]string{"check"}, tt.args...)...)
			if code != exitUsage || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and one line with %q", code, stderr, tt.want)
			}
			if stdout != "" {
				t.Errorf("refused run wrote to stdout: %q", stdout)
			}
			if after := mustRead(t, tt.victim); after != before {
				t.Errorf("%s changed", tt.victim)
			}
			if _, err := os.Stat(filepath.Join(snap, "report.sarif")); err == nil {
				t.Errorf("a report was written into the snapshot")
			}
		})
	}
	// A report beside the snapshot, not in it, is fine.
	if code, _, stderr := runCLI(t, "check", "--from", snap, "--output", "json="+filepath.Join(dir, "report.json")); code == exitUsage {
		t.Errorf("report beside the snapshot refused: %s", stderr)
	}
}
