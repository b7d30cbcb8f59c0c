package inventory_test

import (
	"testing"

	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/protobuf/proto"

	"github.com/vpcdoctor/vpcdoctor/fixtures"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/snapshot"
)

// TestNamesAreTheParsers: the canonical names kept beside each resource and each path
// are what the name parsers give for the proto's own fields, in every built-in scenario.
func TestNamesAreTheParsers(t *testing.T) {
	for _, scenario := range fixtures.Scenarios() {
		inv, err := snapshot.LoadFS(scenario.FS, scenario.Name)
		if err != nil {
			t.Fatalf("load %s: %v", scenario.Name, err)
		}
		for _, c := range inv.Connectors {
			got := inv.NamesOfConnector(c)
			ref, refErr := inventory.ParseConnector(c.GetName(), "", "")
			declared, declaredErr := inventory.ParseNetwork(c.GetNetwork(), inventory.ProjectOf(c.GetName()))
			if got.Ref != ref || (got.RefErr == nil) != (refErr == nil) || got.Declared != declared || (got.DeclaredErr == nil) != (declaredErr == nil) {
				t.Errorf("%s: connector %s: names %+v, parsers give %v %v", scenario.Name, c.GetName(), got, ref, declared)
			}
		}
		for _, s := range inv.Subnetworks {
			got := inv.NamesOfSubnet(s)
			ref, _ := inventory.SubnetOf(s)
			network, _ := inventory.ParseNetwork(s.GetNetwork(), ref.Project)
			if got.Ref != ref || got.Network != network || got.Region != inventory.RegionOf(s.GetRegion()) || got.SelfLinkRegion != inventory.RegionOf(s.GetSelfLink()) {
				t.Errorf("%s: subnet %s: names %+v", scenario.Name, s.GetName(), got)
			}
		}
		for _, r := range inv.RedisInstances {
			got := inv.NamesOfRedis(r)
			ref, _ := inventory.ParseLocation(r.GetName(), "instances")
			network, _ := inventory.ParseNetwork(r.GetAuthorizedNetwork(), inventory.ProjectOf(r.GetName()))
			if got.Ref != ref || got.Network != network {
				t.Errorf("%s: Redis %s: names %+v", scenario.Name, r.GetName(), got)
			}
		}
		paths, err := inventory.Select(inv, inventory.Selector{})
		if err != nil {
			continue // the scenario table covers what Select says
		}
		for _, p := range paths {
			if got, want := p.NamedProject(), inventory.ProjectOf(p.Service.GetName()); got != want {
				t.Errorf("%s: named project %q, parser gives %q", scenario.Name, got, want)
			}
			if name := p.VpcAccess().GetConnector(); name != "" {
				ref, err := inventory.ParseConnector(name, p.Project(), p.Region())
				if got, ok := p.ConnectorRef(); ok != (err == nil) || (ok && got != ref) {
					t.Errorf("%s: path connector %v %v, parser gives %v %v", scenario.Name, got, ok, ref, err)
				}
			}
			if p.Redis != nil {
				want, wantErr := inventory.ParseNetwork(p.Redis.GetAuthorizedNetwork(), p.RedisRef.Project)
				if got, err := p.AuthorizedNetwork(); got != want || (err == nil) != (wantErr == nil) {
					t.Errorf("%s: authorized network %v, parser gives %v", scenario.Name, got, want)
				}
			}
			for i, ni := range p.VpcAccess().GetNetworkInterfaces() {
				if want, err := inventory.ParseNetwork(ni.GetNetwork(), p.Project()); ni.GetNetwork() != "" && err == nil && p.Interfaces()[i].Network != want {
					t.Errorf("%s: interface %d network %v, parser gives %v", scenario.Name, i, p.Interfaces()[i].Network, want)
				}
			}
		}
	}
}

// TestNamesFollowChanges: a resource a loader replaces is named by what it now carries.
func TestNamesFollowChanges(t *testing.T) {
	inv := &inventory.Inventory{}
	subnet := &computepb.Subnetwork{
		Name:     proto.String("sub"),
		Network:  proto.String("https://www.googleapis.com/compute/v1/projects/p/global/networks/a"),
		Region:   proto.String("https://www.googleapis.com/compute/v1/projects/p/regions/us-central1"),
		SelfLink: proto.String("https://www.googleapis.com/compute/v1/projects/p/regions/us-central1/subnetworks/sub"),
	}
	if err := inv.Add(inventory.KindSubnetwork, subnet, ""); err != nil {
		t.Fatal(err)
	}
	if got := inv.NamesOfSubnet(subnet).Network.Name; got != "a" {
		t.Fatalf("network %q, want a", got)
	}
	moved := proto.Clone(subnet).(*computepb.Subnetwork)
	moved.Network = proto.String("projects/p/global/networks/b")
	inv.Remove(inventory.KindSubnetwork, "projects/p/regions/us-central1/subnetworks/sub")
	if err := inv.Add(inventory.KindSubnetwork, moved, ""); err != nil {
		t.Fatal(err)
	}
	found, problem := inv.Subnet(inventory.SubnetRef{Project: "p", Region: "us-central1", Name: "sub"})
	if problem != nil {
		t.Fatal(problem)
	}
	if got := inv.NamesOfSubnet(found).Network.Name; got != "b" {
		t.Errorf("after the change: network %q, want b", got)
	}
	if subnets, _ := inv.SubnetsOf(inventory.NetworkRef{Project: "p", Name: "a"}); len(subnets) != 0 {
		t.Errorf("network a still lists %d subnets", len(subnets))
	}
}
