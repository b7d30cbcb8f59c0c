package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/fixtures"
	"github.com/vpcdoctor/vpcdoctor/internal/sariftest"
	"github.com/vpcdoctor/vpcdoctor/inventory/snapshot"
)

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

// TestVersion: the version line, and the report's tool block.
func TestVersion(t *testing.T) {
	code, stdout, _ := runCLI(t, "version")
	if code != exitOK || !strings.HasPrefix(stdout, "vpcdoctor "+toolVersion()) || strings.Count(stdout, "\n") != 1 {
		t.Errorf("version: exit %d %q", code, stdout)
	}
	if got := toolInfo(); got.Name != "vpcdoctor" || got.Version != toolVersion() {
		t.Errorf("toolInfo = %+v", got)
	}
}

// TestTextAndGitHubShareStdout: the human report streams first, the annotations follow, in
// the same stdout; the exit code is the gate's.
func TestTextAndGitHubShareStdout(t *testing.T) {
	code, stdout, stderr := runCLI(t, "check", "--from", scenarioPath("connector-network"),
		"--output", "github", "--output", "text")
	if code != exitFindings {
		t.Errorf("exit %d, want %d; stderr %s", code, exitFindings, stderr)
	}
	summary := strings.Index(stdout, "Summary:")
	annotation := strings.Index(stdout, "::error ")
	if summary < 0 || annotation < summary {
		t.Errorf("want the text report, then the annotations:\n%s", stdout)
	}
	if !strings.Contains(stdout, "::error file="+scenarioPath("connector-network", "connector.yaml")+",line=") {
		t.Errorf("the annotation is not on the connector's file and line:\n%s", stdout)
	}
}

// TestStepSummaryAppends: a report written to $GITHUB_STEP_SUMMARY is appended to it, other
// files are replaced.
func TestStepSummaryAppends(t *testing.T) {
	dir := t.TempDir()
	summary := filepath.Join(dir, "step_summary")
	other := filepath.Join(dir, "report.md")
	for _, path := range []string{summary, other} {
		if err := os.WriteFile(path, []byte("earlier\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("GITHUB_STEP_SUMMARY", summary)
	runCLI(t, "check", "--from", scenarioPath("healthy"),
		"--output", "markdown="+summary, "--output", "markdown="+other)
	got, _ := os.ReadFile(summary)
	if !strings.HasPrefix(string(got), "earlier\n### ") {
		t.Errorf("step summary was not appended to:\n%s", got)
	}
	got, _ = os.ReadFile(other)
	if strings.Contains(string(got), "earlier") {
		t.Errorf("a plain report file was appended to")
	}
}

// TestSARIFForEveryKindOfRun validates the SARIF of snapshot, plan and live runs against
// the SARIF 2.1.0 schema and GitHub's ingestion rules.
func TestSARIFForEveryKindOfRun(t *testing.T) {
	schema, err := sariftest.Schema(filepath.Join("report", "testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, code int, stdout, stderr string) {
		t.Helper()
		if code == exitUsage {
			t.Fatalf("%s: exit 2: %s", name, stderr)
		}
		for _, err := range sariftest.Check([]byte(stdout), schema) {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, scenario := range fixtures.Scenarios() {
		dir := scenarioPath(scenario.Name)
		code, stdout, stderr := runCLI(t, "check", "--from", dir, "--all", "--format", "sarif")
		if code == exitUsage && strings.Contains(stderr, "name one with --service") {
			// --all leaves out a service with neither VPC egress nor a Redis-looking env
			// (a real-world scenario has one): check the snapshot's only service instead.
			code, stdout, stderr = runCLI(t, "check", "--from", dir, "--format", "sarif")
		}
		check("snapshot "+scenario.Name, code, stdout, stderr)
	}
	plans, _ := filepath.Glob(filepath.Join(planDir, "*.json"))
	for _, plan := range plans {
		code, stdout, stderr := runCLI(t, "check", "--from", scenarioPath("connector-network"),
			"--terraform-plan", plan, "--format", "sarif")
		if code == exitUsage {
			continue // a plan that needs more flags (its README); its reports are tested elsewhere
		}
		check("plan "+filepath.Base(plan), code, stdout, stderr)
	}
	for _, name := range []string{"healthy", "connector-missing", "connector-network", "missing-subnets"} {
		scenario, _ := fixtures.Lookup(name)
		snap, err := snapshot.LoadFS(scenario.FS, scenario.Name)
		if err != nil {
			t.Fatal(err)
		}
		hermeticLive(t, serveFixture(t, snap))
		args := append(liveCheckArgs("--service", liveService), "--format", "sarif")
		code, stdout, stderr := runCLI(t, args...)
		check("live "+name, code, stdout, stderr)
		var log struct {
			Runs []struct {
				Results []struct {
					Locations []struct {
						PhysicalLocation struct{ ArtifactLocation struct{ URI string } }
					}
				}
			}
		}
		if err := json.Unmarshal([]byte(stdout), &log); err != nil {
			t.Fatal(err)
		}
		for _, r := range log.Runs[0].Results {
			if uri := r.Locations[0].PhysicalLocation.ArtifactLocation.URI; !strings.HasPrefix(uri, "gcp/projects/") {
				t.Errorf("live %s: result on %q, want the gcp/ pseudo-location", name, uri)
			}
		}
	}
}

// TestLocateFindings: a finding is on the line that declares its resource: the name key in
// a snapshot list, the resource block of a .tf file beside the plan.
func TestLocateFindings(t *testing.T) {
	dir := t.TempDir()
	list := filepath.Join(dir, "connectors.yaml")
	os.WriteFile(list, []byte("- name: projects/p/locations/r/connectors/a\n  network: default\n- name: projects/p/locations/r/connectors/b\n  network: prod\n"), 0o644)
	tf := filepath.Join(dir, "main.tf")
	os.WriteFile(tf, []byte("provider \"google\" {}\n\nresource \"google_vpc_access_connector\" \"redis\" {\n  name          = \"redis-connector-2\"\n  region        = \"us-central1\"\n}\n"), 0o644)
	plan := filepath.Join(dir, "plan.json")
	os.WriteFile(plan, []byte(`{"format_version":"1.2"}`), 0o644)
	findings := []struct {
		source, resource string
		wantSource       string
		wantLine         int
	}{
		{list, "projects/p/locations/r/connectors/b", list, 3},
		{list, "projects/p/locations/r/connectors/a", list, 1},
		{list, "projects/p/locations/r/connectors/zzz", list, 0},
		{plan, "projects/p/locations/r/connectors/redis-connector-2", tf, 3},
		{plan, "projects/p/locations/r/instances/my-redis", plan, 0},
	}
	for _, tt := range findings {
		f := []checks.Finding{{Source: tt.source, Resource: tt.resource}}
		locateFindings(f, plan)
		if f[0].Source != tt.wantSource || f[0].Line != tt.wantLine {
			t.Errorf("%s in %s: on %s:%d, want %s:%d", tt.resource, tt.source, f[0].Source, f[0].Line, tt.wantSource, tt.wantLine)
		}
	}
}
