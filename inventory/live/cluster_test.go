package live_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/protobuf/proto"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/fixtures"
	"github.com/vpcdoctor/vpcdoctor/internal/fakegcp"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/live"
	"github.com/vpcdoctor/vpcdoctor/inventory/snapshot"
)

const (
	clusterScenario = "redis-cluster"
	fixtureCluster  = "projects/my-project/locations/us-central1/clusters/my-redis"
)

// loadScenario loads a built-in scenario's files.
func loadScenario(t testing.TB, name string) *inventory.Inventory {
	t.Helper()
	scenario, ok := fixtures.Lookup(name)
	if !ok {
		t.Fatalf("no scenario %s", name)
	}
	inv, err := snapshot.LoadFS(scenario.FS, name)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// serveScenario serves a built-in scenario from fakegcp for the length of a test.
func serveScenario(t testing.TB, name string) (*inventory.Inventory, *fakegcp.Server) {
	t.Helper()
	inv := loadScenario(t, name)
	return inv, serve(t, inv, fakegcp.Options{Region: fixtureRegion})
}

// redisFound is the redis.found finding of the first selected path.
func redisFound(t *testing.T, inv *inventory.Inventory, sel inventory.Selector) checks.Finding {
	t.Helper()
	paths, err := inventory.Select(inv, sel)
	if err != nil {
		t.Fatalf("select: %v", err)
	}
	for _, f := range checks.Run(checks.Catalogue(), paths[0], nil) {
		if f.ID == "redis.found" {
			return f
		}
	}
	t.Fatal("no redis.found finding")
	return checks.Finding{}
}

func clusterNames(inv *inventory.Inventory) []string {
	var names []string
	for _, c := range inv.RedisClusters {
		names = append(names, c.GetName())
	}
	return names
}

// TestLoadLiveClusterFromEnv: without --redis, a service whose env points at no instance
// of the project makes the run list the region's Redis Clusters (once, no Get), and
// redis.found names the cluster whose discovery endpoint the env holds.
func TestLoadLiveClusterFromEnv(t *testing.T) {
	snap, server := serveScenario(t, clusterScenario)
	loaded, err := live.Load(context.Background(), liveOptions(server, fixtureProject, fixtureRegion, fixtureService))
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(clusterNames(loaded)); got != "["+fixtureCluster+"]" {
		t.Fatalf("clusters = %s, want %s", got, fixtureCluster)
	}
	if p := problemSet(loaded); len(p) != 0 {
		t.Errorf("problems: %q", p)
	}
	calls := server.Calls()
	if calls[fakegcp.ListClusters] != 1 || calls[fakegcp.GetCluster] != 0 {
		t.Errorf("calls = %v, want one cluster listing and no Get", calls)
	}
	sel := inventory.Selector{Project: fixtureProject, Region: fixtureRegion, Service: fixtureService}
	if f := redisFound(t, loaded, sel); f.Status != checks.Fail || f.Resource != fixtureCluster {
		t.Errorf("redis.found = %s %s: %s", f.Status, f.Resource, f.Message)
	}
	if got, want := findingKeys(t, loaded, sel), findingKeys(t, snap, sel); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("findings differ\nsnapshot: %q\nlive:     %q", want, got)
	}
}

