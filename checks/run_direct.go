package checks

import (
	"cloud.google.com/go/compute/apiv1/computepb"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// Direct VPC egress: the service's instances take addresses in a subnet of the VPC instead
// of going through a connector.

// directInterface is the resolved Direct VPC interface of a path: its subnet and network.
type directInterface struct {
	Subnet    *computepb.Subnetwork
	SubnetRef inventory.SubnetRef
	Network   inventory.NetworkRef
	Tags      []string
}

// resolveDirectInterface finds the subnet and network of the service's first network
// interface. A missing subnetwork takes the network's name, and a missing network is the
// subnet's, as Cloud Run resolves them (inventory.InterfaceNames). It returns a Result
// instead when they cannot be read. The path must have an interface.
func resolveDirectInterface(p *inventory.Path) (directInterface, *Result) {
	ni, names := p.VpcAccess().GetNetworkInterfaces()[0], p.Interfaces()[0]
	if names.NetworkErr != nil {
		r := fail(p.ServiceRef.String(), "Direct VPC network %q is not a network name: %v", ni.GetNetwork(), names.NetworkErr)
		return directInterface{}, &r
	}
	declared, subRef := names.Network, names.Subnet
	if names.SubnetErr != nil {
		r := fail(p.ServiceRef.String(), "Direct VPC interface names neither a usable network nor a subnetwork: %v", names.SubnetErr)
		return directInterface{}, &r
	}
	subnet, problem := p.Inv.Subnet(subRef)
	if problem != nil {
		if problem.Code == inventory.NotFound {
			r := fail(subRef.String(), "service %s's Direct VPC interface uses subnet %s, which does not exist in project %s, region %s", p.ServiceRef.Name, subRef.Name, subRef.Project, subRef.Region)
			if net, ok := redisNetwork(p); ok {
				r = r.fix("Use an existing subnet of the network Redis authorizes, in the service's region.", directVPCCommand(p, net))
			} else {
				r = r.fix("List the subnets of the region and use one of them.", command("gcloud compute networks subnets list --regions %s --project %s", p.Region(), subRef.Project))
			}
			return directInterface{}, &r
		}
		r := missing(subRef.String(), problem)
		return directInterface{}, &r
	}
	subnetNames := p.Inv.NamesOfSubnet(subnet)
	subnetNet := subnetNames.Network
	if subnetNames.NetworkErr != nil {
		r := fail(subRef.String(), "subnet %s has no network: %v", subRef.Name, subnetNames.NetworkErr)
		return directInterface{}, &r
	}
	if !declared.IsZero() && declared != subnetNet {
		r := fail(p.ServiceRef.String(), "service %s's Direct VPC interface names network %s but subnet %s, which belongs to %s; Cloud Run requires the subnet to be in the network", p.ServiceRef.Name, declared, subRef.Name, subnetNet).
			fix("Name a subnet of the network (or drop --network and let the subnet decide).", serviceUpdate(p)+command(" --network %s --subnet %s", networkFlagFor(p, subnetNet), subRef.Name))
		return directInterface{}, &r
	}
	return directInterface{Subnet: subnet, SubnetRef: subRef, Network: subnetNet, Tags: ni.GetTags()}, nil
}

// directVPCCommand moves the service to Direct VPC egress on net, in a subnet of its region.
func directVPCCommand(p *inventory.Path, net inventory.NetworkRef) string {
	subnet, ok := subnetFor(p, net, p.Region())
	if !ok {
		subnet = "SUBNET"
	}
	return serviceUpdate(p) + command(" --network %s --subnet %s", networkFlagFor(p, net), subnet)
}
