package terraform_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// TestPlanRedisFromEnvReference: the connector-network snapshot has several Redis
// instances and new-redis.json adds one whose host is known only after apply; the env
// value's configuration reference chooses it, and an env that references two instances
// chooses none.
func TestPlanRedisFromEnvReference(t *testing.T) {
	inv := applyPlanTo(t, "connector-network", "new-redis.json")
	if len(inv.RedisInstances) < 2 {
		t.Fatalf("%d Redis instances; the test needs several", len(inv.RedisInstances))
	}
	service := "projects/my-project/locations/us-central1/services/cache-service"
	sessions := "projects/my-project/locations/us-central1/instances/sessions"
	if got := inv.PlannedEnvRedis(service); got != sessions {
		t.Errorf("PlannedEnvRedis = %q, want %q", got, sessions)
	}
	if got := inv.PlannedEnvVarRedis(service, "REDIS_HOST"); got != sessions {
		t.Errorf("PlannedEnvVarRedis(REDIS_HOST) = %q, want %q", got, sessions)
	}
	paths, err := inventory.Select(inv, inventory.Selector{})
	if err != nil || len(paths) != 1 {
		t.Fatalf("select: %v (%d paths)", err, len(paths))
	}
	if paths[0].RedisRef.String() != sessions || paths[0].Redis == nil {
		t.Errorf("chose %s (%v), want %s", paths[0].RedisRef, paths[0].RedisProblem, sessions)
	}

	// REDIS_PORT taken from another instance of the plan: two candidates, no guess.
	raw, err := os.ReadFile(filepath.Join("testdata", "plans", "new-redis.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	decodeJSON(t, raw, &doc)
	if !addSecondRedisReference(doc) {
		t.Fatal("new-redis.json changed shape: cannot add a second Redis reference")
	}
	data := encodeJSON(t, doc)
	two := applyData(t, "connector-network", data)
	if got := two.PlannedEnvRedis(service); got != "" {
		t.Errorf("env references two instances, PlannedEnvRedis = %q, want none", got)
	}
	if _, err := inventory.Select(two, inventory.Selector{}); err == nil || !strings.Contains(err.Error(), "--redis") {
		t.Errorf("env references two instances: select error %v, want one asking for --redis", err)
	}
}

// addSecondRedisReference makes REDIS_PORT of new-redis.json's service unknown and
// configured from google_redis_instance.other, a second instance the plan creates.
func addSecondRedisReference(doc map[string]any) bool {
	changes, _ := doc["resource_changes"].([]any)
	var other map[string]any
	for _, c := range changes {
		rc := c.(map[string]any)
		if rc["type"] == "google_redis_instance" {
			raw, _ := json.Marshal(rc)
			_ = json.Unmarshal(raw, &other)
		}
	}
	if other == nil {
		return false
	}
	other["address"], other["name"] = "google_redis_instance.other", "other"
	change := other["change"].(map[string]any)
	change["after"].(map[string]any)["name"] = "other"
	doc["resource_changes"] = append(changes, other)
	config, _ := doc["configuration"].(map[string]any)
	root, _ := config["root_module"].(map[string]any)
	resources, _ := root["resources"].([]any)
	done := false
	for _, r := range resources {
		res := r.(map[string]any)
		if res["type"] != "google_cloud_run_v2_service" {
			continue
		}
		env := dig(res, "expressions", "template", 0, "containers", 0, "env")
		for _, e := range asList(env) {
			entry := e.(map[string]any)
			if name, _ := entry["name"].(map[string]any); name["constant_value"] == "REDIS_PORT" {
				entry["value"] = map[string]any{"references": []any{"google_redis_instance.other.port", "google_redis_instance.other"}}
				done = true
			}
		}
	}
	for _, c := range changes {
		rc := c.(map[string]any)
		if rc["type"] != "google_cloud_run_v2_service" {
			continue
		}
		change := rc["change"].(map[string]any)
		for i, e := range asList(dig(change, "after", "template", 0, "containers", 0, "env")) {
			entry := e.(map[string]any)
			if entry["name"] != "REDIS_PORT" {
				continue
			}
			delete(entry, "value")
			unknownEnv := asList(dig(change, "after_unknown", "template", 0, "containers", 0, "env"))
			if i < len(unknownEnv) {
				if m, ok := unknownEnv[i].(map[string]any); ok {
					m["value"] = true
				}
			}
		}
	}
	return done
}

// dig walks maps (string keys) and lists (int indexes); nil when the path is absent.
func dig(v any, path ...any) any {
	for _, step := range path {
		switch s := step.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[s]
		case int:
			l, _ := v.([]any)
			if s >= len(l) {
				return nil
			}
			v = l[s]
		}
	}
	return v
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// TestPlanEnvGapsPerVariable: a plan's gap in one environment variable skips only the
// checks that read that variable; a gap in the list itself skips them all.
func TestPlanEnvGapsPerVariable(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "plans", "new-redis.json"))
	if err != nil {
		t.Fatal(err)
	}
	world := loadScenario(t, "connector-network")
	sel := inventory.Selector{Redis: "sessions"}
	// A variable of the plan: its planned value and its after_unknown and after_sensitive
	// markers, kept together so that removing one keeps the three lists aligned.
	type envVar struct{ after, unknown, sensitive any }
	drop := func(vars []envVar, i int) []envVar { return append(vars[:i:i], vars[i+1:]...) }
	tests := []struct {
		name   string
		mutate func(vars []envVar) []envVar // nil result: the list itself is unknown
		want   map[string]checks.Status
	}{
		{"as planned", func(vars []envVar) []envVar { return vars }, map[string]checks.Status{
			"run.redis-host": afterApply, "run.redis-auth": checks.Pass, "redis.tls": afterApply}},
		// No secret, and REDIS_PASSWORD a plain value: the warning survives REDIS_HOST's gap.
		{"plain password", func(vars []envVar) []envVar {
			vars[3].sensitive = map[string]any{}
			return drop(vars, 2)
		}, map[string]checks.Status{"run.redis-host": afterApply, "run.redis-auth": checks.Warn, "redis.tls": afterApply}},
		// No AUTH variable but REDIS_PASSWORD, hidden: "no AUTH string" would be a guess.
		{"only a sensitive password", func(vars []envVar) []envVar {
			vars = drop(vars, 2)
			vars[2].after.(map[string]any)["value"] = ""
			return vars
		}, map[string]checks.Status{"run.redis-auth": afterApply}},
		// A known REDIS_HOST, and an unknown variable no check reads.
		{"unrelated unknown", func(vars []envVar) []envVar {
			vars[0].after.(map[string]any)["value"] = "10.0.0.3"
			vars[0].unknown = map[string]any{"value_source": []any{}}
			return append(vars, envVar{map[string]any{"name": "BUILD_ID", "value": nil, "value_source": []any{}}, map[string]any{"value": true}, map[string]any{}})
		}, map[string]checks.Status{"run.redis-auth": checks.Pass, "redis.tls": checks.Pass}},
		// The env list itself is known only after apply: any variable may be anything.
		{"unknown list", func(vars []envVar) []envVar { return nil }, map[string]checks.Status{
			"run.redis-host": afterApply, "run.redis-auth": afterApply, "redis.tls": afterApply}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, changes := serviceChanges(t, raw, "new-redis.json")
			for _, change := range changes {
				containers := [3]map[string]any{}
				for i, key := range []string{"after", "after_unknown", "after_sensitive"} {
					containers[i], _ = dig(change, key, "template", 0, "containers", 0).(map[string]any)
					if containers[i] == nil {
						t.Fatalf("new-redis.json changed shape: no %s container", key)
					}
				}
				after := asList(containers[0]["env"])
				vars := make([]envVar, len(after))
				for i := range after {
					vars[i] = envVar{after[i], dig(containers[1]["env"], i), dig(containers[2]["env"], i)}
				}
				vars = tt.mutate(vars)
				if vars == nil {
					containers[0]["env"], containers[1]["env"], containers[2]["env"] = nil, true, map[string]any{}
				} else {
					lists := [3][]any{}
					for _, v := range vars {
						lists[0], lists[1], lists[2] = append(lists[0], v.after), append(lists[1], v.unknown), append(lists[2], v.sensitive)
					}
					containers[0]["env"], containers[1]["env"], containers[2]["env"] = lists[0], lists[1], lists[2]
				}
			}
			data := encodeJSON(t, doc)
			got := planStatuses(t, world, data, sel)
			for id, want := range tt.want {
				if want == afterApply {
					want = checks.Skip
				}
				if got[id] != want {
					t.Errorf("%s: %s, want %s", id, got[id], want)
				}
			}
		})
	}
}

