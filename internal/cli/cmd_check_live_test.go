package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/vpcdoctor/vpcdoctor/fixtures"
	"github.com/vpcdoctor/vpcdoctor/internal/fakegcp"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/snapshot"
)

// The CLI in live mode, end to end: the real `check` command (flags, gcloud configuration
// and endpoint overrides, the live loader, the official client libraries, the reporters and
// the exit codes) against internal/fakegcp on loopback, compared with `check --from` the
// same files.

const (
	liveProject = "my-project"
	liveRegion  = "us-central1"
	liveService = "cache-service"
)

// liveFinding is the part of a JSON finding the live tests compare.
type liveFinding struct {
	ID, Status, Service, Resource, Message string
}

// runLive runs the CLI as main does and decodes its JSON report.
func runLive(t *testing.T, args ...string) (code int, findings []liveFinding, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Run(append([]string{"vpcdoctor"}, args...), &out, &errOut)
	if code == exitUsage {
		return code, nil, errOut.String()
	}
	var doc struct{ Findings []liveFinding }
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("vpcdoctor %s: exit %d, report is not JSON: %v\nstdout: %s\nstderr: %s",
			strings.Join(args, " "), code, err, out.String(), errOut.String())
	}
	return code, doc.Findings, errOut.String()
}

// hermeticLive isolates the test from the developer's gcloud setup and credentials and
// points every API override at the fake. GOOGLE_APPLICATION_CREDENTIALS names a file that
// does not exist: a run that looked up Application Default Credentials at all would exit 2,
// so every test here also proves that http:// overrides need no credentials.
func hermeticLive(t *testing.T, server *fakegcp.Server) {
	t.Helper()
	isolateGcloud(t)
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", filepath.Join(t.TempDir(), "no-such-key.json"))
	useFake(t, server)
}

// serveFixture serves a snapshot (a built-in scenario or a directory) from fakegcp.
func serveFixture(t *testing.T, inv *inventory.Inventory) *fakegcp.Server {
	t.Helper()
	server, err := fakegcp.Start(inv, fakegcp.Options{Region: liveRegion})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(server.Close)
	return server
}

// serveBuiltIn serves the built-in scenario of that name from fakegcp.
func serveBuiltIn(t *testing.T, name string) *fakegcp.Server {
	t.Helper()
	scenario, ok := fixtures.Lookup(name)
	if !ok {
		t.Fatalf("no built-in scenario %s", name)
	}
	snap, err := snapshot.LoadFS(scenario.FS, scenario.Name)
	if err != nil {
		t.Fatal(err)
	}
	return serveFixture(t, snap)
}

// liveCannotReproduce says why live mode cannot see what a scenario's files hold, or "":
// live mode finds a Redis instance in another project than the service's only when --redis names it.
func liveCannotReproduce(snapshot *inventory.Inventory) string {
	if paths, err := inventory.Select(snapshot, inventory.Selector{}); err == nil && len(paths) == 1 {
		if res := paths[0].ProjectResolution; res.Unresolved || res.Weak {
			return "the service names its project by a number the scenario does not tie to a project id, so the project to read live is not known"
		}
	}
	project, _, _ := scenarioTarget(snapshot)
	for _, r := range snapshot.RedisInstances {
		if inventory.ProjectOf(r.GetName()) == project {
			return ""
		}
	}
	if len(snapshot.RedisInstances) > 0 {
		return "the scenario's Redis instance is in another project than the service"
	}
	return ""
}

// liveUnread lists the checks whose verdict live mode cannot reproduce for a scenario, to
// leave out of the comparison rather than skip the scenario: live mode reads no IAM policy
// or project description (no Resource Manager call), which only connector.shared-vpc uses.
// The same holds when the service names its project by number (as gcloud prints it): live
// mode reads the service by its project id, and so settles what a snapshot may leave open.
func liveUnread(snapshot *inventory.Inventory) map[string]bool {
	unread := map[string]bool{"connector.shared-vpc": true}
	if len(snapshot.IAMPolicies) > 0 || len(snapshot.Projects) > 0 {
		return unread
	}
	for _, s := range snapshot.Services {
		if _, err := strconv.ParseUint(inventory.ProjectOf(s.GetName()), 10, 64); err == nil {
			return unread
		}
	}
	return nil
}

