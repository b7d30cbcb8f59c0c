package cli

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/vpcdoctor/vpcdoctor/fixtures"
	"github.com/vpcdoctor/vpcdoctor/internal/fakeredis"
	"github.com/vpcdoctor/vpcdoctor/inventory/snapshot"
	"github.com/vpcdoctor/vpcdoctor/report"
)

// canary is the mark every planted secret carries: it must appear in no output.
const canary = "CANARY"

// canaryEnv is a secret in every shape an environment can hold one, under names that do
// and do not say "secret".
var canaryEnv = []struct{ name, value string }{
	{"REDIS_PASS", "CANARY01-pass"},
	{"DB_PWD", "CANARY02"},
	{"SESSION_URL", "redis://CANARY03@10.0.0.3:6379"},
	{"CACHE_URL", "redis://:CANARY04@10.0.0.3:6379/0?password=CANARY05"},
	{"API_ENDPOINT", "https://api.example.com/x?password=CANARY06&token=CANARY07"},
	{"MY_SETTING", "p#CANARY08/x"},
	{"REDIS_PASSWORD_2", "p#CANARY09/x?y"},
	{"REDIS_CONN", "10.0.0.3:6379,password=CANARY10,ssl=False"},
	{"DATABASE_DSN", "postgres://app:CANARY11@db.internal:5432/app"},
	{"MYSQL_DSN", "app:CANARY12@tcp(10.0.0.5:3306)/db"},
	{"CONFIG_JSON", `{"redis":{"password":"CANARY13"}}`},
	{"OPAQUE", "CANARY14xq7Pz"},
	{"REDISCLOUD", "redis://default:CANARY18@10.0.0.3:6379"},
	{"REDIS_TLS_URL", "rediss://user:CANARY19@10.0.0.3:6378"},
	{"NOTES", "CANARY21 \x1b]0;x\x07 with\ttab"},
}

// canaryAuth is the AUTH string the probe sends: quote, backslash and tab are escaped by
// %q and JSON, so a redaction that looks only for the raw form would miss it.
const canaryAuth = "CANARY16\"q\\b\tt"

