package finding_test

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/vpcdoctor/vpcdoctor/"

// deps lists the vpcdoctor packages pkg depends on (its non-test imports, transitively).
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", module+pkg).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	var own []string
	for _, line := range strings.Fields(string(out)) {
		if strings.HasPrefix(line, module) && line != module+pkg {
			own = append(own, strings.TrimPrefix(line, module))
		}
	}
	return own
}

// TestImportsRunOneWay keeps the layout's direction (loaders → inventory ← checks → finding
// ← report): the reporters and the probe take findings and path shapes as plain data and
// never reach into the check engine or the inventory, and this package stays a leaf that
// every one of them can import.
func TestImportsRunOneWay(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	for _, pkg := range []string{"report", "probe"} {
		for _, dep := range deps(t, pkg) {
			if dep == "checks" || dep == "inventory" || strings.HasPrefix(dep, "inventory/") {
				t.Errorf("%s imports %s; it should take plain data from package finding", pkg, dep)
			}
		}
	}
	for _, dep := range deps(t, "checks") {
		if dep == "report" || dep == "probe" {
			t.Errorf("checks imports %s; the engine hands findings and path shapes to the reporters as data", dep)
		}
	}
	for _, dep := range deps(t, "finding") {
		if dep != "internal/sanitize" {
			t.Errorf("finding imports %s; it must stay a leaf (internal/sanitize only)", dep)
		}
	}
}
