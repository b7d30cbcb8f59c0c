package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/urfave/cli/v2"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/snapshot"
	"github.com/vpcdoctor/vpcdoctor/report"
)

// planDir holds the Terraform plan fixtures (see its README); they describe deploys onto the
// connector-network scenario.
var planDir = filepath.Join("inventory", "terraform", "testdata", "plans")

// planSecret is the auth_string of every Redis instance in the plan fixtures, and a
// sensitive environment value in new-redis.json.
const planSecret = "6a1f0d3e-auth-string-never-printed-9b2c"

// withCIFlags runs action with a context parsed from args against the CI and output flags,
// as check will once it carries them. It returns the action's error.
func withCIFlags(t *testing.T, args []string, action func(c *cli.Context) error) error {
	t.Helper()
	var out bytes.Buffer
	app := &cli.App{
		Name: "vpcdoctor", Writer: &out, ErrWriter: &out,
		Flags:          append(ciFlags(), outputFlags()...),
		Action:         action,
		ExitErrHandler: func(*cli.Context, error) {},
	}
	return app.Run(append([]string{"vpcdoctor"}, args...))
}

func exitCodeOf(err error) int {
	var coder cli.ExitCoder
	if errors.As(err, &coder) {
		return coder.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

func TestParseOutputs(t *testing.T) {
	tests := []struct {
		args    []string
		want    []outputSpec
		wantErr string
	}{
		// Without --output, --format's report streams to stdout: no outputs to write after.
		{args: nil, want: nil},
		{args: []string{"--format", "json"}, want: nil},
		{args: []string{"--output", "text", "--output", "sarif=testdata/vpcdoctor.sarif", "--output", "JUnit=vpcdoctor.xml"},
			want: []outputSpec{{format: "text"}, {format: "sarif", path: "testdata/vpcdoctor.sarif"}, {format: "junit", path: "vpcdoctor.xml"}}},
		{args: []string{"--output", "github", "--output", "markdown=summary.md", "--output", "json=r.json"},
			want: []outputSpec{{format: "github"}, {format: "markdown", path: "summary.md"}, {format: "json", path: "r.json"}}},
		{args: []string{"--output", "pdf=x"}, wantErr: `unknown format "pdf"`},
		{args: []string{"--output", "html=page.html"}, want: []outputSpec{{format: "html", path: "page.html"}}},
		// Line-oriented logs share stdout; a document format must be alone there.
		{args: []string{"--output", "text", "--output", "github"}, want: []outputSpec{{format: "text"}, {format: "github"}}},
		{args: []string{"--output", "github", "--output", "gitlab=gl-code-quality-report.json", "--output", "jsonl=r.jsonl"},
			want: []outputSpec{{format: "github"}, {format: "gitlab", path: "gl-code-quality-report.json"}, {format: "jsonl", path: "r.jsonl"}}},
		{args: []string{"--output", "text", "--output", "json"}, wantErr: "only text and github can share stdout; give json a path"},
		{args: []string{"--output", "sarif", "--output", "github"}, wantErr: "only text and github can share stdout; give sarif a path"},
		{args: []string{"--output", "github", "--output", "github"}, wantErr: "already goes to stdout"},
		{args: []string{"--output", "sarf=x"}, wantErr: `unknown format "sarf"; did you mean "sarif"?`},
		{args: []string{"--output", "sarif=a", "--output", "junit=a"}, wantErr: "two reports would be written to a"},
		{args: []string{"--output", "sarif="}, wantErr: "empty path"},
		{args: []string{"--format", "json", "--output", "sarif=a"}, wantErr: "cannot be combined"},
		// Refused before any check runs: a missing directory, a directory.
		{args: []string{"--output", "sarif=out/vpcdoctor.sarif"}, wantErr: "no such directory: out"},
		{args: []string{"--output", "sarif=testdata"}, wantErr: "is a directory"},
	}
	for _, tt := range tests {
		var got []outputSpec
		err := withCIFlags(t, tt.args, func(c *cli.Context) error {
			var err error
			got, err = parseOutputs(c)
			return err
		})
		if tt.wantErr != "" {
			if exitCodeOf(err) != exitUsage || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%v: error %v, want exit 2 with %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", tt.args, err)
			continue
		}
		if len(got) != len(tt.want) {
			t.Errorf("%v: %+v, want %+v", tt.args, got, tt.want)
			continue
		}
		for i := range got {
			if got[i].format != tt.want[i].format || got[i].path != tt.want[i].path || got[i].color {
				t.Errorf("%v: spec %d = %+v, want %+v (uncolored: stdout is not a terminal)", tt.args, i, got[i], tt.want[i])
			}
		}
	}
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
		if err := applyCIInputs(c, inv); err != nil {
			return err
		}
		ciTarget(c, &target)
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

func statusOf(findings []checks.Finding, id string) checks.Status {
	for _, f := range findings {
		if f.ID == id {
			return f.Status
		}
	}
	return ""
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
			args:  []string{"--terraform-plan", filepath.Join(planDir, "connector-wrong-network.json")},
			want:  map[string]checks.Status{"connector.found": checks.Pass, "connector.network": checks.Fail},
			input: filepath.Join(planDir, "connector-wrong-network.json"), source: "plan"},
		{name: "plan fixes it",
			args:  []string{"--terraform-plan", filepath.Join(planDir, "connector-fix.json")},
			want:  map[string]checks.Status{"connector.found": checks.Pass, "connector.network": checks.Pass, "connector.range": checks.Pass},
			input: filepath.Join(planDir, "connector-fix.json"), source: "plan"},
		{name: "service file with Direct VPC replaces the snapshot's service",
			args:  []string{"--service-file", scenarioPath("direct-vpc", "service.yaml")},
			want:  map[string]checks.Status{"run.vpc-egress": checks.Pass, "connector.found": checks.Skip},
			input: scenarioPath("direct-vpc", "service.yaml"), source: "plan"},
		{name: "service file wins over the plan's service",
			args: []string{"--terraform-plan", filepath.Join(planDir, "connector-fix.json"), "--service-file", scenarioPath("healthy", "service.yaml")},
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

// writeTestFile writes content to dir/name and returns the path.
func writeTestFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
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

func TestWriteOutputs(t *testing.T) {
	for _, plan := range []string{"connector-wrong-network.json", "new-redis.json"} {
		sel := inventory.Selector{}
		if plan == "new-redis.json" {
			sel.Redis = "sessions"
		}
		findings, target, err := ciFindings(t, "connector-network", []string{"--terraform-plan", filepath.Join(planDir, plan)}, sel)
		if err != nil {
			t.Fatal(err)
		}
		doc := report.NewDocument(report.Tool{Name: "vpcdoctor", Version: "test"}, target, findings)
		dir := t.TempDir()
		specs := []outputSpec{{format: "text", color: true}}
		for _, format := range []string{"text", "json", "junit", "sarif", "github", "markdown"} {
			specs = append(specs, outputSpec{format: format, path: filepath.Join(dir, "report."+format)})
		}
		var stdout bytes.Buffer
		if err := writeOutputs(specs, &stdout, doc); err != nil {
			t.Fatal(err)
		}
		outputs := map[string]string{"stdout": stdout.String()}
		for _, spec := range specs[1:] {
			data, err := os.ReadFile(spec.path)
			if err != nil {
				t.Fatal(err)
			}
			outputs[spec.format] = string(data)
		}
		if !strings.Contains(outputs["stdout"], "\x1b[") || strings.Contains(outputs["text"], "\x1b[") {
			t.Errorf("%s: text on stdout must keep its colors and text in a file must have none", plan)
		}
		if err := json.Unmarshal([]byte(outputs["sarif"]), new(map[string]any)); err != nil {
			t.Errorf("%s: SARIF file is not JSON: %v", plan, err)
		}
		if err := xml.Unmarshal([]byte(outputs["junit"]), new(struct{})); err != nil {
			t.Errorf("%s: JUnit file is not XML: %v", plan, err)
		}
		if !strings.Contains(outputs["github"], "file="+filepath.ToSlash(filepath.Join(planDir, plan))) && strings.Contains(outputs["github"], "::error") {
			t.Errorf("%s: annotations are not located on the plan:\n%s", plan, outputs["github"])
		}
		for name, out := range outputs {
			if strings.Contains(out, planSecret) {
				t.Errorf("%s: the plan's auth_string or sensitive value appears in the %s report", plan, name)
			}
		}
	}
}

// TestWriteOutputsRefused: a report path that cannot take a report is exit 2 naming the
// path, and nothing is written anywhere, in particular not through a symbolic link a pull
// request committed under the report's name.
func TestWriteOutputsRefused(t *testing.T) {
	doc := report.NewDocument(report.Tool{Name: "vpcdoctor", Version: "test"}, report.Target{Source: "demo"}, nil)
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "adir"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{"link.sarif": victim, "dangling.sarif": filepath.Join(dir, "created-through-link"), "dirlink": filepath.Join(dir, "adir")} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
	}
	for _, path := range []string{
		filepath.Join(dir, "no-such-dir", "r.sarif"),
		filepath.Join(dir, "adir"),
		filepath.Join(dir, "link.sarif"),
		filepath.Join(dir, "dangling.sarif"),
		filepath.Join(dir, "dirlink"),
	} {
		err := writeOutputs([]outputSpec{{format: "sarif", path: path}}, &bytes.Buffer{}, doc)
		if exitCodeOf(err) != exitUsage || !strings.Contains(err.Error(), path) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want exit 2 and one line naming the path", path, err)
		}
	}
	if data, _ := os.ReadFile(victim); string(data) != "keep" {
		t.Errorf("a report was written through a symbolic link: the target now holds %q", data)
	}
	if _, err := os.Lstat(filepath.Join(dir, "created-through-link")); err == nil {
		t.Error("a report was created through a dangling symbolic link")
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
	for _, flag := range checkCommand().Flags {
		if flag.Names()[0] == "terraform-plan" {
			wired = true
		}
	}
	if !wired {
		t.Skip("check does not carry ciFlags() yet")
	}
	dir := t.TempDir()
	snap := scenarioPath("connector-network")
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
		args := []string{"check", "--from", snap, "--terraform-plan", filepath.Join(planDir, tt.plan),
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
	code, _, stderr := runCLI(t, "check", "--from", snap, "--terraform-plan", filepath.Join(dir, "missing.json"))
	if code != exitUsage || !strings.Contains(stderr, "missing.json") {
		t.Errorf("missing plan: exit %d, %q", code, stderr)
	}
	// Without --output, the text report is streamed once, not streamed and written again.
	code, stdout, _ := runCLI(t, "check", "--from", snap, "--terraform-plan", filepath.Join(planDir, "known-after-apply.json"))
	if code != exitOK || strings.Count(stdout, "Summary:") != 1 {
		t.Errorf("check without --output: exit %d, %d summaries, want 0 and one report:\n%s", code, strings.Count(stdout, "Summary:"), stdout)
	}
	if !strings.Contains(stdout, "skipped until terraform apply: ") {
		t.Errorf("check of a plan with values known after apply reports no after-apply skip:\n%s", stdout)
	}
}

// TestCheckPlanReports pins the reports of a gate run on a plan (goldens in testdata/golden,
// `go test . -update` rewrites them): each finding carries the file its resource was read
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
			"--terraform-plan", filepath.Join(planDir, "connector-wrong-network.json")}, exitFindings},
		// A snapshot alone: located on the snapshot file the instance was read from.
		{"snapshot-redis-region", []string{"--from", scenarioPath("redis-region")}, exitOK},
	}
	for _, r := range runs {
		files := map[string]string{"json": r.name + ".json", "sarif": r.name + ".sarif.json", "github": r.name + ".github.txt"}
		args := append([]string{"check"}, r.args...)
		for _, format := range []string{"json", "sarif", "github"} {
			args = append(args, "--output", format+"="+filepath.Join(dir, files[format]))
		}
		if code, stdout, stderr := runCLI(t, args...); code != r.want {
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

// reportSchema compiles the JSON report's schema.
func reportSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
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
	return schema
}
