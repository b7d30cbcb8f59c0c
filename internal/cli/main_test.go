package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/urfave/cli/v2"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/fixtures"
	goldenfile "github.com/vpcdoctor/vpcdoctor/internal/golden"
	"github.com/vpcdoctor/vpcdoctor/report"
)

// scenarioRoot is where TestMain writes every built-in scenario, composed from its base and
// overlay, so the tests can point `check --from` at a real directory. It is relative to the
// package directory, so reports name it the way a user's relative --from would.
var scenarioRoot string

// goldenScenarioRoot is how goldens spell scenarioRoot, so they do not depend on the
// temporary directory's name.
const goldenScenarioRoot = "fixtures/scenarios"

// moduleRoot is the module's root directory, relative to the package directory: the tests
// read the repository's files (README, action.yml, docs, other packages' test data) from
// there, and reports name those files relative to it, as a user's relative paths would.
var moduleRoot string

func TestMain(m *testing.M) {
	root, err := findModuleRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	moduleRoot = root
	dir, err := writeScenarios()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	scenarioRoot = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// findModuleRoot walks up from the working directory to the one holding go.mod.
func findModuleRoot() (string, error) {
	rel := "."
	for range 10 {
		if _, err := os.Stat(filepath.Join(rel, "go.mod")); err == nil {
			return rel, nil
		}
		rel = filepath.Join(rel, "..")
	}
	return "", fmt.Errorf("no go.mod above the package directory")
}

// repoPath joins path elements under the module's root.
func repoPath(elem ...string) string {
	return filepath.Join(append([]string{moduleRoot}, elem...)...)
}

func writeScenarios() (string, error) {
	dir, err := os.MkdirTemp("testdata", "scenarios-")
	if err != nil {
		return "", fmt.Errorf("scenario directory: %w", err)
	}
	for _, s := range fixtures.Scenarios() {
		if err := os.CopyFS(filepath.Join(dir, s.Name), s.FS); err != nil {
			os.RemoveAll(dir)
			return "", fmt.Errorf("write scenario %s: %w", s.Name, err)
		}
	}
	return dir, nil
}

// wholeProgram is the CLI as Run builds it: with the whole catalogue.
func wholeProgram() program {
	return program{catalogue: checks.Catalogue()}
}

// scenarioPath joins path elements under the composed scenarios' directory.
func scenarioPath(elem ...string) string {
	return filepath.Join(append([]string{scenarioRoot}, elem...)...)
}

// stableScenarioPaths spells the composed scenarios' directory, and the files of the
// repository, the way goldens do: relative to the module's root.
func stableScenarioPaths(s string) string {
	s = strings.ReplaceAll(s, filepath.ToSlash(scenarioRoot), goldenScenarioRoot)
	return strings.ReplaceAll(s, filepath.ToSlash(moduleRoot)+"/", "")
}

// runCLI runs the whole command in-process, as main does.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Run(append([]string{"vpcdoctor"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

// goldenProgram is the CLI with a fixed few checks: one of each hop of the path line, and
// those the golden runs fail or warn at, with their prerequisites. The end-to-end goldens
// show what the CLI does (the streamed text and its colors, the reports of a plan or a
// snapshot located on their files, the gate); run over the whole catalogue they would be
// rewritten by every new check, which checks/scenarios_test.go and the report package's
// goldens already cover.
func goldenProgram(t *testing.T) program {
	t.Helper()
	var few []checks.Check
	for _, id := range []string{"run.vpc-egress", "run.redis-host", "connector.found", "connector.network",
		"vpc.peering", "vpc.firewall-egress", "redis.found", "redis.region"} {
		check, ok := checks.Lookup(checks.Catalogue(), id)
		if !ok {
			t.Fatalf("goldenProgram names %s, which the catalogue lacks", id)
		}
		few = append(few, check)
	}
	if err := checks.Validate(few); err != nil {
		t.Fatalf("golden catalogue: %v", err)
	}
	return program{catalogue: few}
}

// runProgram runs prog's CLI in-process, as Run does with the whole catalogue.
func runProgram(t *testing.T, prog program, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = runApp(prog.newApp(&out, &errOut), append([]string{"vpcdoctor"}, args...), &errOut)
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

func mustRead(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// planFile is a Terraform plan fixture (see the README of its directory); the plans describe deploys onto the
// connector-network scenario.
func planFile(name string) string {
	return repoPath("inventory", "terraform", "testdata", "plans", name)
}

// planSecret is the auth_string of every Redis instance in the plan fixtures, and a
// sensitive environment value in new-redis.json.
const planSecret = "6a1f0d3e-auth-string-never-printed-9b2c"

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

func statusOf(findings []checks.Finding, id string) checks.Status {
	for _, f := range findings {
		if f.ID == id {
			return f.Status
		}
	}
	return ""
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

// isolateGcloud gives the test an empty gcloud configuration and no credentials or
// overrides from the developer's environment.
func isolateGcloud(t *testing.T) {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("CLOUDSDK_CONFIG", filepath.Join(home, "gcloud"))
	for _, name := range []string{
		"GOOGLE_APPLICATION_CREDENTIALS", "CLOUDSDK_CORE_PROJECT", "GOOGLE_CLOUD_PROJECT", "CLOUDSDK_RUN_REGION",
		"CLOUDSDK_COMPUTE_REGION", "CLOUDSDK_ACTIVE_CONFIG_NAME", "GCE_METADATA_HOST",
		"CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN", "CLOUDSDK_API_ENDPOINT_OVERRIDES_VPCACCESS",
		"CLOUDSDK_API_ENDPOINT_OVERRIDES_REDIS", "CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE",
	} {
		t.Setenv(name, "")
	}
}
