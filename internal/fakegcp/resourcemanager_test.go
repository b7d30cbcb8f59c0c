package fakegcp_test

import (
	"context"
	"testing"

	"cloud.google.com/go/iam/apiv1/iampb"
	resourcemanager "cloud.google.com/go/resourcemanager/apiv3"
	"cloud.google.com/go/resourcemanager/apiv3/resourcemanagerpb"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/vpcdoctor/vpcdoctor/fixtures"
	"github.com/vpcdoctor/vpcdoctor/internal/fakegcp"
	"github.com/vpcdoctor/vpcdoctor/inventory/snapshot"
)

// TestResourceManagerProjects: the Resource Manager fake answers projects.get by id or
// number for the projects the snapshot ties to both, projects.getIamPolicy with the
// snapshot's policy of that project, and PermissionDenied for anything else.
func TestResourceManagerProjects(t *testing.T) {
	scenario, ok := fixtures.Lookup("shared-vpc")
	if !ok {
		t.Fatal("no shared-vpc scenario")
	}
	inv, err := snapshot.LoadFS(scenario.FS, scenario.Name)
	if err != nil {
		t.Fatal(err)
	}
	server, err := fakegcp.Start(inv, fakegcp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(server.Close)
	ctx := context.Background()
	client, err := resourcemanager.NewProjectsClient(ctx, option.WithEndpoint(server.GRPCAddr()), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()

	for _, name := range []string{"projects/net-host-prod", "projects/418305576231"} {
		p, err := client.GetProject(ctx, &resourcemanagerpb.GetProjectRequest{Name: name})
		if err != nil || p.GetName() != "projects/418305576231" || p.GetProjectId() != "net-host-prod" {
			t.Errorf("GetProject(%s) = %v, %v", name, p, err)
		}
	}
	// my-project's number comes from its Redis instance's persistenceIamIdentity.
	if p, err := client.GetProject(ctx, &resourcemanagerpb.GetProjectRequest{Name: "projects/my-project"}); err != nil || p.GetName() != "projects/123456789012" {
		t.Errorf("GetProject(my-project) = %v, %v", p, err)
	}
	policy, err := client.GetIamPolicy(ctx, &iampb.GetIamPolicyRequest{Resource: "projects/net-host-prod"})
	if err != nil || len(policy.GetBindings()) == 0 {
		t.Errorf("GetIamPolicy(net-host-prod) = %v, %v", policy, err)
	}
	if _, err := client.GetIamPolicy(ctx, &iampb.GetIamPolicyRequest{Resource: "projects/my-project"}); status.Code(err) != codes.PermissionDenied {
		t.Errorf("GetIamPolicy(my-project), which the snapshot does not hold: err = %v, want PermissionDenied", err)
	}
	if _, err := client.GetProject(ctx, &resourcemanagerpb.GetProjectRequest{Name: "projects/elsewhere"}); status.Code(err) != codes.PermissionDenied {
		t.Errorf("GetProject(elsewhere): err = %v, want PermissionDenied", err)
	}
	if calls := server.Calls(); calls[fakegcp.GetProject] != 4 || calls[fakegcp.GetIamPolicy] != 2 {
		t.Errorf("calls = %v", calls)
	}
}
