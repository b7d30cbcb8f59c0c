package inventory_test

import (
	"context"
	"strings"
	"testing"

	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/vpcdoctor/vpcdoctor/internal/fakegcp"
	"github.com/vpcdoctor/vpcdoctor/inventory"
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
	live, err := inventory.LoadLive(context.Background(), liveOptions(server, "shop-prod", "europe-west1", ""))
	if err != nil {
		t.Fatal(err)
	}
	if len(live.Services) == 0 {
		t.Fatal("no service loaded")
	}
	for _, svc := range live.Services {
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

func TestRedactEnvValue(t *testing.T) {
	tests := []struct{ name, value, want string }{
		{"REDIS_HOST", "10.0.0.3", "10.0.0.3"},
		{"REDIS_PORT", "6379", "6379"},
		{"REDIS_PASSWORD", "hunter2", inventory.Redacted},
		{"redis_auth", "hunter2", inventory.Redacted},
		{"API_TOKEN", "abc", inventory.Redacted},
		{"SIGNING_KEY", "abc", inventory.Redacted},
		{"GOOGLE_CREDENTIALS", "{}", inventory.Redacted},
		{"APP_SECRET", "x", inventory.Redacted},
		{"REDIS_URL", "redis://:s3cret@10.0.0.3:6379/0", "redis://:%3Credacted%3E@10.0.0.3:6379/0"},
		{"REDIS_URL", "rediss://default:s3cret@10.0.0.3:6378", "rediss://default:%3Credacted%3E@10.0.0.3:6378"},
		{"REDIS_URL", "redis://10.0.0.3:6379", "redis://10.0.0.3:6379"},
		{"SECRET_URL", "https://vault.example.com/v1/x", inventory.Redacted},
		{"EMPTY_SECRET", "", ""},
		// The allow-list: only shapes that cannot hold a secret survive, whatever the name.
		{"REDIS_PASS", "hunter2", inventory.Redacted},
		{"DB_PWD", "hunter2", inventory.Redacted},
		{"OPAQUE", "hunter2", inventory.Redacted},
		{"MY_SETTING", "p#w/x", inventory.Redacted},
		{"REDIS_CONN", "10.0.0.3:6379,password=hunter2", inventory.Redacted},
		{"DATABASE_DSN", "postgres://app:hunter2@db:5432/app", inventory.Redacted},
		{"MYSQL_DSN", "app:hunter2@tcp(10.0.0.5:3306)/db", inventory.Redacted},
		{"CONFIG_JSON", `{"password":"hunter2"}`, inventory.Redacted},
		{"SESSION_URL", "redis://hunter2@10.0.0.3:6379", "redis://%3Credacted%3E@10.0.0.3:6379"},
		{"CACHE_URL", "redis://10.0.0.3:6379/2?password=hunter2#x", "redis://10.0.0.3:6379/2"},
		{"CACHE_URL", "redis://10.0.0.3:6379/%2e%2e", "redis://10.0.0.3:6379"},
		{"CACHE_URL", "redis://evil$(id):6379", inventory.Redacted},
		{"REDIS_HOST", "redis.internal.example.com", "redis.internal.example.com"},
		{"REDIS_HOST", "10.0.0.3:6379", "10.0.0.3:6379"},
		{"REDIS_HOST", "[fd00::3]:6379", "[fd00::3]:6379"},
		{"REDIS_TLS", "true", "true"},
		{"PORT", "99999", inventory.Redacted},
	}
	for _, tt := range tests {
		if got := inventory.RedactEnvValue(tt.name, tt.value); got != tt.want {
			t.Errorf("RedactEnvValue(%q, %q) = %q, want %q", tt.name, tt.value, got, tt.want)
		}
	}
}
