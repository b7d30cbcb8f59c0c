package cli

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/report"
)

func TestWriteOutputs(t *testing.T) {
	for _, plan := range []string{"connector-wrong-network.json", "new-redis.json"} {
		sel := inventory.Selector{}
		if plan == "new-redis.json" {
			sel.Redis = "sessions"
		}
		findings, target, err := ciFindings(t, "connector-network", []string{"--terraform-plan", planFile(plan)}, sel)
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
		if !strings.Contains(outputs["github"], "file="+filepath.ToSlash(planFile(plan))) && strings.Contains(outputs["github"], "::error") {
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
