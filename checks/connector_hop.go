package checks

import (
	"cloud.google.com/go/vpcaccess/apiv1/vpcaccesspb"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// The connector hop: the Serverless VPC Access connector the service egresses through.
// What the connector.* checks share; each of them is skipped for Direct VPC egress.

// pathConnector returns the service's connector, or a Result to return instead (skip for
// Direct VPC, error/fail when it cannot be read).
func pathConnector(p *inventory.Path) (*vpcaccesspb.Connector, inventory.ConnectorRef, *Result) {
	ref, ok := p.ConnectorRef()
	if !ok {
		r := noConnectorRef(p)
		if r.Status == Fail { // connector.found reports the bad name; the others wait for it
			r = skip(p.ServiceRef.String(), "service %s names a connector that is not a valid connector name", p.ServiceRef.Name)
		}
		return nil, ref, &r
	}
	c, problem := p.Inv.Connector(ref)
	if problem != nil {
		r := missing(ref.String(), problem)
		return nil, ref, &r
	}
	return c, ref, nil
}

// noConnectorRef is the result for a path without a usable connector name: a skip when
// the service names none (Direct VPC egress, or none at all), and a fail when the name it
// gives is not of the connector name format the Cloud Run API documents
// (projects/{project}/locations/{location}/connectors/{connector}, or a short name), so no
// connector can answer to it, said without pasting the value into any command.
func noConnectorRef(p *inventory.Path) Result {
	if name := p.VpcAccess().GetConnector(); name != "" {
		return fail(p.ServiceRef.String(), "service %s names connector %q, which is not a connector name (NAME, or projects/PROJECT/locations/REGION/connectors/NAME), so no connector can carry its traffic", p.ServiceRef.Name, name).
			fix("Name one of the region's connectors (the run.googleapis.com/vpc-access-connector annotation, or --vpc-connector).",
				command("gcloud compute networks vpc-access connectors list --region %s --project %s", p.Region(), p.Project()))
	}
	return skip(p.ServiceRef.String(), "service %s uses Direct VPC egress, not a connector", p.ServiceRef.Name)
}

// connectorNetworkOf returns the network a connector attaches to: its network field, or,
// for a connector created on an existing subnet, that subnet's network.
func connectorNetworkOf(p *inventory.Path, c *vpcaccesspb.Connector) (inventory.NetworkRef, *inventory.Problem) {
	names := p.Inv.NamesOfConnector(c)
	if names.RefErr != nil {
		return inventory.NetworkRef{}, &inventory.Problem{Kind: inventory.KindConnector, Name: c.GetName(), Code: inventory.Unavailable, Detail: names.RefErr.Error()}
	}
	if names.HasSubnet {
		if names.SubnetErr != nil {
			return inventory.NetworkRef{}, &inventory.Problem{Kind: inventory.KindSubnetwork, Name: c.GetSubnet().GetName(), Code: inventory.NotFound, Detail: names.SubnetErr.Error()}
		}
		subnet, problem := p.Inv.Subnet(names.Subnet)
		if problem != nil {
			return inventory.NetworkRef{}, problem
		}
		subnetNames := p.Inv.NamesOfSubnet(subnet)
		if subnetNames.NetworkErr != nil {
			return inventory.NetworkRef{}, &inventory.Problem{Kind: inventory.KindSubnetwork, Name: names.Subnet.String(), Code: inventory.Unavailable, Detail: subnetNames.NetworkErr.Error()}
		}
		return subnetNames.Network, nil
	}
	if names.DeclaredErr != nil {
		return inventory.NetworkRef{}, &inventory.Problem{Kind: inventory.KindConnector, Name: names.Ref.String(), Code: inventory.Unavailable, Detail: "connector has no network: " + names.DeclaredErr.Error()}
	}
	return names.Declared, nil
}
