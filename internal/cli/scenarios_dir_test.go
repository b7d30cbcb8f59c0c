package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/fixtures"
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
