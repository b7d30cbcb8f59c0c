package live_test

import (
	"context"
	"strings"
	"testing"

	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/vpcdoctor/vpcdoctor/internal/fakegcp"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/live"
	"github.com/vpcdoctor/vpcdoctor/inventory/snapshot"
)

// TestLiveLoadKeepsNoSecret: secrets the Cloud Run API returns (plain env values,
// container arguments, free-text annotations) are gone from the inventory LoadLive builds.
func TestLiveLoadKeepsNoSecret(t *testing.T) {
	inv, err := snapshot.LoadDir(shopDir)
	if err != nil {
		t.Fatal(err)
	}
	// The loader scrubbed the files; plant the secrets afterwards, so the API serves them.
	for _, svc := range inv.Services {
		c := svc.GetTemplate().GetContainers()[0]
		c.Env = append(c.Env,
			&runpb.EnvVar{Name: "OPAQUE", Values: &runpb.EnvVar_Value{Value: "CANARY-live-1"}},
			&runpb.EnvVar{Name: "CACHE_URL", Values: &runpb.EnvVar_Value{Value: "redis://:CANARY-live-2@10.20.0.3:6379"}})
		c.Args = append(c.Args, "--password=CANARY-live-3")
		if svc.Annotations == nil {
			svc.Annotations = map[string]string{}
		}
		svc.Annotations["example.com/token"] = "CANARY-live-4"
	}
	server, err := fakegcp.Start(inv, fakegcp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(server.Close)
	loaded, err := live.Load(context.Background(), liveOptions(server, "shop-prod", "europe-west1", ""))
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded.Services) == 0 {
		t.Fatal("no service loaded")
	}
	for _, svc := range loaded.Services {
		if dump := protojson.Format(svc); strings.Contains(dump, "CANARY") {
			t.Errorf("live inventory keeps a secret:\n%s", dump)
		}
		// What the checks read survives: the URL still says it carries a password.
		for _, e := range inventory.ServiceEnv(svc) {
			if e.Name == "CACHE_URL" {
				if ep, ok := inventory.ParseEnvEndpoint(e.Value); !ok || !ep.Password || ep.Host != "10.20.0.3" {
					t.Errorf("CACHE_URL kept as %q: lost its host or its password marker", e.Value)
				}
			}
		}
	}
}
