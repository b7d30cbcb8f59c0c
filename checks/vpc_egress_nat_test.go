package checks

import (
	"testing"

	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/protobuf/proto"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// TestNATCoverage: which Cloud NAT settings serve which egress subnet, over the cases the
// scenarios do not spell out (Private NAT, secondary ranges only, another network's or
// region's NAT, a subnet named by its short name).
func TestNATCoverage(t *testing.T) {
	net := inventory.NetworkRef{Project: "my-project", Name: "default"}
	subnet := egressSubnet{Network: net, Region: "us-central1", Subnet: inventory.SubnetRef{Project: "my-project", Region: "us-central1", Name: "run-subnet"}}
	hidden := egressSubnet{Network: net, Region: "us-central1", Hidden: true}
	router := func(region string, nats ...*computepb.RouterNat) *computepb.Router {
		return &computepb.Router{
			Name:     proto.String("r-" + region),
			Region:   proto.String("https://www.googleapis.com/compute/v1/projects/my-project/regions/" + region),
			Network:  proto.String("https://www.googleapis.com/compute/v1/projects/my-project/global/networks/default"),
			SelfLink: proto.String("https://www.googleapis.com/compute/v1/projects/my-project/regions/" + region + "/routers/r-" + region),
			Nats:     nats,
		}
	}
	nat := func(option string, subnets ...*computepb.RouterNatSubnetworkToNat) *computepb.RouterNat {
		return &computepb.RouterNat{Name: proto.String("nat"), SourceSubnetworkIpRangesToNat: proto.String(option), Subnetworks: subnets}
	}
	listed := func(name string, ranges ...string) *computepb.RouterNatSubnetworkToNat {
		return &computepb.RouterNatSubnetworkToNat{Name: proto.String(name), SourceIpRangesToNat: ranges}
	}
	private := nat(natAllSubnetsAllRanges)
	private.Type = proto.String(natPrivate)
	proxyOnly := nat(natAllSubnetsAllRanges)
	proxyOnly.EndpointTypes = []string{computepb.RouterNat_ENDPOINT_TYPE_SWG.String()}
	vmAndProxy := nat(natAllSubnetsAllRanges)
	vmAndProxy.EndpointTypes = []string{computepb.RouterNat_ENDPOINT_TYPE_SWG.String(), natEndpointVM}
	cases := []struct {
		name    string
		src     egressSubnet
		routers []*computepb.Router
		served  bool
	}{
		{"no router", subnet, nil, false},
		{"router without NAT", subnet, []*computepb.Router{router("us-central1")}, false},
		{"all subnets", subnet, []*computepb.Router{router("us-central1", nat(natAllSubnetsAllRanges))}, true},
		{"all primary ranges", subnet, []*computepb.Router{router("us-central1", nat(natAllSubnetsPrimaryRanges))}, true},
		{"all subnets, hidden connector subnet", hidden, []*computepb.Router{router("us-central1", nat(natAllSubnetsAllRanges))}, true},
		{"all subnets, other region", subnet, []*computepb.Router{router("europe-west1", nat(natAllSubnetsAllRanges))}, false},
		{"private NAT", subnet, []*computepb.Router{router("us-central1", private)}, false},
		{"Secure Web Proxy endpoints only", subnet, []*computepb.Router{router("us-central1", proxyOnly)}, false},
		{"VM and Secure Web Proxy endpoints", subnet, []*computepb.Router{router("us-central1", vmAndProxy)}, true},
		{"listed by URL, primary", subnet, []*computepb.Router{router("us-central1", nat(natListOfSubnets, listed("https://www.googleapis.com/compute/v1/projects/my-project/regions/us-central1/subnetworks/run-subnet", natSubnetPrimaryRange)))}, true},
		{"listed by short name, all ranges", subnet, []*computepb.Router{router("us-central1", nat(natListOfSubnets, listed("run-subnet", natSubnetAllRanges)))}, true},
		{"listed, secondary ranges only", subnet, []*computepb.Router{router("us-central1", nat(natListOfSubnets, listed("run-subnet", computepb.RouterNatSubnetworkToNat_LIST_OF_SECONDARY_IP_RANGES.String())))}, false},
		{"another subnet listed", subnet, []*computepb.Router{router("us-central1", nat(natListOfSubnets, listed("gke-nodes", natSubnetAllRanges)))}, false},
		{"list NAT, hidden connector subnet", hidden, []*computepb.Router{router("us-central1", nat(natListOfSubnets, listed("default", natSubnetAllRanges)))}, false},
	}
	for _, c := range cases {
		got := natCoverage(c.routers, (&inventory.Inventory{}).NamesOfRouter, c.src).router != ""
		if got != c.served {
			t.Errorf("%s: served %v, want %v", c.name, got, c.served)
		}
	}
}
