package probe

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/vpcdoctor/vpcdoctor/internal/fakeredis"
)

// requireRedisServer returns the path of redis-server, or skips the test when it is not
// installed, unless VPCDOCTOR_REQUIRE_REDIS=1 (as in CI) makes that a failure.
func requireRedisServer(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("VPCDOCTOR_REQUIRE_REDIS") == "1" {
			t.Fatalf("redis-server is not on PATH and VPCDOCTOR_REQUIRE_REDIS=1: install the redis-server package")
		}
		t.Skip("redis-server is not on PATH: install the redis-server package to run the probe tests against a real server")
	}
	return path
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port
}

// redisServer is a redis-server process on loopback that lives as long as the test.
type redisServer struct {
	port int
}

// startRedis starts redis-server on a free loopback port with extra arguments, waits until
// it accepts connections and stops it when the test ends. portArgs builds the listening
// arguments from the chosen port (the TLS variant listens with --tls-port).
func startRedis(t testing.TB, portArgs func(port int) []string, extra ...string) *redisServer {
	t.Helper()
	path := requireRedisServer(t)
	var lastErr error
	for range 3 { // a free port can be taken between freePort and redis-server's bind
		port := freePort(t)
		args := append(portArgs(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
			"--daemonize", "no", "--dir", t.TempDir())
		args = append(args, extra...)
		if lastErr = runRedis(t, path, port, args); lastErr == nil {
			return &redisServer{port: port}
		}
	}
	t.Fatalf("start redis-server: %v", lastErr)
	return nil
}

// plainPort listens on the port without TLS.
func plainPort(port int) []string { return []string{"--port", strconv.Itoa(port)} }

// runRedis starts one redis-server and waits until its port accepts connections.
func runRedis(t testing.TB, path string, port int, args []string) error {
	t.Helper()
	var output lockedBuffer
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Kill()
		<-exited
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			exited <- err
			return errors.New("redis-server exited: " + output.String())
		default:
		}
		conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), 100*time.Millisecond)
		if err == nil {
			_ = conn.Close()
			t.Cleanup(stop)
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	return errors.New("redis-server did not accept connections within 10s: " + output.String())
}

// lockedBuffer collects a process's output from its copying goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testPKI is a CA and a server certificate for 127.0.0.1, written as PEM files.
type testPKI struct {
	caPEM             []byte
	caFile            string
	certFile, keyFile string
	otherCAPEM        []byte // a CA that did not sign the server certificate
}

// newTestPKI generates an ECDSA CA and server certificate (SAN 127.0.0.1) in dir.
func newTestPKI(t testing.TB) testPKI {
	t.Helper()
	dir := t.TempDir()
	caKey, caCert, caPEM := newCA(t, "vpcdoctor test CA")
	_, _, otherPEM := newCA(t, "some other CA")

	serverKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "redis test server"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, caCert, &serverKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(serverKey)
	if err != nil {
		t.Fatal(err)
	}
	pki := testPKI{
		caPEM:      caPEM,
		caFile:     filepath.Join(dir, "ca.pem"),
		certFile:   filepath.Join(dir, "server.pem"),
		keyFile:    filepath.Join(dir, "server-key.pem"),
		otherCAPEM: otherPEM,
	}
	writeFile(t, pki.caFile, caPEM)
	writeFile(t, pki.certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	writeFile(t, pki.keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
	return pki
}

// newCA generates a self-signed ECDSA CA.
func newCA(t testing.TB, name string) (*ecdsa.PrivateKey, *x509.Certificate, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return key, cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// startTLSRedis starts redis-server that only speaks TLS, with the PKI's certificate.
func startTLSRedis(t testing.TB, pki testPKI, extra ...string) *redisServer {
	t.Helper()
	tlsPort := func(port int) []string {
		return []string{"--port", "0", "--tls-port", strconv.Itoa(port),
			"--tls-cert-file", pki.certFile, "--tls-key-file", pki.keyFile,
			"--tls-ca-cert-file", pki.caFile, "--tls-auth-clients", "no"}
	}
	return startRedis(t, tlsPort, extra...)
}

// silentListener accepts TCP connections and never sends a byte.
func silentListener(t testing.TB) int {
	t.Helper()
	return fakeredis.Listen(t, func(ctx context.Context, _ net.Conn) { <-ctx.Done() })
}

// delayProxy forwards loopback TCP to upstream, delaying every chunk by delay in each
// direction, so a round trip costs at least twice delay.
func delayProxy(t testing.TB, upstream int, delay time.Duration) int {
	t.Helper()
	return fakeredis.Listen(t, func(ctx context.Context, client net.Conn) {
		server, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(upstream)))
		if err != nil {
			return
		}
		var both sync.WaitGroup
		both.Go(func() { copyDelayed(ctx, server, client, delay) })
		both.Go(func() { copyDelayed(ctx, client, server, delay) })
		both.Wait()
	})
}

// copyDelayed copies src to dst, sleeping before every write, until either side closes
// or ctx ends; then it closes both.
func copyDelayed(ctx context.Context, dst, src net.Conn, delay time.Duration) {
	defer func() { _ = dst.Close(); _ = src.Close() }()
	stop := context.AfterFunc(ctx, func() { _ = src.Close() })
	defer stop()
	buf := make([]byte, 32*1024)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			time.Sleep(delay)
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
