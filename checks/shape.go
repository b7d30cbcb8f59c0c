package checks

import (
	"cloud.google.com/go/redis/apiv1/redispb"
	"cloud.google.com/go/vpcaccess/apiv1/vpcaccesspb"

	"github.com/vpcdoctor/vpcdoctor/finding"
	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// ShapeOf reads the hops of one inventory path: the service's egress (connector or Direct
// VPC), the network it lands on (the connector's, the interface's, else the one Redis
// authorizes), the Redis connect mode and the instance. Whatever cannot be read is left
// empty; the findings say why.
func ShapeOf(p *inventory.Path) finding.PathShape {
	s := finding.PathShape{Service: p.ServiceRef.Name, Project: p.Project(), Region: p.Region(), Egress: finding.EgressNone}
	vpc := p.VpcAccess()
	interfaces := vpc.GetNetworkInterfaces()
	ref, hasConnector := p.ConnectorRef()
	// A connector value that is not a valid name is still the service's egress: the hop is
	// drawn (with the value as written, escaped by each renderer) so the picture says what
	// run.vpc-egress says, instead of "no VPC egress".
	unparsed := ""
	if !hasConnector {
		unparsed = vpc.GetConnector()
	}
	switch {
	case unparsed != "" && len(interfaces) > 0:
		s.Egress = finding.EgressBoth
		s.Connector = unparsed
	case unparsed != "":
		s.Egress = finding.EgressConnector
		s.Connector = unparsed
	case hasConnector && len(interfaces) > 0:
		s.Egress = finding.EgressBoth
	case hasConnector:
		s.Egress = finding.EgressConnector
	case len(interfaces) > 0:
		s.Egress = finding.EgressDirect
	}
	var network inventory.NetworkRef
	if hasConnector {
		s.Connector, s.ConnectorProject = ref.Name, ref.Project
		if c, problem := p.Inv.Connector(ref); problem == nil && c != nil {
			network = shapeNetwork(p, c)
		}
	} else if len(interfaces) > 0 {
		ni, names := interfaces[0], p.Interfaces()[0]
		if ni.GetSubnetwork() != "" && names.SubnetErr == nil {
			s.Subnet = names.Subnet.Name
			if ni.GetNetwork() == "" {
				// The subnet alone says where the interface lands.
				if subnet, problem := p.Inv.Subnet(names.Subnet); problem == nil && subnet != nil {
					network = p.Inv.NamesOfSubnet(subnet).Network
				}
			}
		}
		if ni.GetNetwork() != "" {
			network = names.Network
		}
	}
	if network.IsZero() {
		if authorized, err := p.AuthorizedNetwork(); err == nil {
			network = authorized
		}
	}
	s.Network, s.NetworkProject = network.Name, network.Project
	if p.Redis != nil {
		s.Redis = p.RedisRef.Name
		if host := p.Redis.GetHost(); host != "" {
			s.RedisHost = host
		}
		s.Link = finding.LinkPeering
		if p.Redis.GetConnectMode() == redispb.Instance_PRIVATE_SERVICE_ACCESS {
			s.Link = finding.LinkPSA
		}
	} else {
		s.Redis = p.RedisRef.Name
	}
	s.RedisProject = p.RedisRef.Project
	return s
}

// shapeNetwork is the network a connector attaches to: its network field, or for a
// connector on an existing subnet, that subnet's network (only its project when the subnet
// cannot be read).
func shapeNetwork(p *inventory.Path, c *vpcaccesspb.Connector) inventory.NetworkRef {
	names := p.Inv.NamesOfConnector(c)
	if !names.HasSubnet {
		return names.Declared
	}
	if names.SubnetErr != nil {
		return inventory.NetworkRef{}
	}
	if sub, problem := p.Inv.Subnet(names.Subnet); problem == nil && sub != nil {
		return p.Inv.NamesOfSubnet(sub).Network
	}
	return inventory.NetworkRef{Project: names.Subnet.Project}
}
