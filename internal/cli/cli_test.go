package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/fixtures"
	goldenfile "github.com/vpcdoctor/vpcdoctor/internal/golden"
	"github.com/vpcdoctor/vpcdoctor/report"
)

// runCLI runs the whole command in-process, as main does.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Run(append([]string{"vpcdoctor"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", "golden", name), stableScenarioPaths(got))
}

// The version, the build's commit and date, and the time of the run are blanked in goldens
// so they survive releases and the clock.
func stableVersion(s string) string {
	s = strings.ReplaceAll(s, `"version": "`+toolVersion()+`"`, `"version": "VERSION"`)
	return volatileJSON.ReplaceAllString(s, `"$1": "$1"`)
}

var volatileJSON = regexp.MustCompile(`"(generatedAt|commit|date)": "[^"]*"`)

func TestGoldenReports(t *testing.T) {
	for _, scenario := range []string{"healthy", "connector-network", "no-vpc-egress", "missing-subnets", "connector-range-overlap"} {
		t.Run(scenario, func(t *testing.T) {
			_, text, _ := runCLI(t, "demo", scenario, "--color", "never")
			golden(t, scenario+".txt", text)
			_, js, _ := runCLI(t, "demo", scenario, "--format", "json")
			golden(t, scenario+".json", stableVersion(js))
		})
	}
	_, colored, _ := runCLI(t, "demo", "connector-network", "--color", "always")
	if !strings.Contains(colored, "\x1b[") {
		t.Error("--color always printed no ANSI escapes")
	}
	golden(t, "connector-network.color.txt", colored)
}

func TestNoColorWhenNotATerminal(t *testing.T) {
	_, out, _ := runCLI(t, "demo", "connector-network") // --color auto into a buffer
	if strings.Contains(out, "\x1b[") {
		t.Error("auto color wrote ANSI escapes to a non-terminal")
	}
}

