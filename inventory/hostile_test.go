package inventory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
)

// Hostile input: a CI gate reads files a pull request wrote. Each case must end in a
// one-line *InputError naming the file (and line where there is one), never a panic, a
// hang or unbounded memory.

// wantInputError asserts err is a one-line *InputError for path whose message holds want.
func wantInputError(t *testing.T, name string, err error, path, want string) {
	t.Helper()
	var inErr *InputError
	if !errors.As(err, &inErr) {
		t.Errorf("%s: error %v, want an *InputError", name, err)
		return
	}
	if !strings.HasPrefix(inErr.Path, path) || !strings.Contains(inErr.Msg, want) || strings.ContainsAny(err.Error(), "\r\n") {
		t.Errorf("%s: %q, want one line naming %s with %q", name, err, path, want)
	}
}

func TestHostileYAML(t *testing.T) {
	bigScalar := strings.Repeat("x", 1<<16)
	tests := []struct {
		name, data, want string
		line             int
	}{
		{"alias cycle", "a: &a [*a]\n", "a cycle", 1},
		{"alias cycle in a mapping", "a: &a\n  b: *a\n", "a cycle", 2},
		{"alias bomb", billionLaughs(), "alias bomb", 0},
		{"alias bomb in a resource", "name: projects/p/locations/us-central1/connectors/c\nlabels: &l\n  x: " + strings.Repeat("[", 1) + "1]\n" + nestedBomb("network"), "alias bomb", 0},
		{"large scalar referenced thousands of times", "name: projects/p/locations/us-central1/connectors/c\nd: &big " + bigScalar + "\nx: [" + strings.Repeat("*big, ", 5000) + "*big]\n", "alias bomb", 0},
		{"deep nesting", "x: " + strings.Repeat("[", 300) + strings.Repeat("]", 300) + "\n", "levels deep", 1},
		{"merge key with a plain value", "a: &a 1\nb:\n  <<: *a\n", "merge key", 3},
		{"duplicate key", "name: a\nname: b\n", "defined twice", 2},
		{"unknown alias", "a: *nothing\n", "unknown anchor", 0},
		{"too many values", strings.Repeat("- a\n", MaxValues/2+1), "more than the limit", 0},
	}
	for _, tt := range tests {
		inv := &Inventory{}
		err := inv.AddFile("snap/x.yaml", []byte(tt.data))
		wantInputError(t, tt.name, err, "snap/x.yaml", tt.want)
		var inErr *InputError
		if errors.As(err, &inErr) && tt.line > 0 && inErr.Line != tt.line {
			t.Errorf("%s: line %d, want %d", tt.name, inErr.Line, tt.line)
		}
	}
}

// billionLaughs is the classic alias bomb: ten levels of ten aliases each.
func billionLaughs() string {
	var b strings.Builder
	b.WriteString("a0: &a0 [lol]\n")
	for i := 1; i <= 10; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [", i, i)
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]\n")
	}
	return b.String()
}

// nestedBomb is a bomb under one key of an otherwise valid resource.
func nestedBomb(key string) string {
	bomb := billionLaughs()
	return key + ":\n" + "  " + strings.ReplaceAll(strings.TrimSuffix(bomb, "\n"), "\n", "\n  ") + "\n"
}

