package checks

import (
	"fmt"
	"net/netip"
	"strings"

	"cloud.google.com/go/vpcaccess/apiv1/vpcaccesspb"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// connectorRange declares the check connector.range: its hop, title, prerequisites, the
// fields it reads, and its Run (checkConnectorRange, below).
func connectorRange() Check {
	return Check{
		ID: "connector.range", Hop: HopConnector, Title: "Connector range is a free /28",
		Summary:  "the connector's ipCidrRange is a /28 overlapping no subnet, connector, private services access or Redis range",
		Requires: []string{"connector.found"},
		Reads:    map[inventory.Kind][]string{inventory.KindConnector: {"ipCidrRange", "network", "subnet"}, inventory.KindRedis: {"reservedIpRange"}},
		Run:      checkConnectorRange,
	}
}

func checkConnectorRange(p *inventory.Path) Result {
	c, ref, early := pathConnector(p)
	if early != nil {
		return *early
	}
	if c.GetIpCidrRange() == "" {
		if sub := c.GetSubnet(); sub != nil && sub.GetName() != "" {
			return pass(ref.String(), "connector %s uses existing subnet %s instead of its own range", ref.Name, sub.GetName())
		}
		return fail(ref.String(), "connector %s has neither an IP range nor a subnet", ref.Name)
	}
	cidr := strings.TrimSpace(c.GetIpCidrRange())
	prefix, err := netip.ParsePrefix(cidr)
	net, problem := connectorNetworkOf(p, c)
	if problem != nil {
		return missing(ref.String(), problem)
	}
	recreate := func(result Result, text string) Result {
		return result.fix(text,
			command("gcloud compute networks vpc-access connectors delete %s --region %s --project %s", ref.Name, ref.Region, ref.Project),
			connectorCreate(p, ref.Name, ref.Region, net, c.GetName()))
	}
	if err != nil || !prefix.Addr().Is4() || prefix.Masked() != prefix {
		return recreate(fail(ref.String(), "connector %s has range %q, which is not an IPv4 network address with prefix length", ref.Name, cidr),
			"Recreate the connector with a valid /28.")
	}
	if prefix.Bits() != 28 {
		return recreate(fail(ref.String(), "connector %s has range %s, a /%d; connectors need exactly a /28", ref.Name, prefix, prefix.Bits()),
			"Recreate the connector with a /28 range that overlaps nothing on the network.")
	}
	if text, bad := unreachableFromMemorystore("connector "+ref.Name+" range", prefix); bad {
		return recreate(fail(ref.String(), "%s", text), "Recreate the connector on a /28 outside 172.17.0.0/16 that overlaps nothing on the network.")
	}
	if _, problem := p.Inv.SubnetsOf(net); problem != nil {
		return missing(net.String(), problem)
	}
	used, owners := usedRanges(p, net, c.GetName())
	var clashes []string
	for _, i := range overlapping(prefix, used) {
		if owners[i] == "subnet "+impliedSubnetName(c) && used[i] == prefix {
			continue // the connector's own subnet, as the API lists it
		}
		clashes = append(clashes, fmt.Sprintf("%s (%s)", owners[i], used[i]))
	}
	if len(clashes) > 0 {
		return recreate(fail(ref.String(), "connector %s range %s overlaps %s on network %s", ref.Name, prefix, strings.Join(clashes, ", "), net),
			"Recreate the connector on a /28 that overlaps nothing (the range below is free in the snapshot).")
	}
	if _, problem := p.Inv.PeeringRangesOf(net); problem != nil {
		// Nothing known overlaps, but the private services access ranges could not be read.
		return missing(net.String(), problem)
	}
	return pass(ref.String(), "connector %s range %s is a /28 and overlaps no subnet, connector or Redis range on %s", ref.Name, prefix, net)
}

// impliedSubnetName is how a connector's own /28 can appear in subnet listings.
func impliedSubnetName(c *vpcaccesspb.Connector) string {
	return "aet-" + inventory.ShortName(c.GetName())
}
