package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"cloud.google.com/go/auth/credentials"
	"go.yaml.in/yaml/v3"
)

// The CI examples under docs/examples are the snippets docs/ci.md shows, verbatim; these
// tests hold them to what the platforms accept.

// TestCIDocsShowTheExamples: docs/ci.md carries each example file as it is, so what a
// reader copies is what the tests check.
func TestCIDocsShowTheExamples(t *testing.T) {
	doc, err := os.ReadFile(repoPath("docs", "ci.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"github-workflow.yml", "gitlab-ci.yml"} {
		example, err := os.ReadFile(repoPath("docs", "examples", name))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(doc), string(example)) {
			t.Errorf("docs/ci.md does not show docs/examples/%s as it is", name)
		}
	}
}

// TestWorkflowsPassActionlint runs actionlint (with shellcheck, when installed) on the
// example workflow and the action's own workflow, which also checks the inputs given to the
// local action against action.yml. Install it with
// go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12.
func TestWorkflowsPassActionlint(t *testing.T) {
	actionlint, err := exec.LookPath("actionlint")
	if err != nil {
		if os.Getenv("VPCDOCTOR_REQUIRE_ACTIONLINT") != "" {
			t.Fatal("actionlint not installed, and VPCDOCTOR_REQUIRE_ACTIONLINT is set")
		}
		t.Skip("actionlint not installed")
	}
	out, err := exec.Command(actionlint, repoPath("docs", "examples", "github-workflow.yml"),
		repoPath(".github", "workflows", "action.yml"), repoPath(".github", "workflows", "release.yml")).CombinedOutput()
	if err != nil {
		t.Errorf("actionlint: %v\n%s", err, out)
	}
}

// gitlabArtifactKeys and gitlabReportKeys are what GitLab's CI schema
// (app/assets/javascripts/editor/schema/ci.json, definitions.artifacts, which sets
// additionalProperties false on both) allows under artifacts and artifacts:reports.
var (
	gitlabArtifactKeys = []string{"paths", "exclude", "expose_as", "name", "untracked", "when", "access", "expire_in", "reports"}
	gitlabReportKeys   = []string{"accessibility", "annotations", "junit", "browser_performance", "coverage_report", "codequality",
		"dotenv", "lsif", "sast", "dependency_scanning", "container_scanning", "dast", "license_management", "license_scanning",
		"requirements", "secret_detection", "metrics", "terraform", "cyclonedx", "load_performance", "repository_xray"}
	gitlabJobKeys = []string{"image", "stage", "needs", "id_tokens", "before_script", "script", "after_script", "artifacts",
		"rules", "variables", "tags", "timeout", "services", "cache", "when", "allow_failure", "interruptible", "retry"}
)

// TestGitLabExample checks the GitLab job against the parts of GitLab's CI schema it uses
// (the whole 114 KB schema is not vendored): known job and artifact keys, artifacts:when's
// values, report paths as strings; every job has a script; the vpcdoctor job's reports are
// the files vpcdoctor writes. And the credential configuration its script writes loads as
// Google external-account (Workload Identity Federation) credentials.
func TestGitLabExample(t *testing.T) {
	data, err := os.ReadFile(repoPath("docs", "examples", "gitlab-ci.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var pipeline map[string]any
	if err := yaml.Unmarshal(data, &pipeline); err != nil {
		t.Fatal(err)
	}
	globals := []string{"stages", "variables", "default", "include", "workflow"}
	for name, value := range pipeline {
		if slices.Contains(globals, name) {
			continue
		}
		job, ok := value.(map[string]any)
		if !ok {
			t.Fatalf("job %s is not a mapping", name)
		}
		for key := range job {
			if !slices.Contains(gitlabJobKeys, key) {
				t.Errorf("job %s: key %s is not one this test knows from GitLab's schema", name, key)
			}
		}
		if _, ok := job["script"].([]any); !ok {
			t.Errorf("job %s has no script list", name)
		}
		artifacts, _ := job["artifacts"].(map[string]any)
		for key, v := range artifacts {
			if !slices.Contains(gitlabArtifactKeys, key) {
				t.Errorf("job %s: artifacts:%s is not in GitLab's schema", name, key)
			}
			if key == "when" && !slices.Contains([]string{"on_success", "on_failure", "always"}, v.(string)) {
				t.Errorf("job %s: artifacts:when %v", name, v)
			}
		}
		reports, _ := artifacts["reports"].(map[string]any)
		for key, v := range reports {
			if !slices.Contains(gitlabReportKeys, key) {
				t.Errorf("job %s: artifacts:reports:%s is not in GitLab's schema", name, key)
			}
			if _, ok := v.(string); !ok {
				t.Errorf("job %s: artifacts:reports:%s is not a path", name, key)
			}
		}
	}
	job := pipeline["vpcdoctor"].(map[string]any)
	script := fmt.Sprint(job["script"])
	reports := job["artifacts"].(map[string]any)["reports"].(map[string]any)
	for format, key := range map[string]string{"gitlab": "codequality", "junit": "junit"} {
		if !strings.Contains(script, "--output "+format+"="+reports[key].(string)) {
			t.Errorf("reports:%s %v is not the file of --output %s", key, reports[key], format)
		}
	}

	// The credential configuration, as the printf in the script writes it.
	format := regexp.MustCompile(`printf '(\{"type":"external_account".*?)'`).FindStringSubmatch(string(data))
	if format == nil {
		t.Fatal("no credential configuration in the GitLab example")
	}
	token := filepath.Join(t.TempDir(), "token")
	config := fmt.Sprintf(format[1], "projects/123/locations/global/workloadIdentityPools/gitlab/providers/p",
		"vpcdoctor@my-project.iam.gserviceaccount.com", token)
	if !json.Valid([]byte(config)) {
		t.Fatalf("credential configuration is not JSON: %s", config)
	}
	if _, err := credentials.DetectDefault(&credentials.DetectOptions{
		CredentialsJSON: []byte(config),
		Scopes:          []string{"https://www.googleapis.com/auth/cloud-platform"},
	}); err != nil {
		t.Errorf("the Google auth library rejects the credential configuration: %v", err)
	}
}
