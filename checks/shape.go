package checks

import (
	"cloud.google.com/go/redis/apiv1/redispb"

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
			network = shapeNetwork(p, ref, c.GetNetwork(), c.GetSubnet().GetName(), c.GetSubnet().GetProjectId())
		}
	} else if len(interfaces) > 0 {
		ni := interfaces[0]
		if sub := ni.GetSubnetwork(); sub != "" {
			if subRef, err := inventory.ParseSubnet(sub, p.Project(), p.Region()); err == nil {
				s.Subnet = subRef.Name
				if subnet, problem := p.Inv.Subnet(subRef); problem == nil && subnet != nil {
					network, _ = inventory.ParseNetwork(subnet.GetNetwork(), subRef.Project)
				}
			}
		}
		if n := ni.GetNetwork(); n != "" {
			network, _ = inventory.ParseNetwork(n, p.Project())
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
// connector on an existing subnet, that subnet's network.
func shapeNetwork(p *inventory.Path, ref inventory.ConnectorRef, network, subnet, subnetProject string) inventory.NetworkRef {
	if subnet != "" {
		if subnetProject == "" {
			subnetProject = ref.Project
		}
		subRef, err := inventory.ParseSubnet(subnet, subnetProject, ref.Region)
		if err != nil {
			return inventory.NetworkRef{}
		}
		if sub, problem := p.Inv.Subnet(subRef); problem == nil && sub != nil {
			net, _ := inventory.ParseNetwork(sub.GetNetwork(), subRef.Project)
			return net
		}
		return inventory.NetworkRef{Project: subRef.Project}
	}
	net, _ := inventory.ParseNetwork(network, ref.Project)
	return net
}
