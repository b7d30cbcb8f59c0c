package inventory

import (
	"cloud.google.com/go/compute/apiv1/computepb"
	"cloud.google.com/go/redis/apiv1/redispb"
	"cloud.google.com/go/vpcaccess/apiv1/vpcaccesspb"
)

// Canonical names kept beside the protos. The lookups' index (see idx) parses the names a
// resource carries once, when it is built, and keeps the canonical references beside the
// resource; the checks compare those references instead of parsing self links and short
// names again at every comparison. The proto stays the source of truth: the index is
// rebuilt from it after every change a loader makes.

// ConnectorNames are the canonical names a Serverless VPC Access connector carries.
type ConnectorNames struct {
	// Ref is the connector's own name; RefErr says why its name is not a connector name.
	Ref    ConnectorRef
	RefErr error
	// Declared is its network field, a short name taking the project of the connector's
	// name; DeclaredErr says why it is no network name (it is empty, for a connector
	// created on an existing subnet).
	Declared    NetworkRef
	DeclaredErr error
	// HasSubnet marks a connector created on an existing subnet; Subnet is that subnet,
	// in the project the connector names for it (else the connector's) and the
	// connector's region. SubnetErr says why the subnet's name is not one.
	HasSubnet bool
	Subnet    SubnetRef
	SubnetErr error
}

// SubnetNames are the canonical names a subnetwork carries.
type SubnetNames struct {
	// Ref is the subnet's own name (SubnetOf); RefErr says why it has none.
	Ref    SubnetRef
	RefErr error
	// Network is its network, a short name taking the subnet's project; NetworkErr says
	// why the network field is no network name.
	Network    NetworkRef
	NetworkErr error
	// Region is the region of its region field, SelfLinkRegion that of its selfLink
	// (RegionOf; "" when it has none).
	Region, SelfLinkRegion string
}

// RedisNames are the canonical names a Memorystore for Redis instance carries.
type RedisNames struct {
	// Ref is the instance's own name; RefErr says why it is not an instance name.
	Ref    LocationRef
	RefErr error
	// Network is its authorized network, a short name taking the project of the
	// instance's name; NetworkErr says why it is no network name.
	Network    NetworkRef
	NetworkErr error
}

// RouterNames are the canonical names a Cloud Router carries.
type RouterNames struct {
	// Network is its network, a short name taking the project of its selfLink; NetworkErr
	// says why it is no network name.
	Network    NetworkRef
	NetworkErr error
	// Region is the region of its region field (RegionOf).
	Region string
	// NATSubnets holds, for each of its nats in order, the subnets the NAT lists (its
	// subnetworks, in order), a short name taking the router's project and region; a name
	// that is no subnet name is the zero SubnetRef.
	NATSubnets [][]SubnetRef
}

func routerNamesOf(r *computepb.Router) RouterNames {
	var n RouterNames
	project := ProjectOf(r.GetSelfLink())
	n.Network, n.NetworkErr = ParseNetwork(r.GetNetwork(), project)
	if project == "" {
		project = n.Network.Project
	}
	n.Region = RegionOf(r.GetRegion())
	for _, nat := range r.GetNats() {
		subnets := make([]SubnetRef, len(nat.GetSubnetworks()))
		for i, s := range nat.GetSubnetworks() {
			if ref, err := ParseSubnet(s.GetName(), project, n.Region); err == nil {
				subnets[i] = ref
			}
		}
		n.NATSubnets = append(n.NATSubnets, subnets)
	}
	return n
}

func connectorNamesOf(c *vpcaccesspb.Connector) ConnectorNames {
	var n ConnectorNames
	n.Ref, n.RefErr = ParseConnector(c.GetName(), "", "")
	n.Declared, n.DeclaredErr = ParseNetwork(c.GetNetwork(), ProjectOf(c.GetName()))
	if sub := c.GetSubnet(); sub != nil && sub.GetName() != "" {
		n.HasSubnet = true
		project := sub.GetProjectId()
		if project == "" {
			project = n.Ref.Project
		}
		n.Subnet, n.SubnetErr = ParseSubnet(sub.GetName(), project, n.Ref.Region)
	}
	return n
}

func subnetNamesOf(s *computepb.Subnetwork) SubnetNames {
	var n SubnetNames
	n.Ref, n.RefErr = SubnetOf(s)
	n.Network, n.NetworkErr = ParseNetwork(s.GetNetwork(), n.Ref.Project)
	n.Region = RegionOf(s.GetRegion())
	if s.GetSelfLink() != "" && n.RefErr == nil && n.Ref.Region != "" {
		// SubnetOf read the name from the selfLink: its region is the one RegionOf finds.
		n.SelfLinkRegion = n.Ref.Region
	} else {
		n.SelfLinkRegion = RegionOf(s.GetSelfLink())
	}
	return n
}

func redisNamesOf(r *redispb.Instance) RedisNames {
	var n RedisNames
	n.Ref, n.RefErr = ParseLocation(r.GetName(), "instances")
	n.Network, n.NetworkErr = ParseNetwork(r.GetAuthorizedNetwork(), ProjectOf(r.GetName()))
	return n
}

// NamesOfConnector returns the canonical names connector c carries, parsed once when the
// lookups were built (parsed now for a connector the inventory does not hold).
func (inv *Inventory) NamesOfConnector(c *vpcaccesspb.Connector) ConnectorNames {
	return keptOr(inv.idx().connectorNames, c, connectorNamesOf)
}

// NamesOfSubnet returns the canonical names subnetwork s carries, parsed once when the
// lookups were built (parsed now for a subnetwork the inventory does not hold).
func (inv *Inventory) NamesOfSubnet(s *computepb.Subnetwork) SubnetNames {
	return keptOr(inv.idx().subnetNames, s, subnetNamesOf)
}

// NamesOfRouter returns the canonical names Cloud Router r carries, parsed once when the
// lookups were built (parsed now for a router the inventory does not hold).
func (inv *Inventory) NamesOfRouter(r *computepb.Router) RouterNames {
	return keptOr(inv.idx().routerNames, r, routerNamesOf)
}

// NamesOfRedis returns the canonical names Redis instance r carries, parsed once when the
// lookups were built (parsed now for an instance the inventory does not hold).
func (inv *Inventory) NamesOfRedis(r *redispb.Instance) RedisNames {
	return keptOr(inv.idx().redisNames, r, redisNamesOf)
}

// keptOr returns the names kept for resource r, or parses them now for a resource the
// lookups do not hold.
func keptOr[R comparable, N any](kept map[R]N, r R, parse func(R) N) N {
	if n, ok := kept[r]; ok {
		return n
	}
	return parse(r)
}