// TestJSONMatchesSchema validates every scenario's JSON report against the committed schema.
func TestJSONMatchesSchema(t *testing.T) {
	compiler := jsonschema.NewCompiler()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(report.JSONSchema))
	if err != nil {
		t.Fatal(err)
	}
	if err := compiler.AddResource("schema.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := compiler.Compile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, scenario := range fixtures.Scenarios() {
		_, out, _ := runCLI(t, "demo", scenario.Name, "--format", "json")
		instance, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
		if err != nil {
			t.Fatalf("%s: output is not JSON: %v", scenario.Name, err)
		}
		if err := schema.Validate(instance); err != nil {
			t.Errorf("%s: %v", scenario.Name, err)
		}
		var parsed struct {
			SchemaVersion int `json:"schemaVersion"`
			Summary       report.Summary
			Findings      []struct{ ID, Status string }
		}
		if err := json.Unmarshal([]byte(out), &parsed); err != nil {
			t.Fatal(err)
		}
		sum := parsed.Summary
		total := sum.Pass + sum.Warn + sum.Fail + sum.Skip + sum.Error
		if parsed.SchemaVersion != 1 || total != len(parsed.Findings) {
			t.Errorf("%s: schemaVersion %d, summary total %d for %d findings", scenario.Name, parsed.SchemaVersion, total, len(parsed.Findings))
		}
		if !strings.HasPrefix(strings.TrimSpace(out), `{
  "schemaVersion"`) {
			t.Errorf("%s: schemaVersion is not the first field", scenario.Name)
		}
	}
	// The schema must reject what breaks the contract.
	bad, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"schemaVersion": 1, "tool": {"name": "vpcdoctor", "version": "x"}, "target": {"source": "demo"}, "summary": {"pass": 0, "warn": 0, "fail": 0, "skip": 0, "error": 0}, "findings": [{"id": "x", "status": "maybe", "title": "t", "hop": "run", "message": "m"}]}`))
	if err := schema.Validate(bad); err == nil {
		t.Error("schema accepted an unknown status")
	}
}

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

func TestIgnoredFindingsStayInReport(t *testing.T) {
	_, out, _ := runCLI(t, "demo", "connector-network", "--format", "json", "--ignore", "connector.network")
	var doc report.Document
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	for _, f := range doc.Findings {
		if f.ID == "connector.network" && (!f.Ignored || f.Status != "fail") {
			t.Errorf("ignored finding: %+v", f)
		}
	}
	if doc.Summary.Ignored != 1 {
		t.Errorf("summary.ignored = %d", doc.Summary.Ignored)
	}
}

func TestBadInput(t *testing.T) {
	// Live mode reads the project from the environment and the gcloud configuration: make
	// sure neither is there.
	t.Setenv("CLOUDSDK_CONFIG", t.TempDir())
	for _, name := range []string{"CLOUDSDK_CORE_PROJECT", "GOOGLE_CLOUD_PROJECT", "CLOUDSDK_RUN_REGION", "CLOUDSDK_COMPUTE_REGION"} {
		t.Setenv(name, "")
	}
	dir := t.TempDir()
	write := func(name, content string) string {
		sub := filepath.Join(dir, strings.TrimSuffix(name, filepath.Ext(name)))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(sub, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return sub
	}
	healthy := scenarioPath("healthy")
	twoRedis := t.TempDir()
	for _, name := range []string{"service.yaml", "connector.yaml", "redis.yaml"} {
		data, _ := os.ReadFile(filepath.Join(healthy, name))
		os.WriteFile(filepath.Join(twoRedis, name), data, 0o644)
	}
	data, _ := os.ReadFile(filepath.Join(healthy, "redis.yaml"))
	other := strings.ReplaceAll(strings.ReplaceAll(string(data), "instances/my-redis", "instances/other-redis"), "host: 10.0.0.3", "host: 10.0.0.11")
	os.WriteFile(filepath.Join(twoRedis, "other.yaml"), []byte(other), 0o644)
	os.WriteFile(filepath.Join(twoRedis, "service.yaml"), []byte(strings.ReplaceAll(mustRead(t, filepath.Join(healthy, "service.yaml")), "value: 10.0.0.3", "value: 10.9.9.9")), 0o644)

	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"missing dir", []string{"check", "--from", filepath.Join(dir, "nope")}, []string{filepath.Join(dir, "nope"), "no such file or directory"}},
		{"unparseable YAML", []string{"check", "--from", write("bad.yaml", "name: x\n  host: [\n")}, []string{"bad.yaml:", "not valid YAML or JSON"}},
		{"unrecognised file", []string{"check", "--from", write("junk.yaml", "foo: bar\n")}, []string{"junk.yaml", "not a recognisable Google Cloud resource"}},
		{"ambiguous redis", []string{"check", "--from", twoRedis}, []string{"several Redis instances", "--redis", "my-redis", "other-redis"}},
		{"unknown redis flag value is fine but unknown service is not", []string{"check", "--from", healthy, "--service", "nope"}, []string{"--service nope", "cache-service"}},
		{"no --from and no project", []string{"check"}, []string{"no project: pass --project PROJECT"}},
		{"bad format", []string{"check", "--from", healthy, "--format", "xml"}, []string{`--format "xml"`}},
		{"bad color", []string{"demo", "healthy", "--color", "sometimes"}, []string{`--color "sometimes"`}},
		{"bad fail-on", []string{"demo", "healthy", "--fail-on", "skip"}, []string{`--fail-on "skip"`}},
		{"bad ignore", []string{"demo", "healthy", "--ignore", "run.nope"}, []string{"--ignore run.nope"}},
		{"unknown scenario", []string{"demo", "nope"}, []string{`no scenario "nope"`}},
		{"unknown flag", []string{"check", "--bogus"}, []string{"bogus"}},
		{"unknown explain id", []string{"explain", "connector.netwrk"}, []string{`no check "connector.netwrk"`, "did you mean", "connector.network"}},
		{"file instead of dir", []string{"check", "--from", filepath.Join(healthy, "redis.yaml")}, []string{"redis.yaml", "is a file, not a snapshot directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2 (stderr %q)", code, stderr)
			}
			if strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Errorf("stderr is not one line: %q", stderr)
			}
			for _, want := range tt.want {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr %q does not contain %q", stderr, want)
				}
			}
			if stdout != "" && !strings.Contains(tt.name, "flag") {
				t.Errorf("bad input wrote to stdout: %q", stdout)
			}
		})
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestCataloguePrinted(t *testing.T) {
	code, out, _ := runCLI(t, "checks")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, id := range []string{"run.vpc-egress", "connector.range", "redis.region"} {
		if !strings.Contains(out, id) {
			t.Errorf("checks output lacks %s", id)
		}
	}
	code, out, _ = runCLI(t, "explain", "connector.range")
	if code != 0 || !strings.Contains(out, "connector.range") {
		t.Errorf("explain: exit %d, %q", code, out)
	}
	code, out, _ = runCLI(t, "explain", "probe.tls")
	if code != 0 || !strings.Contains(out, "TLS handshake") || !strings.Contains(out, "docs/probe.md") {
		t.Errorf("explain probe.tls: exit %d, %q", code, out)
	}
	code, out, _ = runCLI(t, "demo")
	if code != 0 || !strings.Contains(out, "healthy") || !strings.Contains(out, "connector-network") {
		t.Errorf("demo list: exit %d, %q", code, out)
	}
}

func TestFlagsAfterPositional(t *testing.T) {
	got := flagsFirst(wholeProgram().newApp(io.Discard, io.Discard), []string{"vpcdoctor", "demo", "healthy", "--format", "json", "--probe", "--color=never"})
	want := []string{"vpcdoctor", "demo", "--format", "json", "--probe", "--color=never", "healthy"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("flagsFirst = %v, want %v", got, want)
	}
}

// TestReadmeListsCatalogue keeps the README's table of checks complete.
func TestReadmeListsCatalogue(t *testing.T) {
	readme := mustRead(t, repoPath("README.md"))
	for _, check := range checks.Catalogue() {
		if !strings.Contains(readme, "`"+check.ID+"`") {
			t.Errorf("README.md does not list %s", check.ID)
		}
	}
}

// TestSecretsNeverPrinted runs the scenario whose service carries a plain-text Redis
// password through every output format and requires the value to appear in none of them.
func TestSecretsNeverPrinted(t *testing.T) {
	const secret = "9f3c1e7a-4b2d-4e8a-b6c5-2d7f0a91e4b3" // REDIS_PASSWORD in the fixture
	if !strings.Contains(mustRead(t, scenarioPath("redis-auth-plaintext", "service.yaml")), secret) {
		t.Fatal("the fixture no longer carries the secret; this test would pass vacuously")
	}
	dir := scenarioPath("redis-auth-plaintext")
	outDir := t.TempDir()
	args := []string{"check", "--from", dir, "--output", "text"}
	for _, format := range []string{"json", "junit", "sarif", "github", "markdown"} {
		args = append(args, "--output", format+"="+filepath.Join(outDir, format))
	}
	code, stdout, stderr := runCLI(t, args...)
	if code != 0 && code != 1 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "run.redis-auth") {
		t.Fatalf("text report missing: %q", stdout)
	}
	outputs := stdout + stderr
	entries, _ := os.ReadDir(outDir)
	if len(entries) != 5 {
		t.Fatalf("%d report files written, want 5", len(entries))
	}
	for _, e := range entries {
		outputs += mustRead(t, filepath.Join(outDir, e.Name()))
	}
	if strings.Contains(outputs, secret) {
		t.Error("the plain-text Redis password appears in a report")
	}
}

// TestCheckAllServices checks a multi-service snapshot in one report with --all, the
// offline twin of a live run without --service.
func TestCheckAllServices(t *testing.T) {
	dir := repoPath("internal", "fakegcp", "testdata", "shop")
	code, out, stderr := runCLI(t, "check", "--from", dir, "--all", "--format", "json")
	var doc report.Document
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("exit %d, %s: %v", code, stderr, err)
	}
	perService := map[string]int{}
	for _, f := range doc.Findings {
		perService[f.Service]++
	}
	if len(perService) != 2 || perService["cart"] == 0 || perService["checkout"] == 0 || len(doc.Target.Services) != 2 {
		t.Errorf("findings per service %v, target %v", perService, doc.Target.Services)
	}
	// Each service's findings are those of checking it alone.
	for _, service := range []string{"cart", "checkout"} {
		_, alone, _ := runCLI(t, "check", "--from", dir, "--service", service, "--format", "json")
		var single report.Document
		if err := json.Unmarshal([]byte(alone), &single); err != nil {
			t.Fatal(err)
		}
		var fromAll []string
		for _, f := range doc.Findings {
			if f.Service == service {
				fromAll = append(fromAll, f.ID+"="+string(f.Status))
			}
		}
		var fromOne []string
		for _, f := range single.Findings {
			fromOne = append(fromOne, f.ID+"="+string(f.Status))
		}
		if strings.Join(fromAll, " ") != strings.Join(fromOne, " ") {
			t.Errorf("%s: --all gives %v, alone %v", service, fromAll, fromOne)
		}
	}
	if code, _, stderr := runCLI(t, "check", "--from", dir); code != 2 || !strings.Contains(stderr, "choose one with --service") {
		t.Errorf("without --all: exit %d, %q", code, stderr)
	}
}
