package live_test

import (
	"os"
	"strings"
	"testing"

	"github.com/vpcdoctor/vpcdoctor/inventory/live"
)

// TestLiveDocsListEveryPermission keeps the permission table of docs/live.md in step with
// what Load calls.
func TestLiveDocsListEveryPermission(t *testing.T) {
	data, err := os.ReadFile("../../docs/live.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	for _, p := range live.Permissions() {
		row := "| `" + p.API + "` | `" + p.Permission + "` | `" + p.Role + "` |"
		if !strings.Contains(doc, row) {
			t.Errorf("docs/live.md has no row %s", row)
		}
	}
}