// without drops the findings of the given checks.
func without(findings []liveFinding, ids map[string]bool) []liveFinding {
	var kept []liveFinding
	for _, f := range findings {
		if !ids[f.ID] {
			kept = append(kept, f)
		}
	}
	return kept
}

func statusLines(findings []liveFinding) string {
	lines := make([]string, len(findings))
	for i, f := range findings {
		lines[i] = f.ID + " " + f.Status + " " + f.Resource
	}
	return strings.Join(lines, "\n")
}

// scenarioTarget is the project, region and service of a scenario's one path: most
// scenarios are the fixtures' project, region and service, the real-world ones are not.
func scenarioTarget(snapshot *inventory.Inventory) (project, region, service string) {
	paths, err := inventory.Select(snapshot, inventory.Selector{})
	if err != nil || len(paths) != 1 {
		return liveProject, liveRegion, liveService
	}
	return paths[0].Project(), paths[0].Region(), paths[0].ServiceRef.Name
}

// servedScenario is a built-in scenario served by fakegcp: the snapshot it was loaded as and
// the project, region and service live mode is asked for.
type servedScenario struct {
	server                   *fakegcp.Server
	snapshot                 *inventory.Inventory
	project, region, service string
}

// serveScenario serves a built-in scenario from fakegcp on its own project and region, or
// skips the test when live mode cannot see what the scenario's files hold.
func serveScenario(t *testing.T, scenario fixtures.Scenario) servedScenario {
	t.Helper()
	snap, err := snapshot.LoadFS(scenario.FS, scenario.Name)
	if err != nil {
		t.Fatal(err)
	}
	if why := liveCannotReproduce(snap); why != "" {
		t.Skip(why)
	}
	served := servedScenario{snapshot: snap}
	served.project, served.region, served.service = scenarioTarget(snap)
	served.server, err = fakegcp.Start(snap, fakegcp.Options{Region: served.region})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(served.server.Close)
	return served
}

// liveCheckArgs is `check` against the fixtures' project and region in JSON.
func liveCheckArgs(extra ...string) []string {
	return append([]string{"check", "--project", liveProject, "--region", liveRegion, "--format", "json", "--timeout", "20s"}, extra...)
}

// TestLiveCheckMatchesFromEveryScenario: for every built-in scenario, `check --project
// --region --service` against the scenario served by fakegcp reports the findings (id,
// status, resource) and exit code of `check --from` the scenario's directory.
func TestLiveCheckMatchesFromEveryScenario(t *testing.T) {
	for _, scenario := range fixtures.Scenarios() {
		t.Run(scenario.Name, func(t *testing.T) {
			served := serveScenario(t, scenario)
			snapshot, project, region, service := served.snapshot, served.project, served.region, served.service
			hermeticLive(t, served.server)
			dir := scenarioPath(scenario.Name)
			wantCode, want, wantErr := runLive(t, "check", "--from", dir, "--service", service, "--format", "json")
			gotCode, got, gotErr := runLive(t, "check", "--project", project, "--region", region, "--format", "json", "--timeout", "20s", "--service", service)
			if gotCode != wantCode {
				t.Errorf("live exit %d, --from exit %d\nlive stderr: %s\n--from stderr: %s", gotCode, wantCode, gotErr, wantErr)
			}
			unread := liveUnread(snapshot)
			if g, w := statusLines(without(got, unread)), statusLines(without(want, unread)); g != w {
				t.Errorf("findings differ\n--from:\n%s\nlive:\n%s", w, g)
			}
			if len(got) == 0 {
				t.Errorf("no findings; stderr %s", gotErr)
			}
		})
	}
}

