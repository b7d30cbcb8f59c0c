package cli

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
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
	return startRedisOn(t, func(port int) []string { return []string{"--port", fmt.Sprint(port)} }, args...)
}

// startRedisOn is startRedis with the listening flags given by portArgs (plain or TLS).
func startRedisOn(t *testing.T, portArgs func(port int) []string, args ...string) int {
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
	base := append(portArgs(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", t.TempDir())
	cmd := exec.Command(bin, append(base, args...)...)
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
	src := scenarioPath("healthy")
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

	code, out, stderr := runCLI(t, "check", "--from", dir, "--probe", "--probe-host", "127.0.0.1", "--count", "20", "--format", "json")
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

	// Without --probe-host, the host the snapshot names is not sent the secret: whether it
	// would be accepted is unknown (error), and the secret never reaches the server.
	code, out, _ = runCLI(t, "check", "--from", dir, "--probe", "--count", "5", "--format", "json")
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("exit %d: %v", code, err)
	}
	for _, f := range doc.Findings {
		if f.ID == "probe.auth" && (f.Status != "error" || !strings.Contains(f.Message, "--probe-host 127.0.0.1")) {
			t.Errorf("without --probe-host: probe.auth %s: %s", f.Status, f.Message)
		}
	}
	// A --probe-host that is not the snapshot's host does not unlock the secret either.
	code, out, _ = runCLI(t, "check", "--from", dir, "--probe", "--probe-host", "10.9.9.9", "--count", "5", "--format", "json")
	if !strings.Contains(out, `"status": "error"`) || !strings.Contains(out, "is not the --probe-host 10.9.9.9") || strings.Contains(out, secret) {
		t.Errorf("with another --probe-host: exit %d\n%s", code, out)
	}

	// Without the secret the probe fails at AUTH, and the text report says so.
	t.Setenv("REDIS_AUTH", "")
	code, out, _ = runCLI(t, "check", "--from", dir, "--probe", "--count", "5", "--color", "never")
	if code != 1 || !strings.Contains(out, "✗ probe.auth") {
		t.Errorf("without AUTH: exit %d\n%s", code, out)
	}
}

// testPKI writes a CA and a server certificate for 127.0.0.1 into dir and returns the
// CA's PEM and the file names redis-server needs.
func testPKI(t *testing.T, dir string) (caPEM []byte, caFile, certFile, keyFile string) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTemplate := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test Memorystore CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	serverKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serverTemplate := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "redis"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:   time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	serverDER, err := x509.CreateCertificate(rand.Reader, serverTemplate, caCert, &serverKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(serverKey)
	if err != nil {
		t.Fatal(err)
	}
	caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	caFile, certFile, keyFile = filepath.Join(dir, "ca.pem"), filepath.Join(dir, "server.pem"), filepath.Join(dir, "server-key.pem")
	for path, data := range map[string][]byte{
		caFile:   caPEM,
		certFile: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: serverDER}),
		keyFile:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
	} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return caPEM, caFile, certFile, keyFile
}

// TestCheckWithProbeUsesInstanceCA: with in-transit encryption on, check --probe speaks TLS
// and verifies the server with the CA from the instance's serverCaCerts, no flag needed.
func TestCheckWithProbeUsesInstanceCA(t *testing.T) {
	caPEM, caFile, certFile, keyFile := testPKI(t, t.TempDir())
	port := startRedisOn(t, func(port int) []string {
		return []string{"--port", "0", "--tls-port", fmt.Sprint(port), "--tls-cert-file", certFile,
			"--tls-key-file", keyFile, "--tls-ca-cert-file", caFile, "--tls-auth-clients", "no"}
	})
	dir := snapshotPointingAt(t, port)
	redisFile := filepath.Join(dir, "redis.yaml")
	var ca strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(string(caPEM)), "\n") {
		ca.WriteString("    " + line + "\n")
	}
	data := strings.Replace(mustRead(t, redisFile), "transitEncryptionMode: DISABLED", "transitEncryptionMode: SERVER_AUTHENTICATION\nserverCaCerts:\n- cert: |\n"+ca.String()+"  serialNumber: '1'", 1)
	if err := os.WriteFile(redisFile, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("REDIS_AUTH", "")
	code, out, stderr := runCLI(t, "check", "--from", dir, "--probe", "--count", "5", "--format", "json")
	var doc report.Document
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("exit %d, stderr %q: %v", code, stderr, err)
	}
	got := map[string]string{}
	for _, f := range doc.Findings {
		got[f.ID] = string(f.Status) + ": " + f.Message
	}
	for _, id := range []string{"probe.tcp", "probe.tls", "probe.ping"} {
		if !strings.HasPrefix(got[id], "pass") {
			t.Errorf("%s = %s", id, got[id])
		}
	}
}
