package cli

import (
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/vpcdoctor/vpcdoctor/report"
)

// TestProbeCommand drives `vpcdoctor probe` itself: a closed port fails probe.tcp (exit 1,
// later steps skipped), a live server passes, and bad flags are usage errors.
func TestProbeCommand(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().(*net.TCPAddr).Port
	l.Close()
	code, out, _ := runCLI(t, "probe", "--host", "127.0.0.1", "--port", fmt.Sprint(closed), "--format", "json")
	var doc report.Document
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("exit %d: %v", code, err)
	}
	if code != 1 || len(doc.Findings) != 5 || doc.Findings[0].ID != "probe.tcp" || doc.Findings[0].Status != "fail" || doc.Findings[4].Status != "skip" {
		t.Errorf("closed port: exit %d, findings %+v", code, doc.Findings)
	}
	if doc.Target.Source != "probe" {
		t.Errorf("target %+v", doc.Target)
	}

	port := startRedis(t)
	code, out, _ = runCLI(t, "probe", "--host", "127.0.0.1", "--port", fmt.Sprint(port), "--count", "5", "--color", "never")
	if code != 0 || !strings.Contains(out, "✓ probe.ping") {
		t.Errorf("live server: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, "probe", "--host", "127.0.0.1", "--port", fmt.Sprint(port), "--count", "3", "--interval", "5ms", "--color", "never")
	if code != 0 || !strings.Contains(out, "one every 5ms: count=3 ") {
		t.Errorf("--interval: exit %d\n%s", code, out)
	}

	for _, args := range [][]string{{"probe"}, {"probe", "--host", "127.0.0.1", "--format", "xml"}, {"probe", "--host", "127.0.0.1", "--auth-env", "VPCDOCTOR_TEST_UNSET_VAR"},
		{"probe", "--host", "127.0.0.1", "--interval", "-1s"}, {"check", "--probe", "--interval", "2m"}} {
		if code, _, stderr := runCLI(t, args...); code != 2 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
}
