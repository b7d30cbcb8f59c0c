package firewall

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/protobuf/encoding/protojson"
)

// TestSampleEffectiveFirewalls evaluates a real networks.getEffectiveFirewalls response from
// the shared samples folder beside the checkout. That folder is absent from a plain clone,
// so the test skips there.
func TestSampleEffectiveFirewalls(t *testing.T) {
	path := filepath.Join("..", "..", "shared", "samples", "firewall-1-effective.json")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("shared samples folder not beside the checkout (%s absent); skipping", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	var response computepb.NetworksGetEffectiveFirewallsResponse
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(data, &response); err != nil {
		t.Fatalf("unmarshal %s: %v", path, err)
	}
	rs, err := NewRuleSet(response.GetFirewalls())
	if err != nil {
		t.Fatalf("NewRuleSet: %v", err)
	}

	faulty := Endpoint{IP: ip("10.128.0.5"), Tags: []string{"faulty-ssh-instance"}}
	plain := Endpoint{IP: ip("10.128.0.6")}
	iap := Endpoint{IP: ip("35.235.240.10")}
	tests := []struct {
		name      string
		packet    Packet
		allowed   bool
		decidedBy string
	}{
		// The sample's point: an allow and a deny for tcp:22 at the same priority 900 on the
		// same tag. The deny wins, although the allow comes first in the file.
		{"ssh to the tagged VM", tcp(iap, faulty, 22), false, "gce-secured-instance-test-deny"},
		{"ssh to an untagged VM", tcp(iap, plain, 22), true, "default-allow-ssh"},
		{"redis port between VMs", tcp(plain, faulty, 6379), true, "default-allow-internal"},
		{"redis port from the internet", tcp(iap, plain, 6379), false, ImpliedDenyIngress},
		{"ping from anywhere", Packet{Src: iap, Dst: faulty, Protocol: "icmp"}, true, "default-allow-icmp"},
	}
	for _, tt := range tests {
		got := rs.Ingress(tt.packet)
		if got.Allowed != tt.allowed || decidedBy(got) != tt.decidedBy {
			t.Errorf("%s: got allowed=%v by %q, want allowed=%v by %q (%s)",
				tt.name, got.Allowed, decidedBy(got), tt.allowed, tt.decidedBy, got)
		}
	}
	const wantReason = "blocked by gce-secured-instance-test-deny (priority 900, deny tcp:22 from 0.0.0.0/0,35.235.240.0/20, targets tag:faulty-ssh-instance)"
	if got := rs.Ingress(tcp(iap, faulty, 22)).String(); got != wantReason {
		t.Errorf("reason\n got  %s\n want %s", got, wantReason)
	}
}
