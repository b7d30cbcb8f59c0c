package terraform_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/fixtures"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/terraform"
)

// TestPlanSensitiveEnvListIsJudged: Terraform marks a service's whole env list sensitive
// when one value in it is. The values are in the plan all the same: a plain AUTH string
// must be caught (run.redis-auth warns), the endpoint judged (run.redis-host passes), and
// neither the AUTH string nor a URL's password may appear in any finding.
func TestPlanSensitiveEnvListIsJudged(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "plans", "connector-fix.json"))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := fixtures.Lookup("connector-network")
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
			data, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			inv, err := inventory.LoadFS(s.FS, "fixtures/connector-network")
			if err != nil {
				t.Fatal(err)
			}
			if err := terraform.ApplyPlan(inv, data, "plan.json"); err != nil {
				t.Fatal(err)
			}
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
