package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vpcdoctor/vpcdoctor/fixtures"
)

// scenarioRoot is where TestMain writes every built-in scenario, composed from its base and
// overlay, so the tests can point `check --from` at a real directory. It is relative to the
// package directory, so reports name it the way a user's relative --from would.
var scenarioRoot string

// goldenScenarioRoot is how goldens spell scenarioRoot, so they do not depend on the
// temporary directory's name.
const goldenScenarioRoot = "fixtures/scenarios"

func TestMain(m *testing.M) {
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

// scenarioPath joins path elements under the composed scenarios' directory.
func scenarioPath(elem ...string) string {
	return filepath.Join(append([]string{scenarioRoot}, elem...)...)
}

// stableScenarioPaths spells the composed scenarios' directory the way goldens do.
func stableScenarioPaths(s string) string {
	return strings.ReplaceAll(s, filepath.ToSlash(scenarioRoot), goldenScenarioRoot)
}