// TestPlanSensitiveEnvListIsJudged: Terraform marks a service's whole env list sensitive
// when one value in it is. The values are in the plan all the same: a plain AUTH string
// must be caught (run.redis-auth warns), the endpoint judged (run.redis-host passes), and
// neither the AUTH string nor a URL's password may appear in any finding.
func TestPlanSensitiveEnvListIsJudged(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "plans", "connector-fix.json"))
	if err != nil {
		t.Fatal(err)
	}
	const urlPassword = "url-password-never-printed-51c7"
	tests := []struct {
		name string
		env  []any
		want map[string]checks.Status
	}{
		{"plain AUTH value", []any{
			map[string]any{"name": "REDIS_HOST", "value": "10.0.0.3", "value_source": []any{}},
			map[string]any{"name": "REDIS_PORT", "value": "6379", "value_source": []any{}},
			map[string]any{"name": "REDIS_AUTH", "value": planAuthString, "value_source": []any{}},
		}, map[string]checks.Status{"run.redis-host": checks.Pass, "run.redis-auth": checks.Warn, "redis.tls": checks.Pass}},
		{"password in a URL", []any{
			map[string]any{"name": "REDIS_URL", "value": "redis://:" + urlPassword + "@10.0.0.3:6379/0", "value_source": []any{}},
		}, map[string]checks.Status{"run.redis-host": checks.Pass, "run.redis-auth": checks.Warn, "redis.tls": checks.Pass}},
		{"secret AUTH, stale host", []any{
			map[string]any{"name": "REDIS_HOST", "value": "10.9.9.9", "value_source": []any{}},
			map[string]any{"name": "REDIS_AUTH", "value": "", "value_source": []any{map[string]any{"secret_key_ref": []any{map[string]any{"secret": "redis-auth", "version": "1"}}}}},
		}, map[string]checks.Status{"run.redis-host": checks.Fail, "run.redis-auth": checks.Pass}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, changes := serviceChanges(t, raw, "connector-fix.json")
			for _, change := range changes {
				container, _ := dig(change, "after", "template", 0, "containers", 0).(map[string]any)
				if container == nil {
					t.Fatal("connector-fix.json changed shape: no container")
				}
				container["env"] = tt.env
				if unknown, _ := dig(change, "after_unknown", "template", 0, "containers", 0).(map[string]any); unknown != nil {
					delete(unknown, "env")
				}
				// What Terraform writes when one value of the list is sensitive.
				change["after_sensitive"] = map[string]any{"template": []any{map[string]any{"containers": []any{map[string]any{"env": true}}}}}
			}
			data := encodeJSON(t, doc)
			inv := applyData(t, "connector-network", data)
			paths, err := inventory.Select(inv, inventory.Selector{})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range checks.Run(checks.Catalogue(), paths[0], nil) {
				if want, ok := tt.want[f.ID]; ok && f.Status != want {
					t.Errorf("%s: %s, want %s (%s)", f.ID, f.Status, want, f.Message)
				}
				out, _ := json.Marshal(f)
				for _, secret := range []string{planAuthString, urlPassword} {
					if strings.Contains(string(out), secret) {
						t.Errorf("%s shows a sensitive value", f.ID)
					}
				}
				if f.ID == "run.redis-host" && strings.Contains(f.Message, "10.9.9.9") {
					t.Errorf("run.redis-host shows the sensitive host: %s", f.Message)
				}
			}
			for _, svc := range inv.Services {
				data, _ := json.Marshal(svc)
				for _, secret := range []string{planAuthString, urlPassword} {
					if strings.Contains(string(data), secret) {
						t.Errorf("the inventory keeps a sensitive value")
					}
				}
			}
		})
	}
}

// TestPlanManagedFixIsTerraform: a connector the plan creates on the wrong network is fixed
// in its configuration (its address and attribute), not by gcloud creating another one.
func TestPlanManagedFixIsTerraform(t *testing.T) {
	_, byID := planFindings(t, "connector-wrong-network.json", inventory.Selector{})
	f := byID["connector.network"]
	if f.Status != checks.Fail || f.Remediation == nil {
		t.Fatalf("connector.network: %s, %+v", f.Status, f.Remediation)
	}
	if !strings.Contains(f.Remediation.Text, "google_vpc_access_connector.") {
		t.Errorf("the fix does not name the plan's resource: %s", f.Remediation.Text)
	}
	for _, c := range f.Remediation.Commands {
		if strings.Contains(c, " create ") || strings.Contains(c, " update ") {
			t.Errorf("the fix of a plan-managed connector runs %q", c)
		}
	}
}