func TestYAMLMergeKeys(t *testing.T) {
	// `<<: *base` and `<<: [*a, *b]` are honoured: earlier sources win over later ones and
	// the mapping's own keys win over all of them, wherever they are written.
	data := `base: &base
  network: projects/p/global/networks/from-base
  ipCidrRange: 10.8.0.0/28
  state: CREATING
other: &other
  state: READY
  machineType: e2-micro
connector:
  state: DELETING
  <<: [*base, *other]
  name: projects/p/locations/us-central1/connectors/c
`
	docs, err := decodeDocuments([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	got := docs[0].value.(map[string]any)["connector"].(map[string]any)
	want := map[string]any{"network": "projects/p/global/networks/from-base", "ipCidrRange": "10.8.0.0/28",
		"state": "DELETING", "machineType": "e2-micro", "name": "projects/p/locations/us-central1/connectors/c"}
	gotJSON, _ := json.Marshal(got)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("merged mapping %s, want %s", gotJSON, wantJSON)
	}
}

func TestSnapshotFileLimits(t *testing.T) {
	connector := []byte("name: projects/p/locations/us-central1/connectors/c\nnetwork: default\nipCidrRange: 10.8.0.0/28\nstate: READY\n")
	t.Run("symlink out of the directory", func(t *testing.T) {
		dir := t.TempDir()
		outside := filepath.Join(t.TempDir(), "secret-target.yaml")
		if err := os.WriteFile(outside, connector, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(outside, filepath.Join(dir, "link.yaml")); err != nil {
			t.Skip("no symlinks here:", err)
		}
		_, err := LoadDir(dir)
		wantInputError(t, "symlink", err, filepath.Join(dir, "link.yaml"), "outside the snapshot")
		if err != nil && strings.Contains(err.Error(), "secret-target") {
			t.Errorf("error quotes the link's target: %q", err)
		}
	})
	t.Run("symlink inside the directory", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "connector.yaml"), connector, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("connector.yaml", filepath.Join(dir, "again.yaml")); err != nil {
			t.Skip("no symlinks here:", err)
		}
		inv, err := LoadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(inv.Connectors) != 1 {
			t.Errorf("%d connectors, want one (the link's copy is the same resource)", len(inv.Connectors))
		}
	})
	t.Run("fifo", func(t *testing.T) {
		dir := t.TempDir()
		if err := syscall.Mkfifo(filepath.Join(dir, "pipe.yaml"), 0o600); err != nil {
			t.Skip("no FIFOs here:", err)
		}
		_, err := LoadDir(dir)
		wantInputError(t, "fifo", err, filepath.Join(dir, "pipe.yaml"), "named pipe")
	})
	t.Run("device", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero.yaml")); err != nil {
			t.Skip("no symlinks here:", err)
		}
		_, err := LoadDir(dir)
		wantInputError(t, "device", err, filepath.Join(dir, "zero.yaml"), "refused")
	})
	t.Run("file too large", func(t *testing.T) {
		fsys := fstest.MapFS{"big.yaml": {Data: make([]byte, MaxFileBytes+1)}}
		_, err := LoadFS(fsys, "snap")
		wantInputError(t, "size", err, filepath.Join("snap", "big.yaml"), "limit")
	})
	t.Run("too many files", func(t *testing.T) {
		fsys := fstest.MapFS{}
		for i := 0; i <= MaxSnapshotFiles; i++ {
			fsys[fmt.Sprintf("f%05d.yaml", i)] = &fstest.MapFile{Data: connector}
		}
		_, err := LoadFS(fsys, "snap")
		wantInputError(t, "count", err, "snap", "files")
	})
	t.Run("input file not regular", func(t *testing.T) {
		_, err := ReadInputFile("/dev/zero", MaxFileBytes)
		wantInputError(t, "/dev/zero", err, "/dev/zero", "not a regular file")
	})
}

func TestSnapshotConflictingDuplicates(t *testing.T) {
	ready := "name: projects/p/locations/us-central1/connectors/c\nnetwork: default\nipCidrRange: 10.8.0.0/28\nstate: READY\n"
	fsys := fstest.MapFS{
		"a.yaml": {Data: []byte(ready)},
		"b.yaml": {Data: []byte(ready)}, // the same resource saved twice alike: fine
		"c.yaml": {Data: []byte(strings.Replace(ready, "READY", "ERROR", 1))},
	}
	_, err := LoadFS(fsys, "snap")
	wantInputError(t, "conflict", err, filepath.Join("snap", "c.yaml"), "described twice")
	if err != nil && !strings.Contains(err.Error(), filepath.Join("snap", "a.yaml")) {
		t.Errorf("%q does not name the other file", err)
	}
	delete(fsys, "c.yaml")
	if inv, err := LoadFS(fsys, "snap"); err != nil || len(inv.Connectors) != 1 {
		t.Errorf("identical duplicates: %v, want them read as one", err)
	}
}

