package probe

import (
	"context"
	"encoding/json"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vpcdoctor/vpcdoctor/finding"
)

// want is one expected finding: its id, status and cause, never its prose.
type want struct {
	id     string
	status finding.Status
	cause  Cause
}

// allPass is what a healthy plain server without AUTH gives.
var allPass = []want{
	{IDTCP, finding.Pass, ""},
	{IDTLS, finding.Skip, ""},
	{IDAuth, finding.Skip, ""},
	{IDPing, finding.Pass, ""},
	{IDLatency, finding.Pass, ""},
}

// failsAt is the expected findings when step id fails with cause: the steps before it
// are as in before, the ones after it are skipped.
func failsAt(before []want, id string, status finding.Status, cause Cause) []want {
	var out []want
	failed := false
	for _, w := range before {
		switch {
		case w.id == id:
			out = append(out, want{id, status, cause})
			failed = true
		case failed:
			out = append(out, want{w.id, finding.Skip, ""})
		default:
			out = append(out, w)
		}
	}
	return out
}

// with replaces the expectation for one step.
func with(before []want, id string, status finding.Status, cause Cause) []want {
	out := make([]want, len(before))
	for i, w := range before {
		if w.id == id {
			w = want{id, status, cause}
		}
		out[i] = w
	}
	return out
}

// checkFindings compares findings with the expectation on id, status and cause, and checks
// the invariants every probe finding keeps.
func checkFindings(t *testing.T, got []finding.Finding, wants []want) {
	t.Helper()
	if len(got) != len(wants) {
		t.Fatalf("got %d findings, want %d:\n%s", len(got), len(wants), dump(got))
	}
	for i, w := range wants {
		f := got[i]
		if f.ID != w.id || f.Status != w.status || CauseOf(f) != w.cause {
			t.Errorf("finding %d = (%s, %s, %q), want (%s, %s, %q)\n%s", i, f.ID, f.Status, CauseOf(f), w.id, w.status, w.cause, dump(got))
		}
		if f.Hop != finding.HopProbe || f.Title == "" || f.Message == "" {
			t.Errorf("finding %s lacks hop, title or message: %+v", f.ID, f)
		}
		if (f.Status == finding.Fail || f.Status == finding.Warn) && (f.Remediation == nil || f.Remediation.Text == "") {
			t.Errorf("finding %s (%s) has no remediation", f.ID, f.Status)
		}
	}
}

// dump renders findings for a failure message.
func dump(findings []finding.Finding) string {
	var b strings.Builder
	for _, f := range findings {
		b.WriteString("  " + f.ID + " " + string(f.Status) + " [" + string(CauseOf(f)) + "] " + f.Message + "\n")
	}
	return b.String()
}

// probeOpts are options for a loopback server with test-sized timeouts.
func probeOpts(port int) Options {
	return Options{Host: "127.0.0.1", Port: port, Count: 20, ConnectTimeout: 2 * time.Second}
}

// runProbe runs the probe and checks that observe saw exactly what Run returned.
func runProbe(t *testing.T, opts Options) []finding.Finding {
	t.Helper()
	var observed []finding.Finding
	got := Run(context.Background(), opts, func(f finding.Finding) { observed = append(observed, f) })
	if len(observed) != len(got) {
		t.Fatalf("observe saw %d findings, Run returned %d", len(observed), len(got))
	}
	for i := range got {
		if observed[i].ID != got[i].ID || observed[i].Status != got[i].Status || observed[i].Message != got[i].Message {
			t.Errorf("observed finding %d differs from the returned one", i)
		}
	}
	assertNoSecret(t, got, opts.Auth)
	t.Logf("findings:\n%s", dump(got))
	return got
}

