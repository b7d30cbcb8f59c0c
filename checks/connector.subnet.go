package checks

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// connectorSubnet declares the check connector.subnet: its hop, title, prerequisites, the
// fields it reads, and its Run (checkConnectorSubnet, below).
func connectorSubnet() Check {
	return Check{
		ID: "connector.subnet", Hop: HopConnector, Title: "Connector subnet is a /28 of its region",
		Summary:  "a connector created on an existing subnet names a /28 that exists, in the connector's region",
		Requires: []string{"connector.found"},
		Reads:    map[inventory.Kind][]string{inventory.KindConnector: {"subnet"}},
		Run:      checkConnectorSubnet,
	}
}

// connectorSubnetBits is the size of subnet a connector created on an existing subnet
// needs: its own /28 with nothing else on it.
const connectorSubnetBits = 28

func checkConnectorSubnet(p *inventory.Path) Result {
	c, ref, early := pathConnector(p)
	if early != nil {
		return *early
	}
	sub := c.GetSubnet()
	if sub == nil || sub.GetName() == "" {
		return skip(ref.String(), "connector %s has its own range %s rather than an existing subnet (connector.range checks it)", ref.Name, orDefault(c.GetIpCidrRange(), "(none)"))
	}
	names := p.Inv.NamesOfConnector(c)
	subRef := names.Subnet
	if names.SubnetErr != nil {
		return fail(ref.String(), "connector %s names subnet %q, which is not a subnet name: %v", ref.Name, sub.GetName(), names.SubnetErr)
	}
	subnet, problem := p.Inv.Subnet(subRef)
	if problem != nil {
		if problem.Code != inventory.NotFound {
			return missing(subRef.String(), problem)
		}
		result := fail(subRef.String(), "connector %s uses subnet %s, which does not exist in project %s, region %s: the connector has no addresses for its instances", ref.Name, subRef.Name, subRef.Project, subRef.Region)
		net, ok := redisNetwork(p)
		if !ok {
			return result.fix("Create the /28 subnet the connector names, in the connector's region.")
		}
		return result.fix(fmt.Sprintf("Create the /28 subnet on %s in %s (in a Shared VPC the host project's network admins do this), then recreate the connector on it.", net, ref.Region),
			subnetCreate(p, subRef, net),
			command("gcloud compute networks vpc-access connectors delete %s --region %s --project %s", ref.Name, ref.Region, ref.Project),
			connectorCreateOnSubnet(ref, subRef))
	}
	subnetNames := p.Inv.NamesOfSubnet(subnet)
	subnetNet, region := subnetNames.Network, subnetNames.Region
	if region == "" {
		region = subRef.Region
	}
	if region != ref.Region {
		return fail(subRef.String(), "connector %s in %s uses subnet %s in %s; a connector's subnet must be in the connector's region", ref.Name, ref.Region, subRef.Name, region).
			fix("Recreate the connector on a /28 subnet of its own region.",
				command("gcloud compute networks vpc-access connectors delete %s --region %s --project %s", ref.Name, ref.Region, ref.Project),
				subnetCreate(p, inventory.SubnetRef{Project: subRef.Project, Region: ref.Region, Name: ref.Name + "-subnet"}, subnetNet),
				connectorCreateOnSubnet(ref, inventory.SubnetRef{Project: subRef.Project, Region: ref.Region, Name: ref.Name + "-subnet"}))
	}
	prefix, err := netip.ParsePrefix(strings.TrimSpace(subnet.GetIpCidrRange()))
	if err != nil || prefix.Bits() != connectorSubnetBits {
		newRef := inventory.SubnetRef{Project: subRef.Project, Region: ref.Region, Name: ref.Name + "-subnet"}
		return fail(subRef.String(), "connector %s uses subnet %s with range %s; a connector needs a /28 subnet used by nothing else", ref.Name, subRef.Name, subnet.GetIpCidrRange()).
			fix("Create a /28 subnet for the connector alone and recreate the connector on it.",
				subnetCreate(p, newRef, subnetNet),
				command("gcloud compute networks vpc-access connectors delete %s --region %s --project %s", ref.Name, ref.Region, ref.Project),
				connectorCreateOnSubnet(ref, newRef))
	}
	return pass(ref.String(), "connector %s uses subnet %s (%s) in %s, project %s, on network %s", ref.Name, subRef.Name, prefix, region, subRef.Project, subnetNet)
}

// subnetCreate creates a /28 for a connector on net, on a range free in the snapshot.
func subnetCreate(p *inventory.Path, sub inventory.SubnetRef, net inventory.NetworkRef) string {
	return command("gcloud compute networks subnets create %s --network %s --region %s --range %s --project %s",
		sub.Name, net.String(), sub.Region, freeConnectorRange(p, net, ""), sub.Project)
}

// connectorCreateOnSubnet creates a connector on an existing subnet (possibly in a Shared
// VPC host project).
func connectorCreateOnSubnet(ref inventory.ConnectorRef, sub inventory.SubnetRef) string {
	cmd := command("gcloud compute networks vpc-access connectors create %s --region %s --subnet %s", ref.Name, ref.Region, sub.Name)
	if sub.Project != ref.Project {
		cmd += command(" --subnet-project %s", sub.Project)
	}
	return cmd + command(" --min-instances 2 --max-instances 10 --machine-type e2-standard-4 --project %s", ref.Project)
}
