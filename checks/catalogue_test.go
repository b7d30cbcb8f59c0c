package checks_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/fixtures"
	"github.com/vpcdoctor/vpcdoctor/inventory"
)

func TestCatalogueIsValid(t *testing.T) {
	if err := checks.Validate(checks.Catalogue()); err != nil {
		t.Fatal(err)
	}
}

func TestValidateRejectsBrokenCatalogues(t *testing.T) {
	good := checks.Catalogue()
	dup := append(append([]checks.Check{}, good...), good[0])
	var dependent checks.Check // the first check with a prerequisite, put before it below
	for _, check := range good {
		if len(check.Requires) > 0 {
			dependent = check
			break
		}
	}
	if dependent.Requires == nil {
		t.Fatal("test assumes some check has prerequisites")
	}
	prerequisite, _ := checks.Lookup(good, dependent.Requires[0])
	forward := []checks.Check{dependent, prerequisite}
	untitled := append([]checks.Check{}, good...)
	untitled[1].Title = ""
	twoRuns := append([]checks.Check{}, good...) // a check must say whether it reads the clock
	twoRuns[0].RunAt = func(*inventory.Path, time.Time) checks.Result { return checks.Result{} }
	noRun := append([]checks.Check{}, good...)
	noRun[0].Run = nil
	for name, catalogue := range map[string][]checks.Check{"duplicate": dup, "forward reference": forward, "no title": untitled,
		"Run and RunAt": twoRuns, "neither Run nor RunAt": noRun} {
		if err := checks.Validate(catalogue); err == nil {
			t.Errorf("%s: Validate accepted a broken catalogue", name)
		}
	}
}

func TestEveryCheckIsExplained(t *testing.T) {
	for _, check := range checks.Catalogue() {
		text := checks.Explain(check.ID)
		if len(text) < 200 || strings.Contains(text, "TODO") {
			t.Errorf("%s: explain text missing or a stub (%d chars)", check.ID, len(text))
		}
	}
}

// TestEveryCheckHasPassingAndFailingFixture runs every scenario and requires each check to
// pass somewhere and to fail (or warn, for checks whose worst outcome is a warning)
// somewhere, so no check is untested in either direction.
func TestEveryCheckHasPassingAndFailingFixture(t *testing.T) {
	passes, fails := map[string]bool{}, map[string]bool{}
	for _, scenario := range fixtures.Scenarios() {
		for _, f := range runScenario(t, scenario.Name) {
			switch f.Status {
			case checks.Pass:
				passes[f.ID] = true
			case checks.Fail, checks.Warn:
				fails[f.ID] = true
			}
		}
	}
	for _, check := range checks.Catalogue() {
		if !passes[check.ID] {
			t.Errorf("%s: no scenario where it passes", check.ID)
		}
		if !fails[check.ID] {
			t.Errorf("%s: no scenario where it fails or warns", check.ID)
		}
	}
}

func TestFindingsCarryDocsAnchor(t *testing.T) {
	for _, f := range runScenario(t, "healthy") {
		if !strings.HasSuffix(f.Docs, "#"+checks.Anchor(f.ID)) || strings.Contains(checks.Anchor(f.ID), ".") {
			t.Errorf("%s: docs link %q", f.ID, f.Docs)
		}
	}
}

// TestOneFilePerCheck keeps the layout of the package: each check is declared in the file
// named by its ID (run.vpc-egress.go), which holds its value and its Run function, and
// every file named like a check ID declares one.
func TestOneFilePerCheck(t *testing.T) {
	declared := map[string]bool{}
	for _, check := range checks.Catalogue() {
		file := check.ID + ".go"
		declared[file] = true
		parsed, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
		if err != nil {
			t.Errorf("%s: %v (each check lives in the file named by its ID)", check.ID, err)
			continue
		}
		funcs := map[string]bool{}
		hasValue := false
		ast.Inspect(parsed, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				funcs[n.Name.Name] = true
			case *ast.KeyValueExpr:
				key, isIdent := n.Key.(*ast.Ident)
				value, isString := n.Value.(*ast.BasicLit)
				if isIdent && key.Name == "ID" && isString && value.Value == strconv.Quote(check.ID) {
					hasValue = true
				}
			}
			return true
		})
		if !hasValue {
			t.Errorf("%s does not declare the check value with ID %q", file, check.ID)
		}
		run := reflect.ValueOf(check.Run)
		if check.RunAt != nil {
			run = reflect.ValueOf(check.RunAt)
		}
		name := runtime.FuncForPC(run.Pointer()).Name()
		if short := name[strings.LastIndex(name, ".")+1:]; !funcs[short] {
			t.Errorf("%s: its Run function %s is not in %s", check.ID, short, file)
		}
	}
	files, err := filepath.Glob("*.*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		if !strings.HasSuffix(file, "_test.go") && !declared[file] {
			t.Errorf("%s is named like a check but no check of the catalogue has that ID", file)
		}
	}
}