// assertNoSecret checks that the AUTH secret appears in no field of any finding, nor in
// their JSON.
func assertNoSecret(t *testing.T, findings []finding.Finding, secret string) {
	t.Helper()
	if secret == "" {
		return
	}
	data, err := json.Marshal(findings)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), secret) {
		t.Errorf("the AUTH secret appears in the findings' JSON: %s", data)
	}
	for _, f := range findings {
		fields := []string{f.ID, string(f.Status), f.Title, string(f.Hop), f.Service, f.Resource, f.Message, f.Docs}
		if f.Remediation != nil {
			fields = append(fields, f.Remediation.Text)
			fields = append(fields, f.Remediation.Commands...)
		}
		for _, field := range fields {
			if strings.Contains(field, secret) {
				t.Errorf("the AUTH secret appears in finding %s: %q", f.ID, field)
			}
		}
	}
}

func TestPlainServer(t *testing.T) {
	t.Parallel()
	server := startRedis(t, plainPort)
	got := runProbe(t, probeOpts(server.port))
	checkFindings(t, got, allPass)
	if !strings.Contains(got[4].Message, "count=20 min=") {
		t.Errorf("latency message %q lacks the stable statistics", got[4].Message)
	}
}

func TestAuth(t *testing.T) {
	t.Parallel()
	const secret = "s3cret-Auth-String-0f-the-1nstance"
	server := startRedis(t, plainPort, "--requirepass", secret)
	plain := startRedis(t, plainPort)
	tests := []struct {
		name   string
		port   int
		user   string
		secret string
		want   []want
	}{
		{"right secret", server.port, "", secret, with(allPass, IDAuth, finding.Pass, "")},
		{"right secret, default user", server.port, "default", secret, with(allPass, IDAuth, finding.Pass, "")},
		{"no secret", server.port, "", "", failsAt(allPass, IDAuth, finding.Fail, CauseNoAuth)},
		{"wrong secret", server.port, "", "not-" + secret, failsAt(allPass, IDAuth, finding.Fail, CauseWrongPass)},
		{"wrong user", server.port, "someone", secret, failsAt(allPass, IDAuth, finding.Fail, CauseWrongPass)},
		{"secret to a server without AUTH", plain.port, "", secret, with(allPass, IDAuth, finding.Warn, CauseAuthNotEnabled)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := probeOpts(tt.port)
			opts.Username, opts.Auth = tt.user, tt.secret
			checkFindings(t, runProbe(t, opts), tt.want)
		})
	}
}

func TestTLS(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t)
	server := startTLSRedis(t, pki)
	tlsPass := with(allPass, IDTLS, finding.Pass, "")
	tests := []struct {
		name       string
		tls        bool
		ca         []byte
		serverName string
		secret     string
		want       []want
	}{
		{"verified with the instance CA", true, pki.caPEM, "", "", tlsPass},
		{"no CA given", true, nil, "", "", failsAt(tlsPass, IDTLS, finding.Fail, CauseTLSUnknownAuthority)},
		{"another CA given", true, pki.otherCAPEM, "", "", failsAt(tlsPass, IDTLS, finding.Fail, CauseTLSUnknownAuthority)},
		{"name not in the certificate", true, pki.caPEM, "redis.example.com", "", failsAt(tlsPass, IDTLS, finding.Fail, CauseTLSHostnameMismatch)},
		{"plain client", false, nil, "", "", failsAt(allPass, IDPing, finding.Fail, CausePlainToTLSServer)},
		{"plain client with AUTH", false, nil, "", "some-secret-value", failsAt(allPass, IDAuth, finding.Fail, CausePlainToTLSServer)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := probeOpts(server.port)
			opts.TLS, opts.CAPEM, opts.ServerName, opts.Auth = tt.tls, tt.ca, tt.serverName, tt.secret
			checkFindings(t, runProbe(t, opts), tt.want)
		})
	}
}

