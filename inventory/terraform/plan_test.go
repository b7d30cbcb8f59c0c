package terraform

import (
	"errors"
	"strings"
	"testing"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

func TestApplyPlanBadInput(t *testing.T) {
	tests := []struct {
		name, data, want string
		line             int
	}{
		{"empty", "  \n", "file is empty", 0},
		{"binary plan", "PK\x03\x04...", "is a binary plan file", 0},
		{"yaml", "kind: Service\n", "not a Terraform plan in JSON", 0},
		{"syntax", "{\n  \"format_version\": \"1.2\",\n  \"planned_values\": {,}\n}", "not valid JSON", 3},
		{"no format_version", `{"resource_changes": []}`, "has no format_version", 0},
		{"trailing data", "{\"format_version\": \"1.2\", \"planned_values\": {}}\n{\"format_version\": \"1.2\"}", "not valid JSON", 2},
		{"state", `{"format_version": "1.0", "values": {"root_module": {}}}`, "is a Terraform state, not a plan", 0},
		{"future major", `{"format_version": "2.0", "planned_values": {}}`, "unsupported plan format version", 0},
		{"unnamed resource", `{"format_version": "1.2", "planned_values": {"root_module": {"resources": [{"address": "google_compute_network.x", "mode": "managed", "type": "google_compute_network", "name": "x", "values": {"project": "p"}}]}}}`, "google_compute_network.x has no name", 0},
	}
	for _, tt := range tests {
		err := ApplyPlan(&inventory.Inventory{}, []byte(tt.data), "plan.json")
		var inErr *inventory.InputError
		if !errors.As(err, &inErr) {
			t.Errorf("%s: error %v, want an *InputError", tt.name, err)
			continue
		}
		if inErr.Path != "plan.json" || inErr.Line != tt.line || !strings.Contains(inErr.Msg, tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %q (line %d), want one line naming plan.json, line %d, with %q", tt.name, err, inErr.Line, tt.line, tt.want)
		}
	}
}

func TestApplyPlanMinimal(t *testing.T) {
	// The smallest plan the format allows: a version and nothing else changes nothing.
	inv := &inventory.Inventory{}
	if err := ApplyPlan(inv, []byte(`{"format_version": "1.0"}`), "plan.json"); err != nil {
		t.Fatal(err)
	}
	if len(inv.Services)+len(inv.Connectors)+len(inv.RedisInstances)+len(inv.Problems) != 0 {
		t.Errorf("empty plan changed the inventory: %+v", inv)
	}
}

func TestRedisDefaultNetwork(t *testing.T) {
	// authorized_network left out of the configuration: the API authorizes the default
	// network, which the plan shows as unknown.
	plan := `{"format_version": "1.2",
	  "resource_changes": [{"address": "google_redis_instance.c", "mode": "managed", "type": "google_redis_instance", "name": "c",
	    "change": {"actions": ["create"], "before": null,
	      "after": {"name": "c", "project": "p", "region": "europe-west1", "tier": "BASIC", "memory_size_gb": 1, "auth_string": "x"},
	      "after_unknown": {"authorized_network": true, "host": true, "port": true, "auth_string": true},
	      "after_sensitive": {"auth_string": true}}}],
	  "configuration": {"root_module": {"resources": [{"address": "google_redis_instance.c", "mode": "managed", "type": "google_redis_instance", "name": "c",
	    "expressions": {"name": {"constant_value": "c"}, "tier": {"constant_value": "BASIC"}, "memory_size_gb": {"constant_value": 1}}}]}}}`
	inv := &inventory.Inventory{}
	if err := ApplyPlan(inv, []byte(plan), "plan.json"); err != nil {
		t.Fatal(err)
	}
	if len(inv.RedisInstances) != 1 {
		t.Fatalf("%d instances", len(inv.RedisInstances))
	}
	r := inv.RedisInstances[0]
	if r.GetName() != "projects/p/locations/europe-west1/instances/c" || r.GetAuthorizedNetwork() != "projects/p/global/networks/default" || r.GetState().String() != "READY" {
		t.Errorf("instance %v", r)
	}
	if inv.UnknownField(inventory.KindRedis, r.GetName(), "authorizedNetwork") != nil || inv.UnknownField(inventory.KindRedis, r.GetName(), "host") == nil {
		t.Errorf("unknowns: %v", inv.Problems)
	}
}

func TestAddresses(t *testing.T) {
	tests := []struct{ address, module, stripped string }{
		{"google_compute_network.vpc", "", "google_compute_network.vpc"},
		{"module.net.google_compute_network.vpc[0]", "module.net", "module.net.google_compute_network.vpc"},
		{`module.env["prod.eu"].module.net.google_vpc_access_connector.c["a.b"]`, `module.env["prod.eu"].module.net`, "module.env.module.net.google_vpc_access_connector.c"},
		{"data.google_compute_network.default", "", "data.google_compute_network.default"},
	}
	for _, tt := range tests {
		if got := moduleOf(tt.address); got != tt.module {
			t.Errorf("moduleOf(%s) = %q, want %q", tt.address, got, tt.module)
		}
		if got := stripInstanceKeys(tt.address); got != tt.stripped {
			t.Errorf("stripInstanceKeys(%s) = %q, want %q", tt.address, got, tt.stripped)
		}
	}
}

func TestUnknownField(t *testing.T) {
	inv := &inventory.Inventory{}
	inv.MarkUnknown(inventory.KindService, "svc", "template.vpcAccess.connector", "google_cloud_run_v2_service.x")
	for _, tt := range []struct {
		fields []string
		want   bool
	}{
		{[]string{"template.vpcAccess.connector"}, true},
		{[]string{"template.vpcAccess"}, true},                       // covers the field inside it
		{[]string{"template.vpcAccess.connector.name"}, true},        // inside the unknown field
		{[]string{"template.vpcAccess.egress"}, false},               // a sibling is known
		{[]string{"template.vpcAccessX", "template.scaling"}, false}, // no prefix confusion
	} {
		if got := inv.UnknownField(inventory.KindService, "svc", tt.fields...) != nil; got != tt.want {
			t.Errorf("UnknownField(%v) = %v, want %v", tt.fields, got, tt.want)
		}
	}
	if inv.UnknownField(inventory.KindRedis, "svc", "template.vpcAccess") != nil || inv.UnknownField(inventory.KindService, "other", "template.vpcAccess") != nil {
		t.Error("UnknownField matched another kind or name")
	}
	p := inv.UnknownField(inventory.KindService, "svc", "template.vpcAccess")
	if inventory.UnknownFieldOf(p) != "template.vpcAccess.connector" || p.Error() != "service svc: template.vpcAccess.connector is known only after terraform apply (google_cloud_run_v2_service.x)" {
		t.Errorf("problem %q field %q", p.Error(), inventory.UnknownFieldOf(p))
	}
}

// TestConnectorFirewallGap: Google creates the firewall rules of a connector it creates in
// its network's project, not for a service project's connector on a host project's subnet,
// and not again when a connector is only updated.
func TestConnectorFirewallGap(t *testing.T) {
	plan := func(action, network, subnet string) string {
		after := `"name": "c", "project": "svc", "region": "us-central1", "ip_cidr_range": "10.8.0.0/28", "network": ` + network + `, "subnet": ` + subnet
		return `{"format_version": "1.2", "resource_changes": [{"address": "google_vpc_access_connector.c", "mode": "managed",
		  "type": "google_vpc_access_connector", "name": "c", "change": {"actions": ["` + action + `"], "after": {` + after + `}, "after_unknown": {}}}]}`
	}
	tests := []struct {
		name, plan string
		want       bool
	}{
		{"own network", plan("create", `"prod"`, `[]`), true},
		{"own network, full name", plan("create", `"projects/svc/global/networks/prod"`, `[]`), true},
		{"own subnet", plan("create", `null`, `[{"name": "conn", "project_id": null}]`), true},
		{"host project's subnet", plan("create", `null`, `[{"name": "conn", "project_id": "host"}]`), false},
		{"host project's network", plan("create", `"projects/host/global/networks/shared"`, `[]`), false},
		{"update", plan("update", `"prod"`, `[]`), false},
	}
	for _, tt := range tests {
		inv := &inventory.Inventory{}
		if err := ApplyPlan(inv, []byte(tt.plan), "plan.json"); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		gap := inv.UnknownField(inventory.KindConnector, "projects/svc/locations/us-central1/connectors/c", inventory.ConnectorFirewallRules)
		if (gap != nil) != tt.want {
			t.Errorf("%s: gap %v, want %v", tt.name, gap, tt.want)
		}
		if gap != nil && inventory.UnknownFieldOf(gap) != inventory.ConnectorFirewallRules {
			t.Errorf("%s: field %q", tt.name, inventory.UnknownFieldOf(gap))
		}
	}
}

// TestUnknownEnvVar: a variable's gap answers only for that variable; a gap of the list
// (or of what contains it) answers for every variable, and UnknownEnv for any gap at all.
func TestUnknownEnvVar(t *testing.T) {
	const svc = "projects/p/locations/r/services/s"
	inv := &inventory.Inventory{}
	inv.MarkUnknown(inventory.KindService, svc, inventory.EnvField+".REDIS_HOST", "google_redis_instance.x")
	if p := inv.UnknownEnvVar(svc, "REDIS_AUTH", "REDIS_HOST"); inventory.UnknownFieldOf(p) != inventory.EnvField+".REDIS_HOST" {
		t.Errorf("REDIS_HOST's gap: %v", p)
	}
	if p := inv.UnknownEnvVar(svc, "REDIS_AUTH", "REDIS_HOST_RO"); p != nil {
		t.Errorf("another variable's gap answered for REDIS_AUTH, REDIS_HOST_RO: %v", p)
	}
	if p := inv.UnknownEnvVar(svc); p != nil {
		t.Errorf("one variable's gap answered for the whole list: %v", p)
	}
	if p := inv.UnknownEnv(svc); p == nil {
		t.Error("UnknownEnv missed REDIS_HOST's gap")
	}
	for _, whole := range []string{inventory.EnvField, "template.containers", "template"} {
		inv := &inventory.Inventory{}
		inv.MarkUnknown(inventory.KindService, svc, whole, "google_cloud_run_v2_service.s")
		if p := inv.UnknownEnvVar(svc, "REDIS_AUTH"); inventory.UnknownFieldOf(p) != whole {
			t.Errorf("%s unknown: REDIS_AUTH's gap is %v", whole, p)
		}
		if p := inv.UnknownEnvVar(svc); inventory.UnknownFieldOf(p) != whole {
			t.Errorf("%s unknown: the list's gap is %v", whole, p)
		}
	}
}

// TestPlanV1EnvGaps: google_cloud_run_service records its environment's gaps as the v2
// resource does, so the checks see a variable the apply names.
func TestPlanV1EnvGaps(t *testing.T) {
	plan := `{"format_version": "1.2", "resource_changes": [{"address": "google_cloud_run_service.s", "mode": "managed",
	  "type": "google_cloud_run_service", "name": "s", "change": {"actions": ["create"],
	    "after": {"name": "s", "project": "p", "location": "r", "template": [{"spec": [{"containers": [{"image": "i",
	      "env": [{"name": null, "value": "x", "value_from": []}, {"name": "REDIS_AUTH", "value": null, "value_from": []}]}]}]}]},
	    "after_unknown": {"template": [{"spec": [{"containers": [{"env": [{"name": true}, {"value_from": [{}]}]}]}]}]}}}]}`
	inv := &inventory.Inventory{}
	if err := ApplyPlan(inv, []byte(plan), "plan.json"); err != nil {
		t.Fatal(err)
	}
	const svc = "projects/p/locations/r/services/s"
	if p := inv.UnknownEnvVar(svc); inventory.UnknownFieldOf(p) != inventory.EnvField {
		t.Errorf("a variable named at apply: the list's gap is %v, want %s", p, inventory.EnvField)
	}
	plan = strings.Replace(plan, `{"name": true}, {"value_from": [{}]}`, `{}, {"value_from": true}`, 1)
	inv = &inventory.Inventory{}
	if err := ApplyPlan(inv, []byte(plan), "plan.json"); err != nil {
		t.Fatal(err)
	}
	if p := inv.UnknownEnvVar(svc); p != nil {
		t.Errorf("only REDIS_AUTH's source is unknown, yet the list's gap is %v", p)
	}
	if p := inv.UnknownEnvVar(svc, "REDIS_AUTH"); inventory.UnknownFieldOf(p) != inventory.EnvField+".REDIS_AUTH" {
		t.Errorf("REDIS_AUTH's source decided at apply: gap %v", p)
	}
}
