package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vpcdoctor/vpcdoctor/report"
)

// startRedis runs a real redis-server on a free loopback port for the test.
func startRedis(t *testing.T, args ...string) int {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("VPCDOCTOR_REQUIRE_REDIS") != "" {
			t.Fatal("redis-server not found and VPCDOCTOR_REQUIRE_REDIS is set")
		}
		t.Skip("redis-server not installed (apt-get install redis-server); skipping the end-to-end probe test")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, append([]string{"--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", t.TempDir()}, args...)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			return port
		}
	}
	t.Fatal("redis-server did not start")
	return 0
}

// snapshotPointingAt copies the healthy scenario with Redis moved to 127.0.0.1:port.
func snapshotPointingAt(t *testing.T, port int) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("fixtures", "scenarios", "healthy")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data := mustRead(t, filepath.Join(src, e.Name()))
		data = strings.ReplaceAll(data, "10.0.0.3", "127.0.0.1")
		data = strings.ReplaceAll(data, "port: 6379", fmt.Sprintf("port: %d", port))
		data = strings.ReplaceAll(data, "value: '6379'", fmt.Sprintf("value: '%d'", port))
		if err := os.WriteFile(filepath.Join(dir, e.Name()), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestCheckWithProbe(t *testing.T) {
	const secret = "s3cret-auth-value-for-the-test"
	port := startRedis(t, "--requirepass", secret)
	dir := snapshotPointingAt(t, port)
	t.Setenv("REDIS_AUTH", secret)

	code, out, stderr := runCLI(t, "check", "--from", dir, "--probe", "--count", "20", "--format", "json")
	var doc report.Document
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("exit %d, stderr %q: %v", code, stderr, err)
	}
	got := map[string]string{}
	for _, f := range doc.Findings {
		got[f.ID] = string(f.Status)
		if f.Service != "cache-service" {
			t.Errorf("%s: service %q", f.ID, f.Service)
		}
	}
	for id, want := range map[string]string{"probe.tcp": "pass", "probe.tls": "skip", "probe.auth": "pass", "probe.ping": "pass", "probe.latency": "pass"} {
		if got[id] != want {
			t.Errorf("%s = %q, want %s", id, got[id], want)
		}
	}
	if strings.Contains(out+stderr, secret) {
		t.Error("the AUTH secret appears in the output")
	}

	// Without the secret the probe fails at AUTH, and the text report says so.
	t.Setenv("REDIS_AUTH", "")
	code, out, _ = runCLI(t, "check", "--from", dir, "--probe", "--count", "5", "--color", "never")
	if code != 1 || !strings.Contains(out, "✗ probe.auth") {
		t.Errorf("without AUTH: exit %d\n%s", code, out)
	}
}