func TestTLSClientToPlainServer(t *testing.T) {
	t.Parallel()
	server := startRedis(t, plainPort)
	pki := newTestPKI(t)
	opts := probeOpts(server.port)
	opts.TLS, opts.CAPEM = true, pki.caPEM
	opts.ConnectTimeout = 500 * time.Millisecond
	start := time.Now()
	got := runProbe(t, opts)
	checkFindings(t, got, failsAt(with(allPass, IDTLS, finding.Pass, ""), IDTLS, finding.Fail, CauseTLSToPlainServer))
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("probe took %s, want about ConnectTimeout", elapsed)
	}
}

func TestClosedPortIsRefused(t *testing.T) {
	t.Parallel()
	got := runProbe(t, probeOpts(refusingPort(t)))
	checkFindings(t, got, failsAt(allPass, IDTCP, finding.Fail, CauseConnectionRefused))
}

func TestConnectTimeout(t *testing.T) {
	t.Parallel()
	t.Run("dropped SYN on loopback", func(t *testing.T) {
		t.Parallel()
		opts := Options{Host: "127.0.0.1", Port: blackHole(t), ConnectTimeout: 300 * time.Millisecond}
		got, elapsed := timedProbe(t, opts)
		checkFindings(t, got, failsAt(allPass, IDTCP, finding.Fail, CauseConnectTimeout))
		if elapsed > 2*time.Second {
			t.Errorf("probe took %s with ConnectTimeout 300ms", elapsed)
		}
	})
	t.Run("unroutable address", func(t *testing.T) {
		t.Parallel()
		opts := Options{Host: "10.255.255.1", Port: 6379, ConnectTimeout: 300 * time.Millisecond}
		got, elapsed := timedProbe(t, opts)
		if elapsed > 2*time.Second {
			t.Errorf("probe took %s with ConnectTimeout 300ms", elapsed)
		}
		switch cause := CauseOf(got[0]); {
		case got[0].Status == finding.Pass:
			t.Skipf("something on this network answers for 10.255.255.1: %s", got[0].Message)
		case cause == CauseNoRoute:
			// A machine without a default route fails at once.
			checkFindings(t, got, failsAt(allPass, IDTCP, finding.Fail, CauseNoRoute))
		default:
			checkFindings(t, got, failsAt(allPass, IDTCP, finding.Fail, CauseConnectTimeout))
		}
	})
}

// timedProbe runs the probe and says how long it took.
func timedProbe(t *testing.T, opts Options) ([]finding.Finding, time.Duration) {
	t.Helper()
	start := time.Now()
	got := runProbe(t, opts)
	return got, time.Since(start)
}

func TestUnknownHost(t *testing.T) {
	t.Parallel()
	got := runProbe(t, Options{Host: "memorystore.invalid", ConnectTimeout: 2 * time.Second})
	checkFindings(t, got, failsAt(allPass, IDTCP, finding.Fail, CauseDNSNotFound))
}

func TestSilentServer(t *testing.T) {
	t.Parallel()
	port := silentListener(t)
	tests := []struct {
		name string
		tls  bool
		want []want
	}{
		{"plain", false, failsAt(allPass, IDPing, finding.Fail, CauseReplyTimeout)},
		{"TLS", true, failsAt(with(allPass, IDTLS, finding.Pass, ""), IDTLS, finding.Fail, CauseTLSHandshakeTimeout)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := probeOpts(port)
			opts.TLS = tt.tls
			opts.ConnectTimeout = 300 * time.Millisecond
			start := time.Now()
			checkFindings(t, runProbe(t, opts), tt.want)
			if elapsed := time.Since(start); elapsed > 2*time.Second {
				t.Errorf("probe took %s with ConnectTimeout 300ms", elapsed)
			}
		})
	}
}