// TestLoadLiveClusterByName: --redis NAME that is no instance but a cluster: the cluster
// of that name is read with a Get, whether the instance's absence comes from the project
// listing or (listing forbidden) from the instance Get's NotFound.
func TestLoadLiveClusterByName(t *testing.T) {
	for _, tt := range []struct {
		name         string
		listForbid   bool
		wantInstGets int
	}{
		{"listing complete", false, 0},
		{"listing forbidden", true, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			snap, server := serveScenario(t, clusterScenario)
			if tt.listForbid {
				server.SetFault(fakegcp.ListInstances, fakegcp.Fault{Status: 403})
			}
			opts := liveOptions(server, fixtureProject, fixtureRegion, fixtureService)
			opts.Redis = "my-redis"
			loaded, err := live.Load(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(clusterNames(loaded)); got != "["+fixtureCluster+"]" {
				t.Fatalf("clusters = %s; problems %q", got, problemSet(loaded))
			}
			calls := server.Calls()
			if calls[fakegcp.GetCluster] != 1 || calls[fakegcp.GetInstance] != tt.wantInstGets {
				t.Errorf("calls = %v, want one cluster Get and %d instance Gets", calls, tt.wantInstGets)
			}
			sel := inventory.Selector{Project: fixtureProject, Region: fixtureRegion, Service: fixtureService, Redis: "my-redis"}
			if f := redisFound(t, loaded, sel); f.Status != checks.Fail || f.Resource != fixtureCluster || !strings.Contains(f.Message, "Memorystore for Redis Cluster") {
				t.Errorf("redis.found = %s %s: %s", f.Status, f.Resource, f.Message)
			}
			if !tt.listForbid {
				if got, want := findingKeys(t, loaded, sel), findingKeys(t, snap, sel); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("findings differ\nsnapshot: %q\nlive:     %q", want, got)
				}
			}
		})
	}
}

// TestLoadLiveNoClusterCalls: when the service's env or --redis finds an instance, the run
// makes no Redis Cluster call at all. An env host that matches no instance (a stale IP)
// lists the region's clusters even when Select then falls back to the only instance: the
// rule stays independent of Select's fallbacks, at the price of one call in parallel.
func TestLoadLiveNoClusterCalls(t *testing.T) {
	for _, redis := range []string{"", "my-redis", "projects/my-project/locations/us-central1/instances/my-redis"} {
		for _, scenario := range []string{"healthy", "redis-host-stale"} {
			t.Run(scenario+"/"+redis, func(t *testing.T) {
				_, server := serveScenario(t, scenario)
				opts := liveOptions(server, fixtureProject, fixtureRegion, fixtureService)
				opts.Redis = redis
				if _, err := live.Load(context.Background(), opts); err != nil {
					t.Fatal(err)
				}
				wantLists := 0
				if scenario == "redis-host-stale" && redis == "" {
					wantLists = 1
				}
				calls := server.Calls()
				if calls[fakegcp.ListClusters] != wantLists || calls[fakegcp.GetCluster] != 0 {
					t.Errorf("calls = %v, want %d cluster listings and no cluster Get", calls, wantLists)
				}
			})
		}
	}
}

// TestLoadLiveClusterFaultsAreHarmless: whatever the Redis Cluster API answers (403, 404,
// 501 Unimplemented, 503, no answer before the deadline), the run records no problem and
// redis.found reports the plain missing instance.
func TestLoadLiveClusterFaultsAreHarmless(t *testing.T) {
	faults := []struct {
		name  string
		fault fakegcp.Fault
	}{
		{"403", fakegcp.Fault{Status: 403}},
		{"404", fakegcp.Fault{Status: 404}},
		{"501", fakegcp.Fault{Status: 501}},
		{"503", fakegcp.Fault{Status: 503}},
		{"deadline", fakegcp.Fault{Delay: time.Minute}},
	}
	for _, redis := range []string{"", "my-redis"} {
		for _, fault := range faults {
			t.Run(fault.name+"/"+redis, func(t *testing.T) {
				_, server := serveScenario(t, clusterScenario)
				server.SetFault(fakegcp.GetCluster, fault.fault)
				server.SetFault(fakegcp.ListClusters, fault.fault)
				opts := liveOptions(server, fixtureProject, fixtureRegion, fixtureService)
				opts.Redis = redis
				if fault.name == "deadline" {
					opts.Timeout = 500 * time.Millisecond
				}
				loaded, err := live.Load(context.Background(), opts)
				if err != nil {
					t.Fatal(err)
				}
				if p := problemSet(loaded); len(p) != 0 {
					t.Errorf("problems: %q", p)
				}
				if len(loaded.RedisClusters) != 0 {
					t.Errorf("clusters = %v", clusterNames(loaded))
				}
				if server.Calls()[fakegcp.ListClusters]+server.Calls()[fakegcp.GetCluster] == 0 {
					t.Errorf("no Redis Cluster call was made: calls = %v", server.Calls())
				}
				sel := inventory.Selector{Project: fixtureProject, Region: fixtureRegion, Service: fixtureService, Redis: redis}
				f := redisFound(t, loaded, sel)
				if f.Status != checks.Fail || strings.Contains(f.Resource, "/clusters/") {
					t.Errorf("redis.found = %s %s: %s", f.Status, f.Resource, f.Message)
				}
			})
		}
	}
}

