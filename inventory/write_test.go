package inventory_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// shopDir is a snapshot of a real-looking project with secrets in its services.
const shopDir = "../internal/fakegcp/testdata/shop"

func TestWriteSnapshotRedactsSecrets(t *testing.T) {
	inv, err := inventory.LoadDir(shopDir)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := inventory.WriteSnapshot(inv, dir); err != nil {
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
	reloaded, err := inventory.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	cart := reloaded.Services[0]
	if _, ok := inventory.EnvHosts(cart)["10.20.0.3"]; !ok {
		t.Errorf("redacted env lost the Redis host: %v", inventory.ServiceEnv(cart))
	}
}

func TestRedactEnvValue(t *testing.T) {
	tests := []struct{ name, value, want string }{
		{"REDIS_HOST", "10.0.0.3", "10.0.0.3"},
		{"REDIS_PORT", "6379", "6379"},
		{"REDIS_PASSWORD", "hunter2", inventory.Redacted},
		{"redis_auth", "hunter2", inventory.Redacted},
		{"API_TOKEN", "abc", inventory.Redacted},
		{"SIGNING_KEY", "abc", inventory.Redacted},
		{"GOOGLE_CREDENTIALS", "{}", inventory.Redacted},
		{"APP_SECRET", "x", inventory.Redacted},
		{"REDIS_URL", "redis://:s3cret@10.0.0.3:6379/0", "redis://:%3Credacted%3E@10.0.0.3:6379/0"},
		{"REDIS_URL", "rediss://default:s3cret@10.0.0.3:6378", "rediss://default:%3Credacted%3E@10.0.0.3:6378"},
		{"REDIS_URL", "redis://10.0.0.3:6379", "redis://10.0.0.3:6379"},
		{"SECRET_URL", "https://vault.example.com/v1/x", inventory.Redacted},
		{"EMPTY_SECRET", "", ""},
		// The allow-list: only shapes that cannot hold a secret survive, whatever the name.
		{"REDIS_PASS", "hunter2", inventory.Redacted},
		{"DB_PWD", "hunter2", inventory.Redacted},
		{"OPAQUE", "hunter2", inventory.Redacted},
		{"MY_SETTING", "p#w/x", inventory.Redacted},
		{"REDIS_CONN", "10.0.0.3:6379,password=hunter2", inventory.Redacted},
		{"DATABASE_DSN", "postgres://app:hunter2@db:5432/app", inventory.Redacted},
		{"MYSQL_DSN", "app:hunter2@tcp(10.0.0.5:3306)/db", inventory.Redacted},
		{"CONFIG_JSON", `{"password":"hunter2"}`, inventory.Redacted},
		{"SESSION_URL", "redis://hunter2@10.0.0.3:6379", "redis://%3Credacted%3E@10.0.0.3:6379"},
		{"CACHE_URL", "redis://10.0.0.3:6379/2?password=hunter2#x", "redis://10.0.0.3:6379/2"},
		{"CACHE_URL", "redis://10.0.0.3:6379/%2e%2e", "redis://10.0.0.3:6379"},
		{"CACHE_URL", "redis://evil$(id):6379", inventory.Redacted},
		{"REDIS_HOST", "redis.internal.example.com", "redis.internal.example.com"},
		{"REDIS_HOST", "10.0.0.3:6379", "10.0.0.3:6379"},
		{"REDIS_HOST", "[fd00::3]:6379", "[fd00::3]:6379"},
		{"REDIS_TLS", "true", "true"},
		{"PORT", "99999", inventory.Redacted},
	}
	for _, tt := range tests {
		if got := inventory.RedactEnvValue(tt.name, tt.value); got != tt.want {
			t.Errorf("RedactEnvValue(%q, %q) = %q, want %q", tt.name, tt.value, got, tt.want)
		}
	}
}

func TestWriteSnapshotRefusesForeignFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	inv, err := inventory.LoadDir(shopDir)
	if err != nil {
		t.Fatal(err)
	}
	if err := inventory.WriteSnapshot(inv, dir); err == nil || !strings.Contains(err.Error(), "notes.txt") {
		t.Errorf("err = %v, want a refusal naming notes.txt", err)
	}
	// Writing twice into the same directory is fine, and drops files of kinds not loaded.
	dir = t.TempDir()
	if err := inventory.WriteSnapshot(inv, dir); err != nil {
		t.Fatal(err)
	}
	inv.Firewalls, inv.Listed[inventory.KindFirewall] = nil, false
	if err := inventory.WriteSnapshot(inv, dir); err != nil {
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
	inv, err := inventory.LoadDir(shopDir)
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
	if err := inventory.WriteSnapshot(inv, dir); err != nil {
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
	if err := inventory.WriteSnapshot(inv, link); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("err = %v, want a refusal of the linked directory", err)
	}
}