func TestMaxClients(t *testing.T) {
	t.Parallel()
	server := startRedis(t, plainPort, "--maxclients", "1")
	holder := redis.NewClient(&redis.Options{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(server.port)), PoolSize: 1, MaxRetries: -1})
	t.Cleanup(func() { _ = holder.Close() })
	// The server may still count the readiness check's connection for a moment.
	var err error
	for range 50 {
		if err = holder.Ping(context.Background()).Err(); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("hold the only client slot: %v", err)
	}
	checkFindings(t, runProbe(t, probeOpts(server.port)), failsAt(allPass, IDPing, finding.Fail, CauseMaxClients))
}

func TestReadReplica(t *testing.T) {
	t.Parallel()
	primary := startRedis(t, plainPort)
	replica := startRedis(t, plainPort, "--replicaof", "127.0.0.1", strconv.Itoa(primary.port))
	checkFindings(t, runProbe(t, probeOpts(replica.port)), with(allPass, IDPing, finding.Warn, CauseReadReplica))
}

func TestReadEndpointFromConfiguration(t *testing.T) {
	t.Parallel()
	server := startRedis(t, plainPort)
	opts := probeOpts(server.port)
	opts.Instance = &Instance{Name: "projects/p/locations/europe-west1/instances/cache", ReadEndpoint: "127.0.0.1"}
	got := runProbe(t, opts)
	checkFindings(t, got, with(allPass, IDPing, finding.Warn, CauseReadReplica))
	if got[0].Resource != opts.Instance.Name {
		t.Errorf("Resource = %q, want the instance name", got[0].Resource)
	}
}

func TestHighLatencyWarns(t *testing.T) {
	t.Parallel()
	server := startRedis(t, plainPort)
	opts := probeOpts(delayProxy(t, server.port, 3*time.Millisecond))
	opts.Count = 5
	checkFindings(t, runProbe(t, opts), with(allPass, IDLatency, finding.Warn, CauseHighLatency))
}

func TestInvalidOptions(t *testing.T) {
	t.Parallel()
	tests := map[string]Options{
		"no host":           {},
		"bad port":          {Host: "127.0.0.1", Port: 70000},
		"bad CA":            {Host: "127.0.0.1", TLS: true, CAPEM: []byte("not a certificate")},
		"negative interval": {Host: "127.0.0.1", Interval: -time.Millisecond},
	}
	for name, opts := range tests {
		t.Run(name, func(t *testing.T) {
			checkFindings(t, runProbe(t, opts), failsAt(allPass, IDTCP, finding.Error, CauseInvalidOptions))
		})
	}
}

func TestCanceled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got := Run(ctx, Options{Host: "10.255.255.1"}, nil)
	checkFindings(t, got, failsAt(allPass, IDTCP, finding.Error, CauseCanceled))
}

// TestPacedLatency: with an interval the latency step waits between PINGs, as
// redis-cli --latency does, and says so.
func TestPacedLatency(t *testing.T) {
	t.Parallel()
	server := startRedis(t, plainPort)
	opts := probeOpts(server.port)
	opts.Count, opts.Interval = 5, 30*time.Millisecond
	start := time.Now()
	got := runProbe(t, opts)
	elapsed := time.Since(start)
	checkFindings(t, got, allPass)
	if elapsed < 4*opts.Interval {
		t.Errorf("5 PINGs 30ms apart took %s; want at least 120ms", elapsed)
	}
	if msg := got[4].Message; !strings.Contains(msg, "one every 30ms") || !strings.Contains(msg, "count=5 min=") {
		t.Errorf("latency message %q does not give the pacing and the statistics", msg)
	}
}

// TestPacedLatencyCanceled: a cancellation during a pause ends the step at once.
func TestPacedLatencyCanceled(t *testing.T) {
	t.Parallel()
	server := startRedis(t, plainPort)
	opts := probeOpts(server.port)
	opts.Count, opts.Interval = 1000, time.Second
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(1500*time.Millisecond, cancel)
	start := time.Now()
	got := Run(ctx, opts, nil)
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("the canceled probe returned after %s", elapsed)
	}
	checkFindings(t, got, with(allPass, IDLatency, finding.Error, CauseCanceled))
}
