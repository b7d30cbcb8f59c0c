package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vpcdoctor/vpcdoctor/fixtures"
	"github.com/vpcdoctor/vpcdoctor/internal/fakegcp"
)

// useFake points the gcloud endpoint overrides at a fake, as a user behind Private Service
// Connect sets them.
func useFake(t *testing.T, server *fakegcp.Server) {
	t.Helper()
	for _, kv := range server.Env() {
		name, value, _ := strings.Cut(kv, "=")
		t.Setenv(name, value)
	}
}

func findingStatuses(t *testing.T, js string, leaveOut map[string]bool) string {
	t.Helper()
	var doc struct {
		Findings []struct{ ID, Status, Resource string }
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, js)
	}
	var lines []string
	for _, f := range doc.Findings {
		if !leaveOut[f.ID] {
			lines = append(lines, f.ID+" "+f.Status+" "+f.Resource)
		}
	}
	return strings.Join(lines, "\n")
}

// TestSnapshotCommandReproducesScenarios: `snapshot` against each scenario served by
// fakegcp, then `check --from` the written directory, gives the findings and exit code of
// `check --from` the scenario itself.
func TestSnapshotCommandReproducesScenarios(t *testing.T) {
	for _, scenario := range fixtures.Scenarios() {
		t.Run(scenario.Name, func(t *testing.T) {
			isolateGcloud(t)
			served := serveScenario(t, scenario)
			snapshot, project, region, service := served.snapshot, served.project, served.region, served.service
			useFake(t, served.server)
			out := filepath.Join(t.TempDir(), "snap")
			code, stdout, stderr := runCLI(t, "snapshot", "--project", project, "--region", region,
				"--service", service, "--timeout", "10s", "--out", out)
			if code != exitOK {
				t.Fatalf("snapshot exit %d\n%s%s", code, stdout, stderr)
			}
			if !strings.Contains(stdout, "check --from "+out) {
				t.Errorf("summary does not say how to check the snapshot:\n%s", stdout)
			}
			fixtureDir := scenarioPath(scenario.Name)
			wantCode, want, _ := runCLI(t, "check", "--from", fixtureDir, "--service", service, "--format", "json")
			gotCode, got, gotErr := runCLI(t, "check", "--from", out, "--service", service, "--format", "json")
			if gotCode != wantCode {
				t.Errorf("check --from snapshot exit %d, from the scenario %d\n%s", gotCode, wantCode, gotErr)
			}
			unread := liveUnread(snapshot)
			if g, w := findingStatuses(t, got, unread), findingStatuses(t, want, unread); g != w {
				t.Errorf("findings differ\nscenario:\n%s\nsnapshot:\n%s", w, g)
			}
		})
	}
}

func TestSnapshotCommandUsageErrors(t *testing.T) {
	isolateGcloud(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no out", []string{"snapshot", "--project", "p", "--region", "r"}, "--out"},
		{"no project", []string{"snapshot", "--region", "r", "--out", t.TempDir()}, "--project"},
		{"no region", []string{"snapshot", "--project", "p", "--out", t.TempDir()}, "--region"},
		{"argument", []string{"snapshot", "extra"}, "no arguments"},
		{"bad timeout", []string{"snapshot", "--project", "p", "--region", "r", "--out", t.TempDir(), "--timeout", "0s"}, "--timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != exitUsage || !strings.Contains(stderr, tt.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
				t.Errorf("exit %d, stderr %q; want exit 2 with one line naming %s", code, stderr, tt.want)
			}
		})
	}
	t.Run("bad endpoint override", func(t *testing.T) {
		t.Setenv("CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE", "ftp://example.com/")
		code, _, stderr := runCLI(t, "snapshot", "--project", "p", "--region", "r", "--out", t.TempDir())
		if code != exitUsage || !strings.Contains(stderr, "CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
}

// TestSnapshotCommandWithoutCredentials: no Application Default Credentials is exit 2 and
// one line with the gcloud hint, not the auth library's text.
func TestSnapshotCommandWithoutCredentials(t *testing.T) {
	if os.Getenv("VPCDOCTOR_TEST_ON_GCE") != "" {
		t.Skip("on Google Cloud the metadata server provides credentials")
	}
	isolateGcloud(t)
	start := time.Now()
	code, _, stderr := runCLI(t, "snapshot", "--project", "p", "--region", "r", "--out", t.TempDir())
	if code != exitUsage {
		t.Fatalf("exit %d, want 2; stderr %q", code, stderr)
	}
	if !strings.Contains(stderr, "gcloud auth application-default login") || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
		t.Errorf("stderr %q: want one line with the gcloud hint", stderr)
	}
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Errorf("the no-credentials path took %v", elapsed)
	}
}
