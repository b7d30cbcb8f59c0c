package checks_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/snapshot"
)

// writeLargeSnapshot writes a project-sized snapshot: 1,000 Cloud Run services, 200
// connectors, 10,000 subnets on 50 networks, firewall rules and Redis instances, in the
// formats gcloud prints (YAML lists and API JSON envelopes).
func writeLargeSnapshot(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	var services, connectors, redis, subnets strings.Builder
	regions := []string{"us-central1", "us-east1", "europe-west1", "asia-east1"}
	for i := 0; i < 1000; i++ {
		region := regions[i%len(regions)]
		fmt.Fprintf(&services, "---\nkind: Service\nmetadata:\n  name: svc-%d\n  namespace: 'big-project'\n  labels: {cloud.googleapis.com/location: %s}\nspec:\n  template:\n    metadata:\n      annotations:\n        run.googleapis.com/vpc-access-connector: conn-%d\n        run.googleapis.com/vpc-access-egress: private-ranges-only\n    spec:\n      containers:\n      - image: app\n        env:\n        - {name: REDIS_HOST, value: '10.%d.%d.3'}\n",
			i, region, i%200, 200+(i%50)/8, (i%50)%8*16)
	}
	connectors.WriteString(`{"connectors": [`)
	for i := 0; i < 200; i++ {
		if i > 0 {
			connectors.WriteString(",")
		}
		fmt.Fprintf(&connectors, `{"name": "projects/big-project/locations/%s/connectors/conn-%d", "network": "net-%d", "ipCidrRange": "10.250.%d.%d/28", "state": "READY", "minInstances": 2, "maxInstances": 3, "machineType": "e2-micro"}`,
			regions[i%len(regions)], i, i%50, i/16, (i%16)*16)
	}
	connectors.WriteString("]}\n")
	redis.WriteString(`{"instances": [`)
	for i := 0; i < 50; i++ {
		if i > 0 {
			redis.WriteString(",")
		}
		fmt.Fprintf(&redis, `{"name": "projects/big-project/locations/%s/instances/redis-%d", "host": "10.%d.%d.3", "port": 6379, "authorizedNetwork": "projects/big-project/global/networks/net-%d", "reservedIpRange": "10.%d.%d.0/29", "state": "READY"}`,
			regions[i%len(regions)], i, 200+i/8, i%8*16, i, 200+i/8, i%8*16)
	}
	redis.WriteString("]}\n")
	subnets.WriteString(`{"kind": "compute#subnetworkList", "items": [`)
	for i := 0; i < 10000; i++ {
		if i > 0 {
			subnets.WriteString(",")
		}
		region := regions[i%len(regions)]
		fmt.Fprintf(&subnets, `{"kind": "compute#subnetwork", "name": "sub-%d", "ipCidrRange": "10.%d.%d.0/24", "network": "https://www.googleapis.com/compute/v1/projects/big-project/global/networks/net-%d", "region": "https://www.googleapis.com/compute/v1/projects/big-project/regions/%s", "selfLink": "https://www.googleapis.com/compute/v1/projects/big-project/regions/%s/subnetworks/sub-%d", "secondaryIpRanges": [{"rangeName": "pods", "ipCidrRange": "172.%d.%d.0/24"}]}`,
			i, i/256, i%256, i%50, region, region, i, 16+i/4096%16, i/16%256)
	}
	subnets.WriteString("]}\n")
	for name, content := range map[string]string{
		"services.yaml": services.String(), "connectors.json": connectors.String(),
		"redis.json": redis.String(), "subnets.json": subnets.String(),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

// BenchmarkLargeSnapshotLoad measures reading the large snapshot from disk.
func BenchmarkLargeSnapshotLoad(b *testing.B) {
	dir := writeLargeSnapshot(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := snapshot.LoadDir(dir); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLargeSnapshotCheck measures choosing one path in the large snapshot and running
// the whole catalogue on it (indexes built on first use count toward the first iteration
// only, as in a real run they are built once).
func BenchmarkLargeSnapshotCheck(b *testing.B) {
	dir := writeLargeSnapshot(b)
	catalogue := checks.Catalogue()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		inv, err := snapshot.LoadDir(dir)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		paths, err := inventory.Select(inv, inventory.Selector{Service: "svc-7", Redis: "redis-7", Region: "asia-east1"})
		if err != nil {
			b.Fatal(err)
		}
		findings := checks.Run(catalogue, paths[0], nil)
		if len(findings) != len(catalogue) {
			b.Fatalf("%d findings", len(findings))
		}
	}
}

// BenchmarkLargeSnapshotEndToEnd is load + select + check: what `vpcdoctor check --from`
// does for one service in a large project.
func BenchmarkLargeSnapshotEndToEnd(b *testing.B) {
	dir := writeLargeSnapshot(b)
	catalogue := checks.Catalogue()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		inv, err := snapshot.LoadDir(dir)
		if err != nil {
			b.Fatal(err)
		}
		paths, err := inventory.Select(inv, inventory.Selector{Service: "svc-7", Redis: "redis-7", Region: "asia-east1"})
		if err != nil {
			b.Fatal(err)
		}
		checks.Run(catalogue, paths[0], nil)
	}
}
