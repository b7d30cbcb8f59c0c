package live_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/protobuf/proto"

	"github.com/vpcdoctor/vpcdoctor/fixtures"
	"github.com/vpcdoctor/vpcdoctor/internal/fakegcp"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/live"
	"github.com/vpcdoctor/vpcdoctor/inventory/snapshot"
)

// Round trips: a live load written as a snapshot directory reads back as the same inventory.

func listedKinds(inv *inventory.Inventory) string {
	var kinds []string
	for k, ok := range inv.Listed {
		if ok {
			kinds = append(kinds, string(k))
		}
	}
	sort.Strings(kinds)
	return strings.Join(kinds, ",")
}

// writeAndReload writes an inventory as a snapshot directory and reads it back.
func writeAndReload(t *testing.T, inv *inventory.Inventory) *inventory.Inventory {
	t.Helper()
	dir := t.TempDir()
	if err := snapshot.Write(inv, dir); err != nil {
		t.Fatal(err)
	}
	reloaded, err := snapshot.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return reloaded
}

// TestSnapshotRoundTrip: LoadLive → WriteSnapshot → LoadDir gives the same inventory,
// problems and listed kinds included, and the same findings.
func TestSnapshotRoundTrip(t *testing.T) {
	server := startFake(t, shopDir, fakegcp.Options{})
	// A forbidden firewall listing and a missing revision must survive the round trip too.
	server.SetFault(fakegcp.ListFirewalls, fakegcp.Fault{Status: 403})
	loaded, err := live.Load(context.Background(), liveOptions(server, "shop-prod", "europe-west1", ""))
	if err != nil {
		t.Fatal(err)
	}
	reloaded := writeAndReload(t, loaded)
	wantResources := resources(t, loaded)
	// The shop's services carry secrets in plain env values; the snapshot must not.
	for key, m := range wantResources {
		if svc, ok := m.(*runpb.Service); ok {
			wantResources[key] = redacted(svc)
		}
	}
	diffResources(t, "reloaded vs live", wantResources, resources(t, reloaded))
	if got, want := fmt.Sprint(problemSet(reloaded)), fmt.Sprint(problemSet(loaded)); got != want {
		t.Errorf("problems: reloaded %s, live %s", got, want)
	}
	if got, want := listedKinds(reloaded), listedKinds(loaded); got != want {
		t.Errorf("listed kinds: reloaded %s, live %s", got, want)
	}
	for _, service := range []string{"cart", "checkout"} {
		sel := inventory.Selector{Project: "shop-prod", Region: "europe-west1", Service: service}
		if got, want := findingKeys(t, reloaded, sel), findingKeys(t, loaded, sel); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s findings differ\nlive:     %q\nreloaded: %q", service, want, got)
		}
	}
}

// redacted is what a service looks like after WriteSnapshot.
func redacted(svc *runpb.Service) *runpb.Service {
	out := proto.Clone(svc).(*runpb.Service)
	for _, c := range out.GetTemplate().GetContainers() {
		for _, env := range c.GetEnv() {
			if v, ok := env.GetValues().(*runpb.EnvVar_Value); ok {
				v.Value = inventory.RedactEnvValue(env.GetName(), v.Value)
			}
		}
	}
	return out
}

// TestSnapshotRoundTripEveryScenario writes each built-in scenario's live inventory and
// checks the written snapshot gives the live findings.
func TestSnapshotRoundTripEveryScenario(t *testing.T) {
	for _, scenario := range fixtures.Scenarios() {
		t.Run(scenario.Name, func(t *testing.T) {
			snap, err := snapshot.LoadFS(scenario.FS, scenario.Name)
			if err != nil {
				t.Fatal(err)
			}
			project, region, service := scenarioTarget(t, snap)
			loaded, _ := loadLive(t, snap, fakegcp.Options{Region: region, Project: project}, project, region, service)
			reloaded := writeAndReload(t, loaded)
			sel := inventory.Selector{Project: project, Region: region, Service: service}
			if got, want := findingKeys(t, reloaded, sel), findingKeys(t, loaded, sel); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("findings differ\nlive:     %q\nreloaded: %q", want, got)
			}
		})
	}
}
