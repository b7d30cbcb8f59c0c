package snapshot

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"

	"github.com/vpcdoctor/vpcdoctor/internal/inputtest"
	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// Hostile input: a CI gate reads files a pull request wrote. Each case must end in a
// one-line *InputError naming the file (and line where there is one), never a panic, a
// hang or unbounded memory.

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
		err := AddFile(&inventory.Inventory{}, "snap/x.yaml", []byte(tt.data))
		inputtest.WantError[*inventory.InputError](t, tt.name, err, "snap/x.yaml", tt.want)
		var inErr *inventory.InputError
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
		inputtest.WantError[*inventory.InputError](t, "symlink", err, filepath.Join(dir, "link.yaml"), "outside the snapshot")
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
		inputtest.WantError[*inventory.InputError](t, "fifo", err, filepath.Join(dir, "pipe.yaml"), "named pipe")
	})
	t.Run("device", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero.yaml")); err != nil {
			t.Skip("no symlinks here:", err)
		}
		_, err := LoadDir(dir)
		inputtest.WantError[*inventory.InputError](t, "device", err, filepath.Join(dir, "zero.yaml"), "refused")
	})
	t.Run("file too large", func(t *testing.T) {
		fsys := fstest.MapFS{"big.yaml": {Data: make([]byte, inventory.MaxFileBytes+1)}}
		_, err := LoadFS(fsys, "snap")
		inputtest.WantError[*inventory.InputError](t, "size", err, filepath.Join("snap", "big.yaml"), "limit")
	})
	t.Run("too many files", func(t *testing.T) {
		fsys := fstest.MapFS{}
		for i := 0; i <= MaxSnapshotFiles; i++ {
			fsys[fmt.Sprintf("f%05d.yaml", i)] = &fstest.MapFile{Data: connector}
		}
		_, err := LoadFS(fsys, "snap")
		inputtest.WantError[*inventory.InputError](t, "count", err, "snap", "files")
	})
	t.Run("input file not regular", func(t *testing.T) {
		_, err := inventory.ReadInputFile("/dev/zero", inventory.MaxFileBytes)
		inputtest.WantError[*inventory.InputError](t, "/dev/zero", err, "/dev/zero", "not a regular file")
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
	inputtest.WantError[*inventory.InputError](t, "conflict", err, filepath.Join("snap", "c.yaml"), "described twice")
	if err != nil && !strings.Contains(err.Error(), filepath.Join("snap", "a.yaml")) {
		t.Errorf("%q does not name the other file", err)
	}
	delete(fsys, "c.yaml")
	if inv, err := LoadFS(fsys, "snap"); err != nil || len(inv.Connectors) != 1 {
		t.Errorf("identical duplicates: %v, want them read as one", err)
	}
}
