package checks

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// runDirectVPC declares the check run.direct-vpc: its hop, title, prerequisites, the
// fields it reads, and its Run (checkDirectVPC, below).
func runDirectVPC() Check {
	return Check{
		ID: "run.direct-vpc", Hop: HopRun, Title: "Direct VPC egress reaches Redis",
		Summary: "Direct VPC interfaces sit on the Redis authorized network, in a /26 or larger subnet of the service's region (warns when 2 addresses per max instance do not fit)",
		Reads:   map[inventory.Kind][]string{inventory.KindService: {"template.vpcAccess.networkInterfaces", "template.scaling.maxInstanceCount"}, inventory.KindRedis: {"authorizedNetwork"}},
		Run:     checkDirectVPC,
	}
}

func checkDirectVPC(p *inventory.Path) Result {
	svc := p.ServiceRef.String()
	vpc := p.VpcAccess()
	interfaces := vpc.GetNetworkInterfaces()
	switch {
	case len(interfaces) == 0 && vpc.GetConnector() != "":
		return skip(svc, "service %s uses connector %s, not Direct VPC egress", p.ServiceRef.Name, vpc.GetConnector())
	case len(interfaces) == 0:
		return skip(svc, "service %s has no VPC egress (see run.vpc-egress)", p.ServiceRef.Name)
	case vpc.GetConnector() != "":
		return fail(svc, "service %s sets Direct VPC network interfaces (network %s) and connector %s at once; a revision egresses through one or the other",
			p.ServiceRef.Name, orDefault(interfaces[0].GetNetwork(), "(subnet's network)"), vpc.GetConnector()).
			fix("Keep Direct VPC egress and drop the connector (the first command), or keep the connector and drop the interfaces (the second).",
				serviceUpdate(p)+" --clear-vpc-connector",
				serviceUpdate(p)+" --clear-network")
	}
	iface, early := resolveDirectInterface(p)
	if early != nil {
		return *early
	}
	subnet, subRef := iface.Subnet, iface.SubnetRef
	if region := p.Inv.NamesOfSubnet(subnet).Region; region != "" && region != p.Region() {
		return fail(subRef.String(), "Direct VPC subnet %s is in %s, but service %s runs in %s; the subnet must be in the service's region", subRef.Name, region, p.ServiceRef.Name, p.Region()).
			fix("Use a subnet of the same network in the service's region.", directVPCCommand(p, iface.Network))
	}
	if p.Redis == nil {
		return redisUnknown(p)
	}
	authorized, err := p.AuthorizedNetwork()
	if err != nil {
		return fail(p.RedisRef.String(), "Redis %s authorizes network %q, which is not a network name: %v", p.RedisRef.Name, p.Redis.GetAuthorizedNetwork(), err)
	}
	if iface.Network != authorized {
		return fail(svc, "service %s's Direct VPC interface is on network %s (subnet %s), but Redis %s authorizes %s: packets reach the wrong VPC and time out",
			p.ServiceRef.Name, iface.Network, subRef.Name, p.RedisRef.Name, authorized).
			fix(fmt.Sprintf("Attach the service to a subnet of %s in %s.", authorized, p.Region()), directVPCCommand(p, authorized))
	}

	prefix, err := netip.ParsePrefix(strings.TrimSpace(subnet.GetIpCidrRange()))
	if err != nil || !prefix.Addr().Is4() {
		return fail(subRef.String(), "Direct VPC subnet %s has range %q, not an IPv4 range", subRef.Name, subnet.GetIpCidrRange())
	}
	if text, bad := unreachableFromMemorystore("Direct VPC subnet "+subRef.Name, prefix); bad {
		return fail(subRef.String(), "%s", text).fix("Use a subnet outside 172.17.0.0/16 for Direct VPC egress (create one in the service's region and network, then point the service at it).")
	}
	usable := usableAddresses(prefix)
	max, maxSet := maxInstances(p)
	maxText := fmt.Sprintf("max instances %d", max)
	if !maxSet {
		maxText = fmt.Sprintf("no max instances set, so Cloud Run's default of %d applies", max)
	}
	where := fmt.Sprintf("subnet %s (%s, %d usable addresses; addresses other resources in it use are not counted)", subRef.Name, prefix, usable)
	expand := func(need int) string {
		return command("gcloud compute networks subnets expand-ip-range %s --region %s --prefix-length %d --project %s", subRef.Name, subRef.Region, prefixFor(need), subRef.Project)
	}
	need := directVPCIPsPerInstance * max
	switch {
	case prefix.Bits() > directVPCMinSubnetBits:
		msg := fmt.Sprintf("Direct VPC %s is a /%d; Cloud Run reserves addresses 16 at a time and requires a /%d or larger", where, prefix.Bits(), directVPCMinSubnetBits)
		if need > usable {
			msg += fmt.Sprintf(", and service %s (%s) may use about %d addresses (%d per instance)", p.ServiceRef.Name, maxText, need, directVPCIPsPerInstance)
		}
		return fail(subRef.String(), "%s", msg).
			fix("Expand the subnet (the new range must not overlap any other range on the network), or attach the service to a larger subnet.", expand(maxInt(need, usableAddresses(netip.PrefixFrom(prefix.Addr(), directVPCMinSubnetBits)))))
	case need > usable:
		// The documented hard rule (a /26 or larger) holds; 2 addresses per instance is
		// the steady-state usage the docs plan with, reached only if the service really
		// scales that far, so this is a warning with the numbers.
		return warn(subRef.String(), "service %s (%s) could use about %d addresses at full scale (%d per running instance in steady state), but Direct VPC %s has room for about %d running instances; beyond that new instances fail to start (%q)",
			p.ServiceRef.Name, maxText, need, directVPCIPsPerInstance, where, usable/directVPCIPsPerInstance, subnetFullError+" … Please consider moving to a subnetwork with more available IP addresses.").
			fix("If the service may really scale that far, expand the subnet (the new range must not overlap any other range on the network); otherwise cap max instances at what it holds.",
				expand(need), serviceUpdate(p)+command(" --max-instances %d", usable/directVPCIPsPerInstance))
	}
	return pass(svc, "service %s uses Direct VPC egress on %s, which Redis %s authorizes; %s has room for %s at %d addresses each",
		p.ServiceRef.Name, iface.Network, p.RedisRef.Name, where, maxText, directVPCIPsPerInstance)
}

