package live_test

import (
	"context"
	"strings"
	"testing"

	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/protobuf/proto"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/internal/fakegcp"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/live"
)

// The shared-vpc scenario: cache-service in my-project uses connector shared-connector of
// host project net-host-prod, whose IAM policy grants my-project's Cloud Run service agent
// roles/vpcaccess.user.
const (
	hostProject    = "projects/net-host-prod"
	serviceProject = "projects/my-project"
)

// sharedVPCStatuses loads a scenario live and returns its findings by check.
func sharedVPCStatuses(t *testing.T, server *fakegcp.Server) (*inventory.Inventory, map[string]checks.Finding) {
	t.Helper()
	loaded, err := live.Load(context.Background(), liveOptions(server, fixtureProject, fixtureRegion, fixtureService))
	if err != nil {
		t.Fatal(err)
	}
	paths, err := inventory.Select(loaded, inventory.Selector{Project: fixtureProject, Region: fixtureRegion, Service: fixtureService})
	if err != nil {
		t.Fatal(err)
	}
	findings := map[string]checks.Finding{}
	for _, f := range checks.Run(checks.Catalogue(), paths[0], nil) {
		findings[f.ID] = f
	}
	return loaded, findings
}

// TestLoadLiveReadsIAMOnlyForSharedVPC: a connector of another project costs three Resource
// Manager calls (both projects' numbers, the connector project's policy), which settle
// connector.shared-vpc; a connector in the service's own project costs none.
func TestLoadLiveReadsIAMOnlyForSharedVPC(t *testing.T) {
	t.Run("shared-vpc", func(t *testing.T) {
		_, server := serveScenario(t, "shared-vpc")
		loaded, findings := sharedVPCStatuses(t, server)
		if p := problemSet(loaded); len(p) != 0 {
			t.Errorf("problems: %q", p)
		}
		calls := server.Calls()
		if calls[fakegcp.GetProject] != 2 || calls[fakegcp.GetIamPolicy] != 1 {
			t.Errorf("calls = %v; want two project Gets and one IAM policy Get", calls)
		}
		if f := findings["connector.shared-vpc"]; f.Status != checks.Pass {
			t.Errorf("connector.shared-vpc = %s: %s", f.Status, f.Message)
		}
	})
	t.Run("three services on the host's connector", func(t *testing.T) {
		inv := loadScenario(t, "shared-vpc")
		template, err := fakegcp.CanonicalService(inv, inv.Services[0], fixtureRegion)
		if err != nil {
			t.Fatal(err)
		}
		inv.Services = nil
		for _, name := range []string{"a", "b", "c"} {
			svc := proto.Clone(template).(*runpb.Service)
			svc.Name = "projects/my-project/locations/us-central1/services/" + name
			svc.TrafficStatuses = nil
			inv.Services = append(inv.Services, svc)
		}
		server := serve(t, inv, fakegcp.Options{Region: fixtureRegion})
		if _, err := live.Load(context.Background(), liveOptions(server, fixtureProject, fixtureRegion, "")); err != nil {
			t.Fatal(err)
		}
		if calls := server.Calls(); calls[fakegcp.GetProject] != 2 || calls[fakegcp.GetIamPolicy] != 1 {
			t.Errorf("calls = %v; want each project read once however many services use the connector", calls)
		}
	})
	for _, name := range []string{"healthy", "shared-vpc-service-connector"} {
		t.Run(name, func(t *testing.T) {
			_, server := serveScenario(t, name)
			sharedVPCStatuses(t, server)
			if calls := server.Calls(); calls[fakegcp.GetProject]+calls[fakegcp.GetIamPolicy] != 0 {
				t.Errorf("calls = %v; a connector in the service's project needs no Resource Manager call", calls)
			}
		})
	}
}

// TestLoadLiveIAMFaults: a refused Resource Manager call is a problem naming the
// permission and the role that grants it; connector.shared-vpc is an error that names the
// permission, and every other check keeps its verdict.
func TestLoadLiveIAMFaults(t *testing.T) {
	tests := []struct {
		method     string
		kind       inventory.Kind
		names      []string
		permission string
	}{
		{fakegcp.GetIamPolicy, inventory.KindIAMPolicy, []string{hostProject}, "resourcemanager.projects.getIamPolicy"},
		{fakegcp.GetProject, inventory.KindProject, []string{serviceProject, hostProject}, "resourcemanager.projects.get"},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			_, server := serveScenario(t, "shared-vpc")
			_, baseline := sharedVPCStatuses(t, server)
			server.SetFault(tt.method, fakegcp.Fault{Status: 403})
			loaded, findings := sharedVPCStatuses(t, server)
			for _, name := range tt.names {
				p := findProblem(loaded, tt.kind, name)
				if p == nil || p.Code != inventory.PermissionDenied || p.Permission != tt.permission || p.Role != "roles/browser" || p.API != "cloudresourcemanager.googleapis.com" {
					t.Errorf("problem for %s %s = %+v; problems %q", tt.kind, name, p, problemSet(loaded))
				}
			}
			if f := findings["connector.shared-vpc"]; f.Status != checks.Error || !strings.Contains(f.Message, tt.permission) {
				t.Errorf("connector.shared-vpc = %s: %s; want an error naming %s", f.Status, f.Message, tt.permission)
			}
			for id, want := range baseline {
				if got := findings[id]; id != "connector.shared-vpc" && got.Status != want.Status {
					t.Errorf("%s = %s, want %s as without the fault", id, got.Status, want.Status)
				}
			}
		})
	}
}
