package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/fixtures"
	"github.com/vpcdoctor/vpcdoctor/internal/sariftest"
	"github.com/vpcdoctor/vpcdoctor/report"
)

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
	schema, err := sariftest.Schema(repoPath("report", "testdata", "sarif-schema-2.1.0.json"))
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
	plans, _ := filepath.Glob(planFile("*.json"))
	for _, plan := range plans {
		code, stdout, stderr := runCLI(t, "check", "--from", scenarioPath("connector-network"),
			"--terraform-plan", plan, "--format", "sarif")
		if code == exitUsage {
			continue // a plan that needs more flags (its README); its reports are tested elsewhere
		}
		check("plan "+filepath.Base(plan), code, stdout, stderr)
	}
	for _, name := range []string{"healthy", "connector-missing", "connector-network", "missing-subnets"} {
		hermeticLive(t, serveBuiltIn(t, name))
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

// TestExitCodeMatrix pins the exit-code contract (DESIGN.md, docs/ci.md): for each
// --fail-on, each status, with and without --ignore, alone and next to others.
func TestExitCodeMatrix(t *testing.T) {
	finding := func(id string, status checks.Status, ignored bool) checks.Finding {
		return checks.Finding{ID: id, Status: status, Ignored: ignored}
	}
	tests := []struct {
		statuses []checks.Status
		ignored  []bool
		failOn   checks.Status
		want     int
	}{
		// One finding of each status, --fail-on fail.
		{[]checks.Status{checks.Pass}, nil, checks.Fail, exitOK},
		{[]checks.Status{checks.Skip}, nil, checks.Fail, exitOK},
		{[]checks.Status{checks.Warn}, nil, checks.Fail, exitOK},
		{[]checks.Status{checks.Fail}, nil, checks.Fail, exitFindings},
		{[]checks.Status{checks.Error}, nil, checks.Fail, exitIncomplete},
		// --fail-on warn.
		{[]checks.Status{checks.Pass}, nil, checks.Warn, exitOK},
		{[]checks.Status{checks.Skip}, nil, checks.Warn, exitOK},
		{[]checks.Status{checks.Warn}, nil, checks.Warn, exitFindings},
		{[]checks.Status{checks.Fail}, nil, checks.Warn, exitFindings},
		{[]checks.Status{checks.Error}, nil, checks.Warn, exitIncomplete},
		// A failure beats an error (3 means: incomplete and nothing failed).
		{[]checks.Status{checks.Error, checks.Fail}, nil, checks.Fail, exitFindings},
		{[]checks.Status{checks.Fail, checks.Error}, nil, checks.Fail, exitFindings},
		{[]checks.Status{checks.Error, checks.Warn}, nil, checks.Fail, exitIncomplete},
		{[]checks.Status{checks.Error, checks.Warn}, nil, checks.Warn, exitFindings},
		{[]checks.Status{checks.Pass, checks.Skip, checks.Warn}, nil, checks.Fail, exitOK},
		// Ignored findings count for nothing, whatever their status.
		{[]checks.Status{checks.Fail}, []bool{true}, checks.Fail, exitOK},
		{[]checks.Status{checks.Warn}, []bool{true}, checks.Warn, exitOK},
		{[]checks.Status{checks.Error}, []bool{true}, checks.Fail, exitOK},
		{[]checks.Status{checks.Fail, checks.Error}, []bool{true, false}, checks.Fail, exitIncomplete},
		{[]checks.Status{checks.Fail, checks.Error}, []bool{false, true}, checks.Fail, exitFindings},
		{[]checks.Status{checks.Fail, checks.Warn}, []bool{true, false}, checks.Warn, exitFindings},
		{[]checks.Status{checks.Fail, checks.Warn}, []bool{true, false}, checks.Fail, exitOK},
		{[]checks.Status{checks.Fail, checks.Fail}, []bool{true, false}, checks.Fail, exitFindings},
		// Nothing to report.
		{nil, nil, checks.Fail, exitOK},
	}
	for _, tt := range tests {
		var findings []checks.Finding
		for i, status := range tt.statuses {
			ignored := i < len(tt.ignored) && tt.ignored[i]
			findings = append(findings, finding("check."+string(rune('a'+i)), status, ignored))
		}
		if got := exitCode(findings, tt.failOn); got != tt.want {
			t.Errorf("statuses %v ignored %v --fail-on %s: exit %d, want %d", tt.statuses, tt.ignored, tt.failOn, got, tt.want)
		}
	}
}

// TestCheckCIEndToEnd runs the gate through the real CLI once check carries the CI flags.
func TestCheckCIEndToEnd(t *testing.T) {
	wired := false
	for _, flag := range wholeProgram().checkCommand().Flags {
		if flag.Names()[0] == "terraform-plan" {
			wired = true
		}
	}
	if !wired {
		t.Skip("check does not carry ciFlags() yet")
	}
	dir := t.TempDir()
	snapshot := scenarioPath("connector-network")
	tests := []struct {
		plan  string
		redis string
		want  int
	}{
		{plan: "connector-wrong-network.json", want: exitFindings},
		{plan: "connector-fix.json", want: exitOK},
		{plan: "delete-connector.json", want: exitFindings},
		// Skips do not fail the gate: what the plan leaves to the apply exits 0.
		{plan: "known-after-apply.json", want: exitOK},
		{plan: "new-redis.json", redis: "sessions", want: exitOK},
		// Without --redis: the plan's REDIS_HOST = google_redis_instance.sessions.host
		// chooses the instance among the snapshot's several.
		{plan: "new-redis.json", want: exitOK},
		{plan: "greenfield.json", redis: "sessions", want: exitOK},
		// A PRIVATE_SERVICE_ACCESS instance with the Service Networking connection it needs.
		{plan: "psa-redis.json", redis: "sessions", want: exitOK},
		{plan: "module-nested.json", want: exitOK},
		{plan: "direct-vpc.json", want: exitOK},
	}
	for _, tt := range tests {
		sarif, junit := filepath.Join(dir, tt.plan+".sarif"), filepath.Join(dir, tt.plan+".xml")
		args := []string{"check", "--from", snapshot, "--terraform-plan", planFile(tt.plan),
			"--output", "text", "--output", "sarif=" + sarif, "--output", "junit=" + junit}
		if tt.redis != "" {
			args = append(args, "--redis", tt.redis)
		}
		code, stdout, stderr := runCLI(t, args...)
		if code != tt.want {
			t.Errorf("%s: exit %d, want %d\n%s%s", tt.plan, code, tt.want, stdout, stderr)
		}
		for _, path := range []string{sarif, junit} {
			if _, err := os.Stat(path); err != nil {
				t.Errorf("%s: %v", tt.plan, err)
			}
		}
		if strings.Contains(stdout+stderr, planSecret) {
			t.Errorf("%s: a secret reached the output", tt.plan)
		}
	}
	code, _, stderr := runCLI(t, "check", "--from", snapshot, "--terraform-plan", filepath.Join(dir, "missing.json"))
	if code != exitUsage || !strings.Contains(stderr, "missing.json") {
		t.Errorf("missing plan: exit %d, %q", code, stderr)
	}
	// Without --output, the text report is streamed once, not streamed and written again.
	code, stdout, _ := runCLI(t, "check", "--from", snapshot, "--terraform-plan", planFile("known-after-apply.json"))
	if code != exitOK || strings.Count(stdout, "Summary:") != 1 {
		t.Errorf("check without --output: exit %d, %d summaries, want 0 and one report:\n%s", code, strings.Count(stdout, "Summary:"), stdout)
	}
	if !strings.Contains(stdout, "skipped until terraform apply: ") {
		t.Errorf("check of a plan with values known after apply reports no after-apply skip:\n%s", stdout)
	}
}

// TestCheckPlanReports pins the reports of a gate run on a plan, on the few checks of
// goldenProgram (goldens in testdata/golden, `go test ./internal/cli -update` rewrites
// them): each finding carries the file its resource was read
// from, the plan or a snapshot file, and SARIF results and GitHub annotations are located
// on that file.
func TestCheckPlanReports(t *testing.T) {
	dir := t.TempDir()
	runs := []struct {
		name string
		args []string
		want int
	}{
		// The failing connector comes from the plan: located on the plan.
		{"plan-connector-wrong-network", []string{"--from", scenarioPath("connector-network"),
			"--terraform-plan", planFile("connector-wrong-network.json")}, exitFindings},
		// A snapshot alone: located on the snapshot file the instance was read from.
		{"snapshot-redis-region", []string{"--from", scenarioPath("redis-region")}, exitOK},
	}
	for _, r := range runs {
		files := map[string]string{"json": r.name + ".json", "sarif": r.name + ".sarif.json", "github": r.name + ".github.txt"}
		args := append([]string{"check"}, r.args...)
		for _, format := range []string{"json", "sarif", "github"} {
			args = append(args, "--output", format+"="+filepath.Join(dir, files[format]))
		}
		if code, stdout, stderr := runProgram(t, goldenProgram(t), args...); code != r.want {
			t.Fatalf("%s: exit %d, want %d\n%s%s", r.name, code, r.want, stdout, stderr)
		}
		for _, format := range []string{"json", "sarif", "github"} {
			data, err := os.ReadFile(filepath.Join(dir, files[format]))
			if err != nil {
				t.Fatal(err)
			}
			golden(t, files[format], stableVersion(string(data)))
			if format == "json" {
				instance, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
				if err != nil {
					t.Fatal(err)
				}
				if err := reportSchema(t).Validate(instance); err != nil {
					t.Errorf("%s: %v", r.name, err)
				}
			}
		}
	}

	// A service read from a service.yaml is named by its project number; its findings still
	// point at the file.
	service := scenarioPath("healthy", "service.yaml")
	_, stdout, _ := runCLI(t, "check", "--from", scenarioPath("connector-network"), "--service-file", service, "--output", "json")
	var doc report.Document
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	for _, f := range doc.Findings {
		if f.Hop == checks.HopRun && f.Source != service {
			t.Errorf("%s: source %q, want %s", f.ID, f.Source, service)
		}
		if f.Hop == checks.HopRedis && f.Source != scenarioPath("connector-network", "redis.yaml") {
			t.Errorf("%s: source %q, want the snapshot's redis.yaml", f.ID, f.Source)
		}
	}
}
