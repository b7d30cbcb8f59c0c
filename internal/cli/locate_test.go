package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/vpcdoctor/vpcdoctor/checks"
)

// TestLocateFindings: a finding is on the line that declares its resource: the name key in
// a snapshot list, the resource block of a .tf file beside the plan.
func TestLocateFindings(t *testing.T) {
	dir := t.TempDir()
	list := filepath.Join(dir, "connectors.yaml")
	os.WriteFile(list, []byte("- name: projects/p/locations/r/connectors/a\n  network: default\n- name: projects/p/locations/r/connectors/b\n  network: prod\n"), 0o644)
	tf := filepath.Join(dir, "main.tf")
	os.WriteFile(tf, []byte("provider \"google\" {}\n\nresource \"google_vpc_access_connector\" \"redis\" {\n  name          = \"redis-connector-2\"\n  region        = \"us-central1\"\n}\n"), 0o644)
	plan := filepath.Join(dir, "plan.json")
	os.WriteFile(plan, []byte(`{"format_version":"1.2"}`), 0o644)
	findings := []struct {
		source, resource string
		wantSource       string
		wantLine         int
	}{
		{list, "projects/p/locations/r/connectors/b", list, 3},
		{list, "projects/p/locations/r/connectors/a", list, 1},
		{list, "projects/p/locations/r/connectors/zzz", list, 0},
		{plan, "projects/p/locations/r/connectors/redis-connector-2", tf, 3},
		{plan, "projects/p/locations/r/instances/my-redis", plan, 0},
	}
	for _, tt := range findings {
		f := []checks.Finding{{Source: tt.source, Resource: tt.resource}}
		locateFindings(f, plan)
		if f[0].Source != tt.wantSource || f[0].Line != tt.wantLine {
			t.Errorf("%s in %s: on %s:%d, want %s:%d", tt.resource, tt.source, f[0].Source, f[0].Line, tt.wantSource, tt.wantLine)
		}
	}
}