// copyFS writes a scenario's files to a directory.
func copyFS(t *testing.T, fsys fs.FS, dir string) {
	t.Helper()
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name), data, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// canarySnapshot is the healthy scenario with Redis at 127.0.0.1:port and the service's
// environment and container arguments full of planted secrets.
func canarySnapshot(t *testing.T, port int) string {
	t.Helper()
	scenario, _ := fixtures.Lookup("healthy")
	dir := t.TempDir()
	copyFS(t, scenario.FS, dir)
	for _, name := range []string{"service.yaml", "redis.yaml", "revisions.json"} {
		path := filepath.Join(dir, name)
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		text := strings.ReplaceAll(string(data), "10.0.0.3", "127.0.0.1")
		text = strings.ReplaceAll(text, "port: 6379", fmt.Sprintf("port: %d", port))
		text = strings.ReplaceAll(text, "'6379'", fmt.Sprintf("'%d'", port))
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "service.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var svc map[string]any
	if err := yaml.Unmarshal(data, &svc); err != nil {
		t.Fatal(err)
	}
	container := svc["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)
	env := container["env"].([]any)
	for _, e := range canaryEnv {
		env = append(env, map[string]any{"name": e.name, "value": e.value})
	}
	container["env"] = env
	container["args"] = []any{"--requirepass", "CANARY15"}
	metadata := svc["metadata"].(map[string]any)
	annotations, _ := metadata["annotations"].(map[string]any)
	if annotations == nil {
		annotations = map[string]any{}
		metadata["annotations"] = annotations
	}
	annotations["example.com/api-token"] = "CANARY24"
	out, err := yaml.Marshal(svc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// canaryPlan is a plan fixture with sensitive values planted in a service env value and
// in the new connector's machine type, as after_sensitive marks them.
func canaryPlan(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(repoPath("inventory", "terraform", "testdata", "plans", "connector-fix.json"))
	if err != nil {
		t.Fatal(err)
	}
	var plan map[string]any
	if err := json.Unmarshal(data, &plan); err != nil {
		t.Fatal(err)
	}
	for _, rc := range plan["resource_changes"].([]any) {
		change := rc.(map[string]any)["change"].(map[string]any)
		after, _ := change["after"].(map[string]any)
		if after == nil {
			continue
		}
		sensitive, _ := change["after_sensitive"].(map[string]any)
		if sensitive == nil {
			sensitive = map[string]any{}
			change["after_sensitive"] = sensitive
		}
		switch rc.(map[string]any)["type"] {
		case "google_vpc_access_connector":
			after["machine_type"] = "CANARY20-machine"
			sensitive["machine_type"] = true
		case "google_redis_instance":
			after["auth_string"] = "CANARY22"
			after["display_name"] = "CANARY23"
			sensitive["auth_string"], sensitive["display_name"] = true, true
		}
	}
	// planned_values carries the same values, with sensitive_values as the marks.
	var plant func(module map[string]any)
	plant = func(module map[string]any) {
		resources, _ := module["resources"].([]any)
		for _, r := range resources {
			res := r.(map[string]any)
			values, _ := res["values"].(map[string]any)
			marks, _ := res["sensitive_values"].(map[string]any)
			if values == nil {
				continue
			}
			if marks == nil {
				marks = map[string]any{}
				res["sensitive_values"] = marks
			}
			switch res["type"] {
			case "google_vpc_access_connector":
				values["machine_type"], marks["machine_type"] = "CANARY20-machine", true
			case "google_redis_instance":
				values["auth_string"], marks["auth_string"] = "CANARY22", true
				values["display_name"], marks["display_name"] = "CANARY23", true
			}
		}
		children, _ := module["child_modules"].([]any)
		for _, child := range children {
			plant(child.(map[string]any))
		}
	}
	if pv, ok := plan["planned_values"].(map[string]any); ok {
		if root, ok := pv["root_module"].(map[string]any); ok {
			plant(root)
		}
	}
	out, err := json.Marshal(plan)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// echoServer is a Redis server that refuses every AUTH and echoes the whole request,
// secret included, in its error reply.
func echoServer(t *testing.T) int {
	t.Helper()
	return fakeredis.Serve(t, func(conn net.Conn, request []byte) {
		echo := strings.NewReplacer("\r", " ", "\n", " ").Replace(string(request))
		_, _ = conn.Write([]byte("-WRONGPASS invalid username-password pair " + echo + "\r\n"))
	})
}

// TestSecretCanaries plants recognisable secrets wherever a snapshot, a plan and a Redis
// server can carry one, runs every output format and the snapshot writer, and requires
// that the canary appears in none of them, nor in any error.
func TestSecretCanaries(t *testing.T) {
	port := echoServer(t)
	dir := canarySnapshot(t, port)
	t.Setenv("REDIS_AUTH", canaryAuth)
	outDir := t.TempDir()
	var formats []string // every format of the registry but text, which is checked on stdout
	for _, f := range report.Formats() {
		if f.Name != "text" {
			formats = append(formats, f.Name)
		}
	}
	var outputs []string
	for _, format := range formats {
		outputs = append(outputs, "--output", format+"="+filepath.Join(outDir, format))
	}
	var seen []string
	check := func(label, text string) {
		t.Helper()
		seen = append(seen, label)
		if i := strings.Index(text, canary); i >= 0 {
			t.Errorf("%s leaks a planted secret: ...%s...", label, text[max(0, i-80):min(len(text), i+40)])
		}
	}

	// The snapshot with the probe (the host named, so the AUTH string is sent and echoed).
	code, out, stderr := runCLI(t, append([]string{"check", "--from", dir, "--probe", "--probe-host", "127.0.0.1", "--count", "2", "--color", "never"}, outputs...)...)
	check("check --output stdout", out)
	check("check --output stderr", stderr)
	for _, format := range formats {
		data, err := os.ReadFile(filepath.Join(outDir, format))
		if err != nil {
			t.Fatalf("%s report not written (exit %d, stderr %q): %v", format, code, stderr, err)
		}
		check(format+" report", string(data))
		if format == "json" && os.Getenv("CANARY_DEBUG") != "" {
			t.Logf("%s", data)
		}
	}
	_, out, stderr = runCLI(t, "check", "--from", dir, "--probe", "--probe-host", "127.0.0.1", "--count", "2", "--color", "always")
	check("text report", out+stderr)
	_, out, stderr = runCLI(t, "probe", "--host", "127.0.0.1", "--port", fmt.Sprint(port), "--count", "2", "--format", "json")
	check("probe --format json", out+stderr)

	// A plan with sensitive values, applied to a snapshot.
	planBase := t.TempDir()
	scenario, _ := fixtures.Lookup("connector-network")
	copyFS(t, scenario.FS, planBase)
	for _, format := range append([]string{"text"}, formats...) {
		_, out, stderr = runCLI(t, "check", "--from", planBase, "--terraform-plan", canaryPlan(t), "--output", format)
		check("plan "+format+" report", out+stderr)
		if os.Getenv("CANARY_DEBUG") != "" && format == "text" {
			t.Logf("%s\n%s", out, stderr)
		}
	}

	// The snapshot writer, on the inventory loaded from the planted snapshot.
	inv, err := snapshot.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	written := t.TempDir()
	if err := snapshot.Write(inv, written); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(written)
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(written, e.Name()))
		check("written snapshot "+e.Name(), string(data))
	}
	// The redacted snapshot still drives the checks: same findings as the original.
	_, before, _ := runCLI(t, "check", "--from", dir, "--format", "json")
	_, after, _ := runCLI(t, "check", "--from", written, "--format", "json")
	if a, b := findingStatuses(t, before, nil), findingStatuses(t, after, nil); a != b {
		t.Errorf("findings change on the redacted snapshot:\noriginal: %s\nredacted: %s", a, b)
	}

	// Errors: a file whose broken line holds a secret, and a service file full of them.
	broken := t.TempDir()
	copyFS(t, scenario.FS, broken)
	if err := os.WriteFile(filepath.Join(broken, "extra.yaml"), []byte("password: CANARY17\n  - : [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, out, stderr = runCLI(t, "check", "--from", broken)
	check("load error", out+stderr)
	_, out, stderr = runCLI(t, "check", "--from", broken, "--service-file", filepath.Join(dir, "service.yaml"), "--format", "json")
	check("service-file run", out+stderr)
	if len(seen) < 10 {
		t.Fatalf("only %d outputs checked", len(seen))
	}
}

// TestErrorsAreOneLine: an error that quotes input (here a directory name holding a new
// line, a forged workflow command and terminal escapes) is one printable line.
func TestErrorsAreOneLine(t *testing.T) {
	hostile := filepath.Join(t.TempDir(), "snap\n::error file=x::forged\x1b]0;title\x07\x1b[31m")
	code, _, stderr := runCLI(t, "check", "--from", hostile)
	if code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if strings.Count(stderr, "\n") != 1 || strings.ContainsAny(stderr, "\x1b\x07") || strings.Contains(stderr, "\n::") {
		t.Errorf("error is not one printable line: %q", stderr)
	}
}