// TestLiveCheckRedisCluster: the name given with --redis is a Memorystore for Redis
// Cluster: live mode reads the cluster and says so, as --from does.
func TestLiveCheckRedisCluster(t *testing.T) {
	server := serveBuiltIn(t, "redis-cluster")
	hermeticLive(t, server)
	wantCode, want, _ := runLive(t, "check", "--from", scenarioPath("redis-cluster"), "--project", liveProject,
		"--service", liveService, "--redis", "my-redis", "--format", "json")
	gotCode, got, gotErr := runLive(t, liveCheckArgs("--service", liveService, "--redis", "my-redis")...)
	if gotCode != wantCode || gotCode != exitFindings {
		t.Errorf("live exit %d, --from exit %d, want %d; stderr %s", gotCode, wantCode, exitFindings, gotErr)
	}
	if g, w := statusLines(got), statusLines(want); g != w {
		t.Errorf("findings differ\n--from:\n%s\nlive:\n%s", w, g)
	}
	found := findingByID(got, "redis.found")
	if found.Status != "fail" || !strings.Contains(found.Message, "Memorystore for Redis Cluster") ||
		found.Resource != "projects/my-project/locations/us-central1/clusters/my-redis" {
		t.Errorf("redis.found = %+v", found)
	}
	if calls := server.Calls(); calls[fakegcp.GetCluster] != 1 {
		t.Errorf("calls = %v, want one cluster Get", calls)
	}

	// The Cluster API refusing is no error: the hint is just not given.
	server.SetFault(fakegcp.GetCluster, fakegcp.Fault{Status: 403})
	server.SetFault(fakegcp.ListClusters, fakegcp.Fault{Status: 403})
	code, findings, stderr := runLive(t, liveCheckArgs("--service", liveService, "--redis", "my-redis")...)
	found = findingByID(findings, "redis.found")
	if code != exitFindings || found.Status != "fail" || strings.Contains(found.Resource, "/clusters/") {
		t.Errorf("cluster API forbidden: exit %d, redis.found %+v; stderr %s", code, found, stderr)
	}
	for _, f := range findings {
		if f.Status == "error" {
			t.Errorf("cluster API forbidden: %s is error: %s", f.ID, f.Message)
		}
	}
}

func findingByID(findings []liveFinding, id string) liveFinding {
	for _, f := range findings {
		if f.ID == id {
			return f
		}
	}
	return liveFinding{}
}

// TestLiveCheckRegionWide: without --service, live mode checks every service of the region
// in one report; each finding carries its service, and each service's findings are those of
// `check --from DIR --service S`. The exit code is the worst of them.
func TestLiveCheckRegionWide(t *testing.T) {
	dir := repoPath("internal", "fakegcp", "testdata", "shop")
	snap, err := snapshot.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	hermeticLive(t, serveFixture(t, snap))
	code, findings, stderr := runLive(t, "check", "--project", "shop-prod", "--region", "europe-west1", "--format", "json")
	if code == exitUsage {
		t.Fatalf("exit 2: %s", stderr)
	}
	byService := map[string][]liveFinding{}
	var order []string
	for _, f := range findings {
		if f.Service == "" {
			t.Fatalf("finding %s carries no service", f.ID)
		}
		if _, seen := byService[f.Service]; !seen {
			order = append(order, f.Service)
		}
		byService[f.Service] = append(byService[f.Service], f)
	}
	if !sort.StringsAreSorted(order) || len(order) != 2 {
		t.Fatalf("services in the report: %v, want cart and checkout, grouped and in order", order)
	}
	worst := exitOK
	for _, service := range order {
		wantCode, want, wantErr := runLive(t, "check", "--from", dir, "--service", service, "--format", "json")
		if wantCode == exitUsage {
			t.Fatalf("--from --service %s: exit 2: %s", service, wantErr)
		}
		if g, w := statusLines(byService[service]), statusLines(want); g != w {
			t.Errorf("%s: findings differ\n--from:\n%s\nlive:\n%s", service, w, g)
		}
		switch {
		case wantCode == exitFindings:
			worst = exitFindings
		case wantCode == exitIncomplete && worst == exitOK:
			worst = exitIncomplete
		}
	}
	if code != worst {
		t.Errorf("region-wide exit %d, want %d (the worst of the services)", code, worst)
	}
}

