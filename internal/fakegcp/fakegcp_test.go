package fakegcp_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	redis "cloud.google.com/go/redis/apiv1"
	"cloud.google.com/go/redis/apiv1/redispb"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/vpcdoctor/vpcdoctor/internal/fakegcp"
)

func start(t *testing.T) *fakegcp.Server {
	t.Helper()
	server, err := fakegcp.StartDir("testdata/shop", fakegcp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(server.Close)
	return server
}

func getJSON(t *testing.T, url string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("GET %s: body is not JSON: %v", url, err)
	}
	return resp.StatusCode, body
}

func TestComputePagingAndErrors(t *testing.T) {
	server := start(t)
	base := server.ComputeURL() + "/compute/v1/projects/shop-prod"

	code, body := getJSON(t, base+"/global/firewalls?maxResults=1")
	if code != http.StatusOK || body["kind"] != "compute#firewallList" || body["nextPageToken"] != "1" {
		t.Fatalf("first page: %d %v", code, body)
	}
	code, body = getJSON(t, base+"/global/firewalls?maxResults=1&pageToken=1")
	if items, _ := body["items"].([]any); code != http.StatusOK || len(items) != 1 || body["nextPageToken"] != nil {
		t.Fatalf("last page: %d %v", code, body)
	}
	if code, _ = getJSON(t, base+"/global/firewalls?pageToken=bogus"); code != http.StatusBadRequest {
		t.Errorf("bogus page token: status %d, want 400", code)
	}
	code, body = getJSON(t, base+"/aggregated/subnetworks")
	if items, _ := body["items"].(map[string]any); code != http.StatusOK || len(items) != 2 {
		t.Errorf("aggregated list: %d %v", code, body)
	}
	if code, _ = getJSON(t, base+"/global/networks/nope"); code != http.StatusNotFound {
		t.Errorf("missing network: status %d", code)
	}

	for _, status := range []int{403, 404, 429, 503} {
		server.SetFault(fakegcp.GetNetwork, fakegcp.Fault{Status: status})
		code, body = getJSON(t, base+"/global/networks/shop-vpc")
		errBody, _ := body["error"].(map[string]any)
		if code != status || errBody == nil || int(errBody["code"].(float64)) != status || errBody["message"] == "" {
			t.Errorf("fault %d: got %d %v", status, code, body)
		}
	}
	server.ClearFaults()
	if code, _ = getJSON(t, base+"/global/networks/shop-vpc"); code != http.StatusOK {
		t.Errorf("after ClearFaults: status %d", code)
	}
	if calls := server.Calls(); calls[fakegcp.GetNetwork] != 6 || calls[fakegcp.ListFirewalls] != 3 {
		t.Errorf("calls = %v", calls)
	}
}

func TestEnvNamesEveryOverride(t *testing.T) {
	server := start(t)
	env := strings.Join(server.Env(), "\n")
	for _, api := range []string{"RUN", "VPCACCESS", "REDIS", "COMPUTE"} {
		if !strings.Contains(env, "CLOUDSDK_API_ENDPOINT_OVERRIDES_"+api+"=http://127.0.0.1:") {
			t.Errorf("Env() lacks the %s override:\n%s", api, env)
		}
	}
}

// TestGRPCWithRealClient drives the gRPC fake with the real Memorystore client, and checks
// the AUTH string guard.
func TestGRPCWithRealClient(t *testing.T) {
	server := start(t)
	ctx := context.Background()
	client, err := redis.NewCloudRedisClient(ctx,
		option.WithEndpoint(server.GRPCAddr()),
		option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	inst, err := client.GetInstance(ctx, &redispb.GetInstanceRequest{Name: "projects/shop-prod/locations/europe-west1/instances/sessions"})
	if err != nil || inst.GetHost() != "10.20.0.3" {
		t.Fatalf("GetInstance = %v, %v", inst, err)
	}
	_, err = client.GetInstanceAuthString(ctx, &redispb.GetInstanceAuthStringRequest{Name: inst.GetName()})
	if status.Code(err) != codes.PermissionDenied {
		t.Errorf("GetInstanceAuthString: %v, want PermissionDenied", err)
	}
	server.SetFault(fakegcp.GetInstance, fakegcp.Fault{Status: 404})
	if _, err := client.GetInstance(ctx, &redispb.GetInstanceRequest{Name: inst.GetName()}); status.Code(err) != codes.NotFound {
		t.Errorf("injected 404: %v", err)
	}
}
