package live_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/protobuf/proto"

	"github.com/vpcdoctor/vpcdoctor/internal/fakegcp"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/live"
	"github.com/vpcdoctor/vpcdoctor/inventory/snapshot"
)

const shopDir = "../../internal/fakegcp/testdata/shop"

// startFake serves a snapshot directory for the length of a test.
func startFake(t testing.TB, dir string, opts fakegcp.Options) *fakegcp.Server {
	t.Helper()
	inv, err := snapshot.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, inv, opts)
}

// serve serves an inventory from a fake for the length of a test.
func serve(t testing.TB, inv *inventory.Inventory, opts fakegcp.Options) *fakegcp.Server {
	t.Helper()
	server, err := fakegcp.Start(inv, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(server.Close)
	return server
}

// loadLive loads the path of a service (every service of the region when it is "") live
// from a fake, started for the length of the test, that serves snapshot.
func loadLive(t testing.TB, snapshot *inventory.Inventory, opts fakegcp.Options, project, region, service string) (*inventory.Inventory, *fakegcp.Server) {
	t.Helper()
	server := serve(t, snapshot, opts)
	loaded, err := live.Load(context.Background(), liveOptions(server, project, region, service))
	if err != nil {
		t.Fatal(err)
	}
	return loaded, server
}

// liveOptions points Load at a fake, without retries and with a deadline, so error
// paths answer at once.
func liveOptions(server *fakegcp.Server, project, region, service string) live.Options {
	return live.Options{
		Project:        project,
		Region:         region,
		Service:        service,
		Endpoints:      server.Endpoints(),
		Timeout:        10 * time.Second,
		DisableRetries: true,
	}
}

// resources indexes an inventory by kind and canonical name, with Knative services under
// their resolved v2 names, so two loaders' results can be compared.
func resources(t testing.TB, inv *inventory.Inventory) map[string]proto.Message {
	t.Helper()
	out := map[string]proto.Message{}
	add := func(kind inventory.Kind, name string, m proto.Message) {
		key := string(kind) + " " + name
		if _, dup := out[key]; dup {
			t.Errorf("%s loaded twice", key)
		}
		out[key] = m
	}
	inv.Each(func(kind inventory.Kind, name string, m proto.Message) {
		if svc, ok := m.(*runpb.Service); ok {
			canonical, err := fakegcp.CanonicalService(inv, svc, "")
			if err != nil {
				t.Fatal(err)
			}
			name, m = canonical.GetName(), canonical
		}
		add(kind, name, m)
	})
	// Firewall policies by network; a snapshot entry that names no network applies to
	// every network, which live mode reads one by one.
	for _, n := range inv.Networks {
		ref, err := inventory.NetworkOf(n)
		if err != nil {
			t.Fatal(err)
		}
		policies, problem := inv.FirewallPoliciesOf(ref)
		if problem != nil {
			continue
		}
		for _, policy := range policies {
			add(inventory.KindFirewallPolicy, ref.String()+" "+policy.GetName(), policy)
		}
	}
	return out
}

// diffResources reports what differs between two inventories' resources.
func diffResources(t testing.TB, label string, want, got map[string]proto.Message) {
	t.Helper()
	var keys []string
	for k := range want {
		keys = append(keys, k)
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		w, inWant := want[k]
		g, inGot := got[k]
		switch {
		case !inWant:
			t.Errorf("%s: %s is extra", label, k)
		case !inGot:
			t.Errorf("%s: %s is missing", label, k)
		case !proto.Equal(w, g):
			t.Errorf("%s: %s differs:\nwant %v\n got %v", label, k, w, g)
		}
	}
}

func problemSet(inv *inventory.Inventory) []string {
	var out []string
	for _, p := range inv.Problems {
		out = append(out, fmt.Sprintf("%s %s %s %s %s", p.Kind, p.Name, p.Code, p.Permission, p.Role))
	}
	sort.Strings(out)
	return out
}

func TestLoadLiveMatchesSnapshot(t *testing.T) {
	server := startFake(t, shopDir, fakegcp.Options{DefaultPageSize: 1}) // every list pages
	want, err := snapshot.LoadDir(shopDir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := live.Load(context.Background(), liveOptions(server, "shop-prod", "europe-west1", ""))
	if err != nil {
		t.Fatal(err)
	}
	diffResources(t, "live vs snapshot", resources(t, want), resources(t, got))
	if p := problemSet(got); len(p) != 0 {
		t.Errorf("problems: %q", p)
	}
	calls := server.Calls()
	for _, method := range []string{fakegcp.GetConnector, fakegcp.GetInstance, fakegcp.GetService} {
		if calls[method] != 0 {
			t.Errorf("%s called %d times; the listings already had everything", method, calls[method])
		}
	}
	if calls[fakegcp.GetNetwork] != 1 || calls[fakegcp.GetRevision] != 3 {
		t.Errorf("calls = %v, want one network Get (shared) and three revision Gets", calls)
	}
}

func TestLoadLiveOneService(t *testing.T) {
	server := startFake(t, shopDir, fakegcp.Options{})
	got, err := live.Load(context.Background(), liveOptions(server, "shop-prod", "europe-west1", "cart"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Services) != 1 || inventory.ShortName(got.Services[0].GetName()) != "cart" {
		t.Fatalf("services = %v", got.Services)
	}
	paths, err := inventory.Select(got, inventory.Selector{Project: "shop-prod", Region: "europe-west1", Service: "cart"})
	if err != nil {
		t.Fatal(err)
	}
	if paths[0].Redis == nil || inventory.ShortName(paths[0].Redis.GetName()) != "sessions" {
		t.Fatalf("selected Redis %v (%v)", paths[0].Redis, paths[0].RedisProblem)
	}
	if _, problem := got.Connector(inventory.ConnectorRef{Project: "shop-prod", Region: "europe-west1", Name: "shop-connector"}); problem != nil {
		t.Errorf("connector: %v", problem)
	}
	calls := server.Calls()
	if calls[fakegcp.GetService] != 1 || calls[fakegcp.ListServices] != 0 || calls[fakegcp.GetRevision] != 1 {
		t.Errorf("calls = %v", calls)
	}
}

func TestLoadLiveUsageErrors(t *testing.T) {
	var selErr *inventory.SelectError
	if _, err := live.Load(context.Background(), live.Options{Region: "r"}); !errors.As(err, &selErr) || !strings.Contains(err.Error(), "--project") {
		t.Errorf("no project: err = %v", err)
	}
	if _, err := live.Load(context.Background(), live.Options{Project: "p"}); !errors.As(err, &selErr) || !strings.Contains(err.Error(), "--region") {
		t.Errorf("no region: err = %v", err)
	}
	var inputErr *inventory.InputError
	_, err := live.Load(context.Background(), live.Options{Project: "p", Region: "r", Endpoints: inventory.Endpoints{Redis: "ftp://x"}})
	if !errors.As(err, &inputErr) {
		t.Errorf("bad endpoint: err = %v", err)
	}
}

// TestLoadLiveSharedVPC: a connector on a Shared VPC host's subnet. Its network is known only
// once the host project's subnetworks are (the third round), and the findings match the
// snapshot's.
func TestLoadLiveSharedVPC(t *testing.T) {
	const dir = "../../internal/fakegcp/testdata/sharedvpc"
	server := startFake(t, dir, fakegcp.Options{})
	loaded, err := live.Load(context.Background(), liveOptions(server, "svc-proj", "us-east4", "api"))
	if err != nil {
		t.Fatal(err)
	}
	if p := problemSet(loaded); len(p) != 0 {
		t.Errorf("problems: %q", p)
	}
	snap, err := snapshot.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	diffResources(t, "live vs snapshot", resources(t, snap), resources(t, loaded))
	sel := inventory.Selector{Project: "svc-proj", Region: "us-east4", Service: "api"}
	if got, want := findingKeys(t, loaded, sel), findingKeys(t, snap, sel); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("findings differ\nsnapshot: %q\nlive:     %q", want, got)
	}
	calls := server.Calls()
	if calls[fakegcp.AggregatedListSubnetworks] != 1 || calls[fakegcp.GetNetwork] != 1 || calls[fakegcp.ListFirewalls] != 1 {
		t.Errorf("calls = %v; want the host project's subnetworks, network and firewalls once each", calls)
	}
}

// TestLoadLiveConnectorOverride: --connector names a connector in another region, which is
// read with a Get next to the region's listing.
func TestLoadLiveConnectorOverride(t *testing.T) {
	server := startFake(t, shopDir, fakegcp.Options{})
	opts := liveOptions(server, "shop-prod", "europe-west1", "cart")
	opts.Connector = "projects/shop-prod/locations/us-central1/connectors/elsewhere"
	loaded, err := live.Load(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	p := findProblem(loaded, inventory.KindConnector, opts.Connector)
	if p == nil || p.Code != inventory.NotFound {
		t.Errorf("override connector problem = %+v; problems %q", p, problemSet(loaded))
	}
	if server.Calls()[fakegcp.GetConnector] != 1 {
		t.Errorf("calls = %v", server.Calls())
	}
}