// TestLiveCheckPermissionDenied: a 403 on one API finishes the run with exit 3 (nothing
// failed, something could not be evaluated); the checks that needed the API are errors
// naming the permission and the role that grants it, and the other checks still pass.
func TestLiveCheckPermissionDenied(t *testing.T) {
	tests := []struct {
		api        string
		methods    []string
		check      string
		permission string
		role       string
	}{
		{"vpcaccess", []string{fakegcp.ListConnectors, fakegcp.GetConnector}, "connector.found", "vpcaccess.connectors.get", "roles/vpcaccess.viewer"},
		{"redis", []string{fakegcp.ListInstances, fakegcp.GetInstance}, "redis.found", "redis.instances.list", "roles/redis.viewer"},
		{"compute", []string{fakegcp.ListFirewalls}, "vpc.firewall-egress", "compute.firewalls.list", "roles/compute.networkViewer"},
	}
	for _, tt := range tests {
		t.Run(tt.api, func(t *testing.T) {
			server := serveBuiltIn(t, "healthy")
			hermeticLive(t, server)
			for _, method := range tt.methods {
				server.SetFault(method, fakegcp.Fault{Status: 403})
			}
			code, findings, stderr := runLive(t, liveCheckArgs("--service", liveService)...)
			if code != exitIncomplete {
				t.Errorf("exit %d, want %d; stderr %s\n%s", code, exitIncomplete, stderr, statusLines(findings))
			}
			f := findingByID(findings, tt.check)
			if f.Status != "error" || !strings.Contains(f.Message, tt.role) || !strings.Contains(f.Message, tt.permission) {
				t.Errorf("%s = %s: %q; want an error naming %s and %s", tt.check, f.Status, f.Message, tt.permission, tt.role)
			}
			passed := 0
			for _, f := range findings {
				if f.ID == "connector.capacity" {
					continue // healthy's e2-micro connector warns whatever the faults
				}
				switch f.Status {
				case "fail", "warn":
					t.Errorf("%s is %s: %s", f.ID, f.Status, f.Message)
				case "pass":
					passed++
				}
			}
			if passed == 0 {
				t.Errorf("no check passed: the other checks must still run\n%s", statusLines(findings))
			}
		})
	}
}

// TestLiveCheckUsesGcloudConfig: with no flags, project, region and endpoint overrides come
// from the active gcloud configuration, as for a user behind Private Service Connect.
func TestLiveCheckUsesGcloudConfig(t *testing.T) {
	server := serveBuiltIn(t, "healthy")
	isolateGcloud(t)
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", filepath.Join(t.TempDir(), "no-such-key.json"))
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "[core]\nproject = %s\n\n[run]\nregion = %s\n\n[api_endpoint_overrides]\n", liveProject, liveRegion)
	for _, kv := range server.Env() {
		name, value, _ := strings.Cut(kv, "=")
		fmt.Fprintf(&cfg, "%s = %s\n", strings.ToLower(strings.TrimPrefix(name, "CLOUDSDK_API_ENDPOINT_OVERRIDES_")), value)
	}
	writeActiveGcloudConfig(t, cfg.String())
	code, findings, stderr := runLive(t, "check", "--service", liveService, "--format", "json")
	if code != exitOK {
		t.Fatalf("exit %d; stderr %s\n%s", code, stderr, statusLines(findings))
	}
	if server.TotalCalls() == 0 {
		t.Error("no call reached the fake: the configuration's overrides were not used")
	}
}

// writeActiveGcloudConfig writes the configuration "default" into $CLOUDSDK_CONFIG and
// makes it the active one, as `gcloud config set` does.
func writeActiveGcloudConfig(t *testing.T, content string) {
	t.Helper()
	dir := os.Getenv("CLOUDSDK_CONFIG")
	if dir == "" {
		t.Fatal("CLOUDSDK_CONFIG is not set (call isolateGcloud first)")
	}
	if err := os.MkdirAll(filepath.Join(dir, "configurations"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "active_config"), []byte("default"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "configurations", "config_default"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
