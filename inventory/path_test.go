package inventory_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/snapshot"
)

const redisA = "name: projects/p/locations/us-central1/instances/cache-a\nhost: 10.0.0.3\nauthorizedNetwork: projects/p/global/networks/default\n"
const redisB = "name: projects/p/locations/us-central1/instances/cache-b\nhost: 10.0.1.3\nreadEndpoint: 10.0.1.4\nauthorizedNetwork: projects/p/global/networks/default\n"

func knativeService(name, env string) string {
	return "kind: Service\nmetadata:\n  name: " + name + "\n  namespace: '1234'\n  labels: {cloud.googleapis.com/location: us-central1}\nspec:\n  template:\n    spec:\n      containers:\n      - image: x\n        env:\n        - {name: REDIS_HOST, value: '" + env + "'}\n"
}

func TestSelect(t *testing.T) {
	tests := []struct {
		name      string
		files     map[string]string
		sel       inventory.Selector
		wantRedis string
		wantProj  string
		wantErr   string
	}{
		{name: "one of each", files: map[string]string{"s.yaml": knativeService("svc", "10.9.9.9"), "r.yaml": redisA}, wantRedis: "cache-a", wantProj: "p"},
		{name: "env picks redis", files: map[string]string{"s.yaml": knativeService("svc", "10.0.1.3"), "a.yaml": redisA, "b.yaml": redisB}, wantRedis: "cache-b"},
		{name: "env picks redis by read endpoint", files: map[string]string{"s.yaml": knativeService("svc", "10.0.1.4"), "a.yaml": redisA, "b.yaml": redisB}, wantRedis: "cache-b"},
		{name: "redis URL picks redis", files: map[string]string{"s.yaml": knativeService("svc", "redis://10.0.0.3:6379/0"), "a.yaml": redisA, "b.yaml": redisB}, wantRedis: "cache-a"},
		{name: "flag picks redis", files: map[string]string{"s.yaml": knativeService("svc", "none"), "a.yaml": redisA, "b.yaml": redisB}, sel: inventory.Selector{Redis: "cache-b"}, wantRedis: "cache-b"},
		{name: "ambiguous redis", files: map[string]string{"s.yaml": knativeService("svc", "none"), "a.yaml": redisA, "b.yaml": redisB, "c.yaml": strings.ReplaceAll(redisA, "us-central1/instances/cache-a", "us-central1/instances/cache-c")},
			wantErr: "choose one with --redis: projects/p/locations/us-central1/instances/cache-a, projects/p/locations/us-central1/instances/cache-b, projects/p/locations/us-central1/instances/cache-c"},
		{name: "ambiguous service", files: map[string]string{"s1.yaml": knativeService("one", "x"), "s2.yaml": knativeService("two", "x"), "r.yaml": redisA},
			wantErr: "choose one with --service: projects/1234/locations/us-central1/services/one, projects/1234/locations/us-central1/services/two"},
		{name: "service flag", files: map[string]string{"s1.yaml": knativeService("one", "x"), "s2.yaml": knativeService("two", "x"), "r.yaml": redisA}, sel: inventory.Selector{Service: "two"}, wantRedis: "cache-a"},
		{name: "unknown service", files: map[string]string{"s1.yaml": knativeService("one", "x"), "r.yaml": redisA}, sel: inventory.Selector{Service: "three"}, wantErr: "--service three: no such service; candidates: projects/1234/locations/us-central1/services/one"},
		{name: "undeployed service needs region", files: map[string]string{"s.yaml": "kind: Service\nmetadata: {name: svc}\nspec: {template: {spec: {containers: [{image: x}]}}}\n", "r.yaml": redisA},
			wantErr: "carries no region, as a service.yaml that was never deployed; pass --region"},
		{name: "undeployed service with region", files: map[string]string{"s.yaml": "kind: Service\nmetadata: {name: svc}\nspec: {template: {spec: {containers: [{image: x}]}}}\n", "r.yaml": redisA},
			sel: inventory.Selector{Region: "us-central1"}, wantRedis: "cache-a", wantProj: "p"},
		{name: "project flag wins", files: map[string]string{"s.yaml": knativeService("svc", "x"), "r.yaml": redisA}, sel: inventory.Selector{Project: "other"}, wantProj: "other"},
		{name: "no service", files: map[string]string{"r.yaml": redisA}, wantErr: "no Cloud Run service found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := fstest.MapFS{}
			for name, data := range tt.files {
				files[name] = &fstest.MapFile{Data: []byte(data)}
			}
			inv, err := snapshot.LoadFS(files, "snap")
			if err != nil {
				t.Fatal(err)
			}
			paths, err := inventory.Select(inv, tt.sel)
			if tt.wantErr != "" {
				var selErr *inventory.SelectError
				if !errors.As(err, &selErr) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want inventory.SelectError containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(paths) != 1 {
				t.Fatalf("%d paths", len(paths))
			}
			if tt.wantRedis != "" && paths[0].RedisRef.Name != tt.wantRedis {
				t.Errorf("redis %q, want %q", paths[0].RedisRef.Name, tt.wantRedis)
			}
			if tt.wantProj != "" && paths[0].Project() != tt.wantProj {
				t.Errorf("project %q, want %q", paths[0].Project(), tt.wantProj)
			}
		})
	}
}