// directVPCIPsPerInstance is the factor the Cloud Run documentation gives for planning a
// Direct VPC subnet: in steady state Cloud Run uses twice as many IP addresses as it runs
// instances (https://cloud.google.com/run/docs/configuring/vpc-direct-vpc, "IP address
// allocation").
const directVPCIPsPerInstance = 2

// directVPCMinSubnetBits is the smallest subnet the same page asks for: the IPv4 range must
// be a /26 or larger, because Cloud Run reserves addresses in blocks of 16 (a /28) to
// scale quickly.
const directVPCMinSubnetBits = 26

// subnetFullError is what Cloud Run logs when a Direct VPC subnet has no address left for a
// new instance (quoted from a published incident; the subnet's name follows "subnetwork").
const subnetFullError = "Instance failed to start because of insufficient free IP addresses in the subnetwork"

// maxInstances is the service's ceiling on instances: the revision's, else the service's,
// else Cloud Run's default of 100; set says whether the service names one.
func maxInstances(p *inventory.Path) (max int, set bool) {
	if n := p.Service.GetTemplate().GetScaling().GetMaxInstanceCount(); n > 0 {
		return int(n), true
	}
	if n := p.Service.GetScaling().GetMaxInstanceCount(); n > 0 {
		return int(n), true
	}
	return defaultMaxInstances, false
}

// defaultMaxInstances is the ceiling Cloud Run applies when a service sets none: the v2 API
// says an unspecified RevisionScaling.max_instance_count "is set to the server default value
// of 100", and the max-instances page "By default, Cloud Run services are configured to
// scale out to a maximum of 100 instances."
const defaultMaxInstances = 100

// usableAddresses is how many addresses of a primary IPv4 range instances can get.
func usableAddresses(prefix netip.Prefix) int {
	size := 1 << (32 - prefix.Bits())
	if size <= reservedPerSubnet {
		return 0
	}
	return size - reservedPerSubnet
}

// reservedPerSubnet is how many addresses of every primary IPv4 range Google Cloud keeps for
// itself (network, gateway, second-to-last and broadcast addresses).
const reservedPerSubnet = 4

// prefixFor is the longest prefix (smallest subnet, at most a /26) with room for need
// addresses.
func prefixFor(need int) int {
	for length := directVPCMinSubnetBits; length > 8; length-- {
		if usableAddresses(netip.PrefixFrom(netip.IPv4Unspecified(), length)) >= need {
			return length
		}
	}
	return 8
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}
