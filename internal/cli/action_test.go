package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The GitHub Action (action.yml) maps its inputs to the flags of `vpcdoctor check`. These
// tests read action.yml and run its script with bash, with a stand-in vpcdoctor on PATH that
// records its arguments: what a workflow's inputs become is what is asserted, not the text.

type actionFile struct {
	Inputs map[string]struct {
		Description string `yaml:"description"`
		Required    bool   `yaml:"required"`
		Default     string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []struct {
			ID   string            `yaml:"id"`
			Name string            `yaml:"name"`
			If   string            `yaml:"if"`
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			Env  map[string]string `yaml:"env"`
			With map[string]string `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

func readAction(t *testing.T) actionFile {
	t.Helper()
	data, err := os.ReadFile(repoPath("action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var action actionFile
	if err := yaml.Unmarshal(data, &action); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return action
}

var inputRef = regexp.MustCompile(`\$\{\{\s*inputs\.([a-z0-9-]+)\s*\}\}`)

// TestActionInputsAreUsed: every input is read by a step and every step reads only inputs
// that exist; third-party actions are pinned to a commit.
func TestActionInputsAreUsed(t *testing.T) {
	action := readAction(t)
	if action.Runs.Using != "composite" {
		t.Fatalf("runs.using %q, want composite", action.Runs.Using)
	}
	used := map[string]bool{}
	for _, step := range action.Runs.Steps {
		var values []string
		for _, v := range step.Env {
			values = append(values, v)
		}
		for _, v := range step.With {
			values = append(values, v)
		}
		values = append(values, step.If, step.Run)
		for _, v := range values {
			for _, m := range inputRef.FindAllStringSubmatch(v, -1) {
				used[m[1]] = true
				if _, ok := action.Inputs[m[1]]; !ok {
					t.Errorf("step %q reads inputs.%s, which action.yml does not declare", step.Name, m[1])
				}
			}
			if strings.Contains(step.Run, "${{") {
				t.Errorf("step %q expands an expression inside its script; pass it through env", step.Name)
			}
		}
		if step.Uses != "" && !regexp.MustCompile(`@[0-9a-f]{40}$`).MatchString(step.Uses) {
			t.Errorf("step %q uses %s: pin it to a commit", step.Name, step.Uses)
		}
	}
	for name, input := range action.Inputs {
		if !used[name] && !strings.Contains(action.Runs.Steps[0].If, name) {
			t.Errorf("input %s is declared but no step reads it", name)
		}
		if input.Description == "" {
			t.Errorf("input %s has no description", name)
		}
	}
	if !action.Inputs["version"].Required {
		t.Error("the version input must be required: the action runs a pinned release")
	}
}

// actionRun runs the action's "check" step with inputs (defaults for the others) and
// returns the arguments vpcdoctor got, its outputs file, and the step's exit code.
func actionRun(t *testing.T, inputs map[string]string, exitWith int) (args []string, outputs string, code int) {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not installed")
	}
	action := readAction(t)
	var env map[string]string
	var script string
	for _, step := range action.Runs.Steps {
		if step.ID == "check" {
			env, script = step.Env, step.Run
		}
	}
	if script == "" {
		t.Fatal("action.yml has no step with id check")
	}
	dir := t.TempDir()
	record := filepath.Join(dir, "args")
	fake := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > " + record + "\nexit " + strconv.Itoa(exitWith) + "\n"
	if err := os.WriteFile(filepath.Join(dir, "vpcdoctor"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "-e", "-c", script)
	cmd.Env = []string{"PATH=" + dir + ":" + os.Getenv("PATH"), "GITHUB_OUTPUT=" + filepath.Join(dir, "output"),
		"GITHUB_STEP_SUMMARY=" + filepath.Join(dir, "summary")}
	for name, value := range env {
		m := inputRef.FindStringSubmatch(value)
		if m == nil {
			t.Fatalf("env %s = %q is not an input", name, value)
		}
		v, ok := inputs[m[1]]
		if !ok {
			v = action.Inputs[m[1]].Default
		}
		cmd.Env = append(cmd.Env, name+"="+v)
	}
	out, err := cmd.CombinedOutput()
	code = cmd.ProcessState.ExitCode()
	if err != nil && code == -1 {
		t.Fatalf("script: %v\n%s", err, out)
	}
	data, _ := os.ReadFile(record)
	args = strings.Split(strings.TrimSuffix(strings.ReplaceAll(string(data), dir, "DIR"), "\n"), "\n")
	o, _ := os.ReadFile(filepath.Join(dir, "output"))
	return args, strings.ReplaceAll(string(o), dir, "DIR"), code
}

// TestActionInputsMapToFlags: the arguments each set of inputs gives vpcdoctor, and that
// each flag is one `vpcdoctor check` defines.
func TestActionInputsMapToFlags(t *testing.T) {
	tests := []struct {
		inputs map[string]string
		want   []string
	}{
		{map[string]string{"version": "v1.2.3", "job-summary": "false"},
			[]string{"check", "--fail-on", "fail", "--output", "text", "--output", "github", "--output", "sarif=vpcdoctor.sarif", "--output", "markdown=vpcdoctor.md"}},
		{map[string]string{"version": "v1.2.3", "from": "snapshot dir", "project": "p", "region": "us-central1", "service": "api",
			"redis": "cache", "connector": "c", "terraform-plan": "infra/plan.json", "service-file": "service.yaml",
			"fail-on": "warn", "ignore": "run.cold-start,redis.region", "timeout": "60s",
			"outputs": "  github\n\ngitlab=gl-code-quality-report.json\n", "job-summary": "false", "args": "--all\n--color=never"},
			[]string{"check", "--from", "snapshot dir", "--project", "p", "--region", "us-central1", "--service", "api", "--redis", "cache",
				"--connector", "c", "--terraform-plan", "infra/plan.json", "--service-file", "service.yaml", "--fail-on", "warn",
				"--ignore", "run.cold-start,redis.region", "--timeout", "60s", "--output", "github", "--output", "gitlab=gl-code-quality-report.json",
				"--all", "--color=never"}},
		{map[string]string{"version": "v1.2.3", "outputs": "github"},
			[]string{"check", "--fail-on", "fail", "--output", "github", "--output", "markdown=DIR/summary"}},
	}
	flags := map[string]bool{}
	for _, f := range wholeProgram().checkCommand().Flags {
		for _, name := range f.Names() {
			flags["--"+name] = true
		}
	}
	for _, tt := range tests {
		got, _, code := actionRun(t, tt.inputs, 0)
		if code != 0 || !slices.Equal(got, tt.want) {
			t.Errorf("inputs %v:\n got  %q (exit %d)\n want %q", tt.inputs, got, code, tt.want)
		}
		for _, arg := range got {
			name, _, _ := strings.Cut(arg, "=")
			if strings.HasPrefix(arg, "--") && !flags[name] {
				t.Errorf("the action passes %s, which check does not define", name)
			}
		}
	}
}

// TestActionExitCodeAndOutputs: the step fails with vpcdoctor's exit code and records it,
// and the report paths, as step outputs.
func TestActionExitCodeAndOutputs(t *testing.T) {
	_, outputs, code := actionRun(t, map[string]string{"version": "v1.2.3", "job-summary": "false"}, 1)
	if code != 1 {
		t.Errorf("step exit %d, want vpcdoctor's 1", code)
	}
	for _, want := range []string{"exit-code=1\n", "sarif=vpcdoctor.sarif\n", "markdown=vpcdoctor.md\n"} {
		if !strings.Contains(outputs, want) {
			t.Errorf("outputs %q lack %q", outputs, want)
		}
	}
}
