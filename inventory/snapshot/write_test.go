package snapshot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// shopDir is a snapshot with secrets in plain env values, served by the fake APIs too.
const shopDir = "../../internal/fakegcp/testdata/shop"

func TestWriteSnapshotRedactsSecrets(t *testing.T) {
	inv, err := LoadDir(shopDir)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := Write(inv, dir); err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		all.Write(data)
	}
	for _, secret := range []string{"hunter2", "s3cret"} {
		if strings.Contains(all.String(), secret) {
			t.Errorf("snapshot contains the secret %q", secret)
		}
	}
	if !strings.Contains(all.String(), inventory.Redacted) {
		t.Errorf("snapshot has no %s marker", inventory.Redacted)
	}
	// The Redis URL keeps its host, so the env still selects the instance.
	reloaded, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	cart := reloaded.Services[0]
	if _, ok := inventory.EnvHosts(cart)["10.20.0.3"]; !ok {
		t.Errorf("redacted env lost the Redis host: %v", inventory.ServiceEnv(cart))
	}
}

func TestWriteSnapshotRefusesForeignFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	inv, err := LoadDir(shopDir)
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(inv, dir); err == nil || !strings.Contains(err.Error(), "notes.txt") {
		t.Errorf("err = %v, want a refusal naming notes.txt", err)
	}
	// Writing twice into the same directory is fine, and drops files of kinds not loaded.
	dir = t.TempDir()
	if err := Write(inv, dir); err != nil {
		t.Fatal(err)
	}
	inv.Firewalls, inv.Listed[inventory.KindFirewall] = nil, false
	if err := Write(inv, dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, inventory.FirewallsFile)); !os.IsNotExist(err) {
		t.Errorf("stale %s left behind: %v", inventory.FirewallsFile, err)
	}
}

// TestWriteSnapshotNeverWritesThroughLinks: a symbolic link planted where a snapshot file
// goes is replaced by the file, and what it pointed to is left alone; an output directory
// that is itself a link is refused.
func TestWriteSnapshotNeverWritesThroughLinks(t *testing.T) {
	inv, err := LoadDir(shopDir)
	if err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(outside, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, name := range []string{inventory.ServicesFile, inventory.FirewallsFile} {
		if err := os.Symlink(outside, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := Write(inv, dir); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(outside); string(data) != "keep me" {
		t.Errorf("the link's target was written: %q", data)
	}
	info, err := os.Lstat(filepath.Join(dir, inventory.ServicesFile))
	if err != nil || !info.Mode().IsRegular() {
		t.Errorf("%s is not a regular file: %v %v", inventory.ServicesFile, info, err)
	}
	link := filepath.Join(t.TempDir(), "snap")
	if err := os.Symlink(t.TempDir(), link); err != nil {
		t.Fatal(err)
	}
	if err := Write(inv, link); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("err = %v, want a refusal of the linked directory", err)
	}
}
