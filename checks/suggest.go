package checks

import (
	"fmt"
	"net/netip"
	"strings"

	"cloud.google.com/go/vpcaccess/apiv1/vpcaccesspb"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// Helpers that compute the values remediation commands need: the network Redis accepts,
// a connector worth pointing at, a free /28.

// redisNetwork returns the Redis instance's authorized network, falling back to the
// connector's network when Redis is unknown.
func redisNetwork(p *inventory.Path) (inventory.NetworkRef, bool) {
	if net, err := p.AuthorizedNetwork(); err == nil {
		return net, true
	}
	return inventory.NetworkRef{}, false
}

// networkFlagFor spells a network for a gcloud flag: the short name in the service's own
// project, the full name across projects (Shared VPC).
func networkFlagFor(p *inventory.Path, net inventory.NetworkRef) string {
	if net.Project == p.Project() {
		return net.Name
	}
	return net.String()
}

// usedRanges lists every IPv4 range in use on a network as far as the inventory knows:
// subnet primary and secondary ranges, connector ranges, the ranges allocated to private
// services access, and the reserved ranges of Redis instances authorized on it (peered
// ranges cannot overlap either).
func usedRanges(p *inventory.Path, net inventory.NetworkRef, exceptConnector string) ([]netip.Prefix, []string) {
	var prefixes []netip.Prefix
	var owners []string
	add := func(cidr, owner string) {
		if prefix, err := netip.ParsePrefix(strings.TrimSpace(cidr)); err == nil {
			prefixes = append(prefixes, prefix)
			owners = append(owners, owner)
		}
	}
	subnets, _ := p.Inv.SubnetsOf(net)
	for _, s := range subnets {
		add(s.GetIpCidrRange(), "subnet "+s.GetName())
		for _, sec := range s.GetSecondaryIpRanges() {
			add(sec.GetIpCidrRange(), fmt.Sprintf("subnet %s secondary range %s", s.GetName(), sec.GetRangeName()))
		}
	}
	for _, c := range p.Inv.Connectors {
		if c.GetName() == exceptConnector || c.GetIpCidrRange() == "" {
			continue
		}
		if names := p.Inv.NamesOfConnector(c); names.DeclaredErr == nil && names.Declared == net {
			add(c.GetIpCidrRange(), "connector "+inventory.ShortName(c.GetName()))
		}
	}
	allocated, _ := p.Inv.PeeringRangesOf(net)
	for _, a := range allocated {
		if a.GetAddress() == "" || a.PrefixLength == nil {
			continue // left to terraform apply: not a known range
		}
		add(fmt.Sprintf("%s/%d", a.GetAddress(), a.GetPrefixLength()), "private services access range "+a.GetName())
	}
	for _, r := range p.Inv.RedisInstances {
		if names := p.Inv.NamesOfRedis(r); names.NetworkErr == nil && names.Network == net {
			add(r.GetReservedIpRange(), "Redis "+inventory.ShortName(r.GetName())+" reserved range")
		}
	}
	return prefixes, owners
}

// freeConnectorRange proposes a /28 on net that overlaps nothing the inventory knows.
func freeConnectorRange(p *inventory.Path, net inventory.NetworkRef, exceptConnector string) string {
	used, _ := usedRanges(p, net, exceptConnector)
	if free, ok := freePrefix(used, 28); ok {
		return free.String()
	}
	return "10.8.0.0/28"
}

// connectorCreate is the command that creates a connector on net in region. A connector
// recreated under its own name keeps its machine type and instance counts, so the fix does
// not change its cost silently; a new one is sized for production (e2-standard-4, 2 to 10),
// the machine type the connector documentation recommends for high concurrency.
func connectorCreate(p *inventory.Path, name, region string, net inventory.NetworkRef, exceptConnector string) string {
	minimum, maximum, machine := int32(2), int32(10), "e2-standard-4"
	if old := existingConnector(p, name, region); old != nil && old.GetMinInstances() > 0 && old.GetMaxInstances() > 0 {
		minimum, maximum, machine = old.GetMinInstances(), old.GetMaxInstances(), old.GetMachineType()
		if machine == "" {
			machine = "e2-micro" // the API's default machine type
		}
		if exceptConnector == "" {
			exceptConnector = old.GetName()
		}
	}
	return command("gcloud compute networks vpc-access connectors create %s --region %s --network %s --range %s --min-instances %d --max-instances %d --machine-type %s --project %s",
		name, region, networkFlagFor(p, net), freeConnectorRange(p, net, exceptConnector), minimum, maximum, machine, p.Project())
}

// existingConnector is the inventory's connector of that name in region and the service's
// project, or nil.
func existingConnector(p *inventory.Path, name, region string) *vpcaccesspb.Connector {
	for _, c := range p.Inv.Connectors {
		names := p.Inv.NamesOfConnector(c)
		if ref := names.Ref; names.RefErr == nil && ref.Name == name && ref.Region == region && ref.Project == p.Project() {
			return c
		}
	}
	return nil
}

// usableConnector finds an existing connector in the service's region on the Redis
// network, so remediation can point at it instead of creating one.
func usableConnector(p *inventory.Path, net inventory.NetworkRef) (string, bool) {
	for _, c := range p.Inv.Connectors {
		names := p.Inv.NamesOfConnector(c)
		ref := names.Ref
		if names.RefErr != nil || ref.Region != p.Region() || c.GetState().String() != "READY" {
			continue
		}
		if cn, problem := connectorNetworkOf(p, c); problem == nil && cn == net {
			if ref.Project == p.Project() {
				return ref.Name, true
			}
			return ref.String(), true
		}
	}
	return "", false
}

// serviceUpdate is the start of every `gcloud run services update` remediation.
func serviceUpdate(p *inventory.Path) string {
	return command("gcloud run services update %s --region %s --project %s", p.ServiceRef.Name, p.Region(), p.Project())
}

// subnetFor finds a subnet of net in region for Direct VPC egress.
func subnetFor(p *inventory.Path, net inventory.NetworkRef, region string) (string, bool) {
	subnets, _ := p.Inv.SubnetsOf(net)
	for _, s := range subnets {
		if names := p.Inv.NamesOfSubnet(s); names.Region == region || names.SelfLinkRegion == region {
			return s.GetName(), true
		}
	}
	return "", false
}