func TestHostilePlans(t *testing.T) {
	cycle, err := os.ReadFile(filepath.Join("testdata", "hostile", "plan-cycle.json"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, data, want string }{
		{"null resource change", `{"format_version": "1.2", "resource_changes": [null]}`, "resource_changes[0] is null"},
		{"null planned resource", `{"format_version": "1.2", "planned_values": {"root_module": {"resources": [null]}}}`, "planned_values.root_module.resources[0] is null"},
		{"null child module resource", `{"format_version": "1.2", "planned_values": {"root_module": {"child_modules": [{"resources": [null]}]}}}`, "child_modules[0].resources[0] is null"},
		{"null child module", `{"format_version": "1.2", "planned_values": {"root_module": {"child_modules": [null]}}}`, ""},
		{"null config resource and provider", `{"format_version": "1.2", "configuration": {"provider_config": {"google": null}, "root_module": {"resources": [null], "module_calls": {"m": null}}}}`, ""},
		{"output and variable that refer to each other", string(cycle), "module.net.connector_id → module.net.var.connector → module.net.connector_id"},
		{"references that fan out", fanOutPlan(40), ""},
	}
	for _, tt := range tests {
		err := ApplyPlan(&Inventory{}, []byte(tt.data), "plan.json")
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		wantInputError(t, tt.name, err, "plan.json", tt.want)
	}
}

// fanOutPlan is a chain of modules in which every output refers to its module's two
// variables and each variable to the previous module's output: resolving without memoising
// takes 2^depth steps.
func fanOutPlan(depth int) string {
	module := map[string]any{
		"resources": []any{map[string]any{"address": "google_vpc_access_connector.c", "mode": "managed", "type": "google_vpc_access_connector", "name": "c",
			"expressions": map[string]any{"name": map[string]any{"constant_value": "c"}}}},
		"outputs": map[string]any{"id": map[string]any{"expression": map[string]any{"references": []any{"google_vpc_access_connector.c.id"}}}},
	}
	for i := 0; i < depth; i++ {
		module = map[string]any{
			"module_calls": map[string]any{"inner": map[string]any{"module": module,
				"expressions": map[string]any{
					"a": map[string]any{"references": []any{"var.a", "var.b"}},
					"b": map[string]any{"references": []any{"var.b", "var.a"}},
				}}},
			"outputs": map[string]any{"id": map[string]any{"expression": map[string]any{"references": []any{"module.inner.id", "var.a", "var.b"}}}},
		}
	}
	root := map[string]any{
		"resources": []any{map[string]any{"address": "google_cloud_run_v2_service.app", "mode": "managed", "type": "google_cloud_run_v2_service", "name": "app",
			"expressions": map[string]any{"template": []any{map[string]any{"vpc_access": []any{map[string]any{"connector": map[string]any{"references": []any{"module.top.id"}}}}}}}}},
		"module_calls": map[string]any{"top": map[string]any{"module": module}},
	}
	plan := map[string]any{
		"format_version": "1.2",
		"resource_changes": []any{map[string]any{"address": "google_cloud_run_v2_service.app", "mode": "managed", "type": "google_cloud_run_v2_service", "name": "app",
			"change": map[string]any{"actions": []any{"create"},
				"after":         map[string]any{"name": "app", "project": "p", "location": "us-central1", "template": []any{map[string]any{"vpc_access": []any{map[string]any{}}}}},
				"after_unknown": map[string]any{"template": []any{map[string]any{"vpc_access": []any{map[string]any{"connector": true}}}}}}}},
		"configuration": map[string]any{"root_module": root},
	}
	data, _ := json.Marshal(plan)
	return string(data)
}

// largePlan is a plan that creates n firewall rules on one network, each replacing a rule
// of the same name in the inventory, as a project-wide refactoring would.
func largePlan(n int) ([]byte, *Inventory) {
	inv := &Inventory{}
	var changes []any
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("rule-%d", i)
		changes = append(changes, map[string]any{
			"address": "google_compute_firewall.r[" + fmt.Sprint(i) + "]", "mode": "managed", "type": "google_compute_firewall", "name": "r", "index": i,
			"change": map[string]any{"actions": []any{"update"},
				"after": map[string]any{"name": name, "project": "p", "network": "https://www.googleapis.com/compute/v1/projects/p/global/networks/prod",
					"direction": "INGRESS", "priority": 1000, "source_ranges": []any{"10.8.0.0/28"},
					"allow": []any{map[string]any{"protocol": "tcp", "ports": []any{"6379"}}}},
				"after_unknown": map[string]any{}}})
		data := fmt.Sprintf(`{"kind": "compute#firewall", "name": %q, "network": "https://www.googleapis.com/compute/v1/projects/p/global/networks/prod",
			"selfLink": "https://www.googleapis.com/compute/v1/projects/p/global/firewalls/%s", "direction": "INGRESS", "priority": 1000}`, name, name)
		if err := inv.AddFile("firewalls.json", []byte(data)); err != nil {
			panic(err)
		}
	}
	plan, _ := json.Marshal(map[string]any{"format_version": "1.2", "resource_changes": changes})
	return plan, inv
}

func TestLargePlanReplacesEachRule(t *testing.T) {
	plan, inv := largePlan(2000)
	if err := ApplyPlan(inv, plan, "plan.json"); err != nil {
		t.Fatal(err)
	}
	if len(inv.Firewalls) != 2000 {
		t.Fatalf("%d firewall rules, want 2000 (each replaced once)", len(inv.Firewalls))
	}
	for _, f := range inv.Firewalls {
		if len(f.GetAllowed()) != 1 {
			t.Fatalf("rule %s kept its snapshot version", f.GetName())
		}
	}
}

// BenchmarkApplyLargePlan applies a plan of 2,000 and of 20,000 firewall rules over an
// inventory that has them all: the time per rule stays the same (linear), and 20,000 take
// well under a second.
func BenchmarkApplyLargePlan(b *testing.B) {
	for _, n := range []int{2_000, 20_000} {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			plan, base := largePlan(n)
			b.SetBytes(int64(len(plan)))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				inv := &Inventory{Firewalls: append(base.Firewalls[:0:0], base.Firewalls...)}
				b.StartTimer()
				if err := ApplyPlan(inv, plan, "plan.json"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestApplyPlanStopsAtTheDeadline(t *testing.T) {
	plan, inv := largePlan(10)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := ApplyPlanContext(ctx, inv, plan, "plan.json")
	wantInputError(t, "deadline", err, "plan.json", "--timeout")
}
