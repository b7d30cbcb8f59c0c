package fakegcp_test

import (
	"context"
	"errors"
	"testing"

	cluster "cloud.google.com/go/redis/cluster/apiv1"
	clusterpb "cloud.google.com/go/redis/cluster/apiv1/clusterpb"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/vpcdoctor/vpcdoctor/internal/fakegcp"
	"github.com/vpcdoctor/vpcdoctor/inventory"
)

func clusterClient(t *testing.T, server *fakegcp.Server) *cluster.CloudRedisClusterClient {
	t.Helper()
	client, err := cluster.NewCloudRedisClusterClient(context.Background(),
		option.WithEndpoint(server.GRPCAddr()),
		option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Close() })
	return client
}

func listClusters(ctx context.Context, client *cluster.CloudRedisClusterClient, parent string) ([]string, error) {
	it := client.ListClusters(ctx, &clusterpb.ListClustersRequest{Parent: parent})
	var names []string
	for {
		c, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return names, nil
		}
		if err != nil {
			return names, err
		}
		names = append(names, c.GetName())
	}
}

// TestRedisClusterWithRealClient serves Memorystore for Redis Cluster Get and List (paged)
// to the real cluster client, with NotFound, injected faults, and PermissionDenied for a
// snapshot that holds no cluster.
func TestRedisClusterWithRealClient(t *testing.T) {
	inv := &inventory.Inventory{}
	for _, name := range []string{
		"projects/p/locations/us-central1/clusters/a",
		"projects/p/locations/us-central1/clusters/b",
		"projects/p/locations/europe-west1/clusters/c",
	} {
		inv.RedisClusters = append(inv.RedisClusters, &clusterpb.Cluster{
			Name:               name,
			DiscoveryEndpoints: []*clusterpb.DiscoveryEndpoint{{Address: "10.0.0.3", Port: 6379}},
		})
	}
	inv.MarkListed(inventory.KindRedisCluster)
	server, err := fakegcp.Start(inv, fakegcp.Options{DefaultPageSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	client := clusterClient(t, server)
	ctx := context.Background()

	c, err := client.GetCluster(ctx, &clusterpb.GetClusterRequest{Name: "projects/p/locations/us-central1/clusters/a"})
	if err != nil || c.GetDiscoveryEndpoints()[0].GetAddress() != "10.0.0.3" {
		t.Fatalf("GetCluster = %v, %v", c, err)
	}
	if _, err := client.GetCluster(ctx, &clusterpb.GetClusterRequest{Name: "projects/p/locations/us-central1/clusters/nope"}); status.Code(err) != codes.NotFound {
		t.Errorf("missing cluster: %v, want NotFound", err)
	}
	names, err := listClusters(ctx, client, "projects/p/locations/us-central1")
	if err != nil || len(names) != 2 {
		t.Errorf("ListClusters us-central1 = %v, %v", names, err)
	}
	if calls := server.Calls()[fakegcp.ListClusters]; calls != 2 {
		t.Errorf("ListClusters pages = %d, want 2 (page size 1)", calls)
	}
	if names, err := listClusters(ctx, client, "projects/p/locations/-"); err != nil || len(names) != 3 {
		t.Errorf("ListClusters - = %v, %v", names, err)
	}
	server.SetFault(fakegcp.GetCluster, fakegcp.Fault{Status: 501})
	if _, err := client.GetCluster(ctx, &clusterpb.GetClusterRequest{Name: "projects/p/locations/us-central1/clusters/a"}); status.Code(err) != codes.Unimplemented {
		t.Errorf("injected 501: %v, want Unimplemented", err)
	}

	empty, err := fakegcp.Start(&inventory.Inventory{}, fakegcp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	if _, err := listClusters(ctx, clusterClient(t, empty), "projects/p/locations/us-central1"); status.Code(err) != codes.PermissionDenied {
		t.Errorf("snapshot without clusters: %v, want PermissionDenied", err)
	}
}