// TestLoadLiveClustersListedOncePerRegion: a region of services that all point at the
// cluster lists the region's clusters once, and each service's redis.found names it.
func TestLoadLiveClustersListedOncePerRegion(t *testing.T) {
	inv := loadScenario(t, clusterScenario)
	template, err := fakegcp.CanonicalService(inv, inv.Services[0], fixtureRegion)
	if err != nil {
		t.Fatal(err)
	}
	inv.Services = nil
	for i := 0; i < 5; i++ {
		svc := proto.Clone(template).(*runpb.Service)
		svc.Name = fmt.Sprintf("projects/%s/locations/%s/services/svc-%d", fixtureProject, fixtureRegion, i)
		svc.TrafficStatuses, svc.LatestReadyRevision = nil, ""
		inv.Services = append(inv.Services, svc)
	}
	loaded, server := loadLive(t, inv, fakegcp.Options{Region: fixtureRegion}, fixtureProject, fixtureRegion, "")
	if calls := server.Calls(); calls[fakegcp.ListClusters] != 1 {
		t.Errorf("calls = %v, want one cluster listing for the region", calls)
	}
	paths, err := inventory.Select(loaded, inventory.Selector{Project: fixtureProject, Region: fixtureRegion, All: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 5 {
		t.Fatalf("%d paths, want 5", len(paths))
	}
	for _, path := range paths {
		for _, f := range checks.Run(checks.Catalogue(), path, nil) {
			if f.ID == "redis.found" && (f.Status != checks.Fail || f.Resource != fixtureCluster) {
				t.Errorf("%s redis.found = %s %s", path.ServiceRef.Name, f.Status, f.Resource)
			}
		}
	}
}

// TestSnapshotWritesClusters: the clusters a live run read are written as
// {"clusters": [...]} and read back.
func TestSnapshotWritesClusters(t *testing.T) {
	_, server := serveScenario(t, clusterScenario)
	loaded, err := live.Load(context.Background(), liveOptions(server, fixtureProject, fixtureRegion, fixtureService))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := snapshot.Write(loaded, dir); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, inventory.ClustersFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "{\n  \"clusters\": [") {
		t.Errorf("%s does not start with the clusters envelope:\n%s", inventory.ClustersFile, data)
	}
	reloaded, err := snapshot.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(reloaded.RedisClusters) != 1 || !proto.Equal(reloaded.RedisClusters[0], loaded.RedisClusters[0]) {
		t.Errorf("reloaded clusters %v, live %v", reloaded.RedisClusters, loaded.RedisClusters)
	}
	if got, want := listedKinds(reloaded), listedKinds(loaded); got != want {
		t.Errorf("listed kinds: reloaded %s, live %s", got, want)
	}
	// A run that read no cluster writes no clusters file, and drops an earlier one.
	_, healthy := serveScenario(t, "healthy")
	loaded, err = live.Load(context.Background(), liveOptions(healthy, fixtureProject, fixtureRegion, fixtureService))
	if err != nil {
		t.Fatal(err)
	}
	if err := snapshot.Write(loaded, dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, inventory.ClustersFile)); !os.IsNotExist(err) {
		t.Errorf("stale %s left behind: %v", inventory.ClustersFile, err)
	}
}
