package live_test

import (
	"context"
	"testing"
	"time"

	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/protobuf/proto"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/internal/fakegcp"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/live"
)

// A hostile or broken API cannot make a live run grow memory until --timeout: an answer
// that never ends and a listing whose nextPageToken never runs out stop at the limits, as
// an Unavailable problem of the resource (an "error" finding), well before the deadline.
func TestLoadLiveResponseLimits(t *testing.T) {
	tests := []struct {
		name   string
		method string
		fault  fakegcp.Fault
		kind   inventory.Kind
		// limit sets the run's limits low, so the test is fast.
		limit func(*live.Options)
	}{
		{"endless pages over REST", fakegcp.ListFirewalls, fakegcp.Fault{EndlessPages: true}, inventory.KindFirewall,
			func(o *live.Options) { o.MaxListPages = 20 }},
		{"endless pages over gRPC", fakegcp.ListConnectors, fakegcp.Fault{EndlessPages: true}, inventory.KindConnector,
			func(o *live.Options) { o.MaxListPages = 20 }},
		{"endless body over REST", fakegcp.ListFirewalls, fakegcp.Fault{EndlessBody: true}, inventory.KindFirewall,
			func(o *live.Options) { o.MaxResponseBytes = 1 << 20 }},
		{"oversized message over gRPC", fakegcp.ListConnectors, fakegcp.Fault{}, inventory.KindConnector,
			func(o *live.Options) { o.MaxResponseBytes = 64 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server := startFake(t, shopDir, fakegcp.Options{})
			server.SetFault(tt.method, tt.fault)
			opts := liveOptions(server, "shop-prod", "europe-west1", "cart")
			tt.limit(&opts)
			start := time.Now()
			inv, err := live.Load(context.Background(), opts)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if elapsed := time.Since(start); elapsed > opts.Timeout/2 {
				t.Errorf("load took %v: the limit did not stop it before the deadline", elapsed)
			}
			var found *inventory.Problem
			for _, p := range inv.Problems {
				if p.Kind == tt.kind && p.Name == "" {
					found = p
				}
			}
			if found == nil || found.Code != inventory.Unavailable {
				t.Fatalf("problem of the %s listing = %+v, want Unavailable", tt.kind, found)
			}
			if calls := server.Calls()[tt.method]; tt.fault.EndlessPages && calls > opts.MaxListPages+2 {
				t.Errorf("%s called %d times, more than the page limit %d", tt.method, calls, opts.MaxListPages)
			}
		})
	}
}

// A live answer with a value no Google Cloud API returns (a malformed range) is not judged:
// the firewall listing becomes an Unavailable problem and the firewall checks say error.
func TestLoadLiveRejectsMalformedValues(t *testing.T) {
	snap := loadScenario(t, "healthy")
	if len(snap.Firewalls) == 0 {
		t.Fatal("healthy has no firewall rules")
	}
	broken := proto.Clone(snap.Firewalls[0]).(*computepb.Firewall)
	broken.SourceRanges = []string{"10.8.0.0/99"}
	snap.Firewalls = append([]*computepb.Firewall{broken}, snap.Firewalls[1:]...)
	inv, _ := loadLive(t, snap, fakegcp.Options{Region: fixtureRegion}, fixtureProject, fixtureRegion, fixtureService)
	if p := findProblem(inv, inventory.KindFirewall, ""); p == nil || p.Code != inventory.Unavailable {
		t.Fatalf("firewall listing problem = %+v, want Unavailable", p)
	}
	paths, err := inventory.Select(inv, inventory.Selector{Project: fixtureProject, Region: fixtureRegion, Service: fixtureService})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range checks.Run(checks.Catalogue(), paths[0], nil) {
		if f.ID == "vpc.connector-firewall" && f.Status != checks.Error {
			t.Errorf("%s is %s, want error", f.ID, f.Status)
		}
	}
}
