package snapshot

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cloud.google.com/go/redis/apiv1/redispb"
	"cloud.google.com/go/run/apiv2/runpb"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// samplesDir is the shared folder of real payloads published outside the project; it sits
// beside the checkout in CI and is absent from a user's clone.
func samplesDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "samples")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared samples folder not found beside the checkout (%s); skipping the real-payload tests", dir)
	}
	return dir
}

func loadSample(t *testing.T, name string) (*inventory.Inventory, error) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(samplesDir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	inv := &inventory.Inventory{}
	return inv, AddFile(inv, name, data)
}

func TestSamples(t *testing.T) {
	type counts struct{ services, connectors, redis, networks, subnets, firewalls int }
	tests := []struct {
		file    string
		want    counts
		wantErr string // substring of the one-line error, when the file cannot be used
	}{
		{file: "firewall-1-effective.json", want: counts{firewalls: 6}},
		{file: "network-1-with-peerings.json", want: counts{networks: 1}},
		{file: "redis-3.yaml", want: counts{redis: 1}},
		{file: "redis-4.yaml", want: counts{redis: 1}},
		{file: "redis-8.yaml", want: counts{redis: 1}},
		{file: "run-service-1-alpfr-directvpc.yaml", want: counts{services: 1}},
		{file: "run-service-4-bad-connector-path.yaml", wantErr: "run-service-4-bad-connector-path.yaml:2: Cloud Run service has no metadata.name"},
		{file: "run-service-5-short-connector.yaml", want: counts{services: 1}},
		{file: "run-service-6-annotations-wrong-level.yaml", want: counts{services: 1}},
		{file: "run-service-8-no-apiversion-flowstyle.yaml", want: counts{services: 1}},
		{file: "run-service-v2-2.json", want: counts{services: 3}},
		{file: "subnets-1.yaml", want: counts{subnets: 1}},
		{file: "subnets-2.json", want: counts{subnets: 2}},
		{file: "subnets-4-aggregated.json", want: counts{subnets: 37}},
	}
	entries, err := os.ReadDir(samplesDir(t))
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{"README.md": true}
	for _, tt := range tests {
		covered[tt.file] = true
		t.Run(tt.file, func(t *testing.T) {
			inv, err := loadSample(t, tt.file)
			if tt.wantErr != "" {
				var inErr *inventory.InputError
				if !errors.As(err, &inErr) || !strings.Contains(err.Error(), tt.wantErr) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("error = %v, want one-line inventory.InputError containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			got := counts{len(inv.Services), len(inv.Connectors), len(inv.RedisInstances), len(inv.Networks), len(inv.Subnetworks), len(inv.Firewalls)}
			if got != tt.want {
				t.Fatalf("loaded %+v, want %+v", got, tt.want)
			}
		})
	}
	for _, e := range entries {
		if !covered[e.Name()] {
			t.Errorf("sample %s has no row in this test", e.Name())
		}
	}
}

func TestSampleValues(t *testing.T) {
	// RST-indented describe output keeps its values.
	inv, err := loadSample(t, "redis-3.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r := inv.RedisInstances[0]
	if r.GetHost() != "10.41.0.4" || r.GetConnectMode() != redispb.Instance_DIRECT_PEERING || r.GetTier() != redispb.Instance_STANDARD_HA || r.GetReservedIpRange() != "10.41.0.0/29" {
		t.Errorf("redis-3: %v", r)
	}
	net, _ := inventory.ParseNetwork(r.GetAuthorizedNetwork(), "")
	if net.String() != "projects/test-project/global/networks/vpcn-central" {
		t.Errorf("redis-3 network %s", net)
	}

	// Direct VPC through the network-interfaces annotation (a JSON string).
	inv, err = loadSample(t, "run-service-1-alpfr-directvpc.yaml")
	if err != nil {
		t.Fatal(err)
	}
	vpc := inv.Services[0].GetTemplate().GetVpcAccess()
	if len(vpc.GetNetworkInterfaces()) != 1 || vpc.GetNetworkInterfaces()[0].GetSubnetwork() != "YOUR_SUBNET" || vpc.GetEgress() != runpb.VpcAccess_PRIVATE_RANGES_ONLY {
		t.Errorf("direct VPC sample: %v", vpc)
	}

	// Annotations at the Service level are kept apart from the template's, which has none.
	inv, err = loadSample(t, "run-service-6-annotations-wrong-level.yaml")
	if err != nil {
		t.Fatal(err)
	}
	svc := inv.Services[0]
	if svc.GetTemplate().GetVpcAccess() != nil || svc.GetAnnotations()[inventory.AnnotationConnector] != "future-connector" {
		t.Errorf("wrong-level sample: template vpc %v, service annotations %v", svc.GetTemplate().GetVpcAccess(), svc.GetAnnotations())
	}
	if svc.GetTemplate().GetScaling().GetMaxInstanceCount() != 1000 {
		t.Errorf("maxScale not read: %v", svc.GetTemplate().GetScaling())
	}

	// Flow style without apiVersion; secret env refs.
	inv, err = loadSample(t, "run-service-8-no-apiversion-flowstyle.yaml")
	if err != nil {
		t.Fatal(err)
	}
	env := inventory.ServiceEnv(inv.Services[0])
	if len(env) != 2 || !env[0].Secret || env[0].SecretRef != "database-url-dev:latest" {
		t.Errorf("flow-style env: %+v", env)
	}
	if inv.Services[0].GetTemplate().GetVpcAccess().GetConnector() != "erp-vpc-connector" {
		t.Errorf("flow-style connector: %v", inv.Services[0].GetTemplate().GetVpcAccess())
	}

	// The aggregated list spreads subnetworks over regions; the index finds them by network.
	inv, err = loadSample(t, "subnets-4-aggregated.json")
	if err != nil {
		t.Fatal(err)
	}
	subnets, problem := inv.SubnetsOf(inventory.NetworkRef{Project: "gcpdiag-gke1-aaaa", Name: "default"})
	if problem != nil || len(subnets) < 30 {
		t.Errorf("SubnetsOf(default) = %d subnets, %v", len(subnets), problem)
	}
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadDirBadInput(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string // substrings of the one-line error
	}{
		{"unparseable YAML", map[string]string{"redis.yaml": "name: projects/p/locations/r/instances/i\nhost: [unclosed\n"}, []string{"redis.yaml:", "not valid YAML or JSON"}},
		{"unrecognised file", map[string]string{"notes.yaml": "hello: world\n"}, []string{"notes.yaml", "not a recognisable Google Cloud resource"}},
		{"unknown compute kind", map[string]string{"route.yaml": "kind: compute#route\nname: r\n"}, []string{"route.yaml", `unrecognised resource kind "compute#route"`}},
		{"plain value", map[string]string{"x.json": "42\n"}, []string{"x.json", "expected a mapping or a list"}},
		{"wrong field type", map[string]string{"redis.json": `{"name": "projects/p/locations/r/instances/i", "port": "not-a-number"}`}, []string{"redis.json", "not a valid redis"}},
		{"empty file", map[string]string{"empty.yaml": "# nothing here\n"}, []string{"empty.yaml", "file is empty"}},
		{"empty directory", map[string]string{}, []string{"holds no files"}},
		{"bad egress annotation", map[string]string{"svc.yaml": "kind: Service\nmetadata: {name: s}\nspec:\n  template:\n    metadata:\n      annotations:\n        run.googleapis.com/vpc-access-egress: sometimes\n"}, []string{"svc.yaml", "vpc-access-egress", `"sometimes"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, tt.files)
			_, err := LoadDir(dir)
			var inErr *inventory.InputError
			if !errors.As(err, &inErr) {
				t.Fatalf("err = %v, want inventory.InputError", err)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error is not one line: %q", msg)
			}
			for _, want := range tt.want {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not contain %q", msg, want)
				}
			}
		})
	}
	if _, err := LoadDir(filepath.Join(t.TempDir(), "absent")); err == nil || !strings.Contains(err.Error(), "no such file or directory") {
		t.Errorf("missing dir: %v", err)
	}
}

func TestParseErrorNamesLine(t *testing.T) {
	dir := writeFiles(t, map[string]string{"bad.yaml": "a: 1\nb: 2\nc: [\n"})
	_, err := LoadDir(dir)
	var inErr *inventory.InputError
	if !errors.As(err, &inErr) || inErr.Line == 0 {
		t.Fatalf("want an error with a line number, got %v", err)
	}
}

func TestLoadDirFormsAndEnvelopes(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		// JSON array of connectors as `gcloud ... list --format json` prints.
		"connectors.json": `[{"name": "projects/p/locations/us-central1/connectors/a", "network": "default", "ipCidrRange": "10.8.0.0/28", "state": "READY", "someNewField": {"x": 1}}]`,
		// Multi-document YAML list, with a trailing separator.
		"sub/firewalls.yaml": "---\nkind: compute#firewall\nname: f1\nnetwork: default\nselfLink: https://www.googleapis.com/compute/v1/projects/p/global/firewalls/f1\n---\n",
		// API list envelope with an unknown enum value in a field we do not read.
		"redis.json":   `{"instances": [{"name": "projects/p/locations/us-central1/instances/r", "host": "10.0.0.3", "tier": "STANDARD_HA", "state": "READY"}], "unreachable": []}`,
		"README.md":    "notes about this snapshot",
		"cluster.yaml": "name: projects/p/locations/us-central1/clusters/big\ndiscoveryEndpoints:\n- {address: 10.1.0.3, port: 6379}\n",
		".hidden.yml":  "garbage: [",
	})
	inv, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Connectors) != 1 || len(inv.Firewalls) != 1 || len(inv.RedisInstances) != 1 {
		t.Fatalf("loaded %d connectors, %d firewalls, %d redis", len(inv.Connectors), len(inv.Firewalls), len(inv.RedisInstances))
	}
	if c := inv.RedisCluster("p", "us-central1", "big"); c == nil || c.GetDiscoveryEndpoints()[0].GetAddress() != "10.1.0.3" {
		t.Errorf("redis cluster not loaded: %v", c)
	}
	if _, p := inv.Connector(inventory.ConnectorRef{Project: "p", Region: "us-central1", Name: "a"}); p != nil {
		t.Errorf("connector lookup: %v", p)
	}
	if _, p := inv.Connector(inventory.ConnectorRef{Project: "p", Region: "us-central1", Name: "b"}); p == nil || p.Code != inventory.NotFound {
		t.Errorf("absent connector from a listing must be inventory.NotFound, got %v", p)
	}
	if _, p := inv.SubnetsOf(inventory.NetworkRef{Project: "p", Name: "default"}); p == nil || p.Code != inventory.NotLoaded {
		t.Errorf("subnets never loaded must be inventory.NotLoaded, got %v", p)
	}
	if inv.Sources["projects/p/locations/us-central1/connectors/a"] != filepath.Join(dir, "connectors.json") {
		t.Errorf("sources: %v", inv.Sources)
	}
}

// TestLoadPeeringRanges: global addresses load from a compute#addressList and from a
// single described address; PeeringRangesOf keeps the VPC_PEERING ranges of one network,
// and a snapshot without addresses has none, without a problem (they are optional).
func TestLoadPeeringRanges(t *testing.T) {
	const self = "https://www.googleapis.com/compute/v1/projects/p/global/addresses/"
	dir := writeFiles(t, map[string]string{
		"addresses.json": `{"kind": "compute#addressList", "items": [
			{"kind": "compute#address", "name": "psa", "address": "10.60.0.0", "prefixLength": 16, "purpose": "VPC_PEERING", "addressType": "INTERNAL",
			 "network": "https://www.googleapis.com/compute/v1/projects/p/global/networks/default", "selfLink": "` + self + `psa"},
			{"kind": "compute#address", "name": "lb", "address": "34.1.2.3", "purpose": "GCE_ENDPOINT", "addressType": "EXTERNAL", "selfLink": "` + self + `lb"}]}`,
		"other.yaml": "kind: compute#address\nname: psa-prod\naddress: 10.70.0.0\nprefixLength: 20\npurpose: VPC_PEERING\naddressType: INTERNAL\n" +
			"network: https://www.googleapis.com/compute/v1/projects/p/global/networks/prod\nselfLink: " + self + "psa-prod\n",
	})
	inv, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Addresses) != 3 || !inv.Listed[inventory.KindAddress] {
		t.Fatalf("loaded %d addresses, listed %v", len(inv.Addresses), inv.Listed[inventory.KindAddress])
	}
	got, p := inv.PeeringRangesOf(inventory.NetworkRef{Project: "p", Name: "default"})
	if p != nil || len(got) != 1 || got[0].GetName() != "psa" || got[0].GetPrefixLength() != 16 {
		t.Errorf("PeeringRangesOf(default) = %v, %v; want psa only", got, p)
	}
	got, p = (&inventory.Inventory{}).PeeringRangesOf(inventory.NetworkRef{Project: "p", Name: "default"})
	if p != nil || len(got) != 0 {
		t.Errorf("without addresses: %v, %v; want none and no problem", got, p)
	}
}

// TestSnapshotRouters: Cloud Routers load from what gcloud prints (one router, a list) and
// from the API's list and aggregated list answers; an empty listing still says the
// project's routers were read, so RoutersOf reports none rather than "not loaded".
func TestSnapshotRouters(t *testing.T) {
	const router = `{"kind": "compute#router", "name": "nat-router",
	  "network": "https://www.googleapis.com/compute/v1/projects/p/global/networks/default",
	  "region": "https://www.googleapis.com/compute/v1/projects/p/regions/us-central1",
	  "selfLink": "https://www.googleapis.com/compute/v1/projects/p/regions/us-central1/routers/nat-router",
	  "nats": [{"name": "nat", "sourceSubnetworkIpRangesToNat": "ALL_SUBNETWORKS_ALL_IP_RANGES"}]}`
	net := inventory.NetworkRef{Project: "p", Name: "default"}
	for name, content := range map[string]string{
		"describe":   router,
		"list":       `{"kind": "compute#routerList", "items": [` + router + `]}`,
		"aggregated": `{"kind": "compute#routerAggregatedList", "items": {"regions/us-central1": {"routers": [` + router + `]}, "regions/europe-west1": {"warning": {"code": "NO_RESULTS_ON_PAGE"}}}}`,
		"empty":      `{"kind": "compute#routerList", "id": "projects/p/regions/us-central1/routers"}`,
	} {
		inv := &inventory.Inventory{}
		if err := AddFile(inv, name+".json", []byte(content)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		routers, problem := inv.RoutersOf(net)
		want := 1
		if name == "empty" {
			want = 0
		}
		if problem != nil || len(routers) != want {
			t.Errorf("%s: %d routers, problem %v; want %d, none", name, len(routers), problem, want)
		}
	}
	if _, problem := (&inventory.Inventory{}).RoutersOf(net); problem == nil || problem.Code != inventory.NotLoaded {
		t.Errorf("no router file: problem %v, want not-loaded", problem)
	}
}
