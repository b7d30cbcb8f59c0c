package inventory_test

import (
	"testing"

	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/snapshot"
)

// TestProjectEvidence: an IAM policy is recognised by its content and placed in its project
// through its own service agents; a project description and a Redis instance's
// persistenceIamIdentity tie numbers to ids; nothing else is guessed.
func TestProjectEvidence(t *testing.T) {
	inv := &inventory.Inventory{}
	files := map[string]string{
		"policy.json": `{"bindings": [
			{"role": "roles/vpcaccess.serviceAgent", "members": ["serviceAccount:service-418305576231@gcp-sa-vpcaccess.iam.gserviceaccount.com"]},
			{"role": "roles/vpcaccess.user", "members": ["serviceAccount:service-123456789012@serverless-robot-prod.iam.gserviceaccount.com"]}
		], "etag": "BwYk0nCJXzE=", "version": 1}`,
		"project.json":      `{"projectId": "net-host-prod", "projectNumber": "418305576231", "lifecycleState": "ACTIVE", "name": "net-host-prod"}`,
		"redis.yaml":        "name: projects/my-project/locations/us-central1/instances/r\nauthorizedNetwork: projects/net-host-prod/global/networks/shared-net\npersistenceIamIdentity: serviceAccount:service-123456789012@cloud-redis.iam.gserviceaccount.com\n",
		"empty-policy.json": `{"etag": "ACAB"}`,
	}
	for name, data := range files {
		if err := snapshot.AddFile(inv, name, []byte(data)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if len(inv.IAMPolicies) != 2 {
		t.Fatalf("%d IAM policies, want 2", len(inv.IAMPolicies))
	}
	if p, ok := inv.IAMPolicyOf("net-host-prod"); !ok || p.Source != "policy.json" {
		t.Errorf("policy of net-host-prod: %v, %v", p, ok)
	}
	if _, ok := inv.IAMPolicyOf("my-project"); ok {
		t.Error("a policy was placed in my-project, whose agents it does not bind")
	}
	for _, tc := range []struct {
		a, b        string
		same, known bool
	}{
		{"my-project", "123456789012", true, true},
		{"418305576231", "net-host-prod", true, true},
		{"net-host-prod", "123456789012", false, true},
		{"other-project", "999999999999", false, false},
		{"my-project", "net-host-prod", false, true},
	} {
		same, known := inv.SameProject(tc.a, tc.b)
		if same != tc.same || known != tc.known {
			t.Errorf("SameProject(%s, %s) = %v, %v; want %v, %v", tc.a, tc.b, same, known, tc.same, tc.known)
		}
	}
}
