package checks

import (
	"net/netip"
	"sort"
	"strings"

	"cloud.google.com/go/compute/apiv1/computepb"
	"cloud.google.com/go/run/apiv2/runpb"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// vpcEgressNAT declares the check vpc.egress-nat: its hop, title, prerequisites, the
// fields it reads, and its Run (checkEgressNAT, below).
func vpcEgressNAT() Check {
	return Check{
		ID: "vpc.egress-nat", Hop: HopVPC, Title: "Cloud NAT serves all-traffic egress",
		Summary:  "with all-traffic egress, a public Cloud NAT gateway of the egress network and region serves the connector's or Direct VPC subnet, so internet calls do not time out",
		Requires: []string{"run.vpc-egress"},
		Reads:    map[inventory.Kind][]string{inventory.KindService: {"template.vpcAccess.egress"}, inventory.KindConnector: {"network", "subnet"}},
		Run:      checkEgressNAT,
	}
}

// With all-traffic egress, every destination the service calls, the internet included,
// enters the VPC through the connector or the Direct VPC interface, neither of which has
// an external address. Only a public Cloud NAT gateway of that network and region,
// configured for the subnet the traffic leaves from, takes it on to the internet
// (explain/vpc.egress-nat.md cites each rule used here).

// The RouterNat fields' values, as the Compute API spells them.
var (
	natAllSubnetsAllRanges     = computepb.RouterNat_ALL_SUBNETWORKS_ALL_IP_RANGES.String()
	natAllSubnetsPrimaryRanges = computepb.RouterNat_ALL_SUBNETWORKS_ALL_PRIMARY_IP_RANGES.String()
	natListOfSubnets           = computepb.RouterNat_LIST_OF_SUBNETWORKS.String()
	natPrivate                 = computepb.RouterNat_PRIVATE.String()
	natSubnetAllRanges         = computepb.RouterNatSubnetworkToNat_ALL_IP_RANGES.String()
	natSubnetPrimaryRange      = computepb.RouterNatSubnetworkToNat_PRIMARY_IP_RANGE.String()
	natEndpointVM              = computepb.RouterNat_ENDPOINT_TYPE_VM.String()
)

// egressSubnet is where a path's internet-bound traffic enters the VPC.
type egressSubnet struct {
	Network inventory.NetworkRef
	Region  string
	// Subnet is the subnet the traffic leaves from; zero for a connector created with its
	// own range, whose subnet is hidden (Hidden).
	Subnet inventory.SubnetRef
	Hidden bool
	// What names the source in messages: "connector C (its own range R)", "Direct VPC subnet S".
	What string
}

func checkEgressNAT(p *inventory.Path) Result {
	vpc := p.VpcAccess()
	if vpc.GetEgress() != runpb.VpcAccess_ALL_TRAFFIC {
		return skip(p.ServiceRef.String(), "egress is private-ranges-only: the service's internet calls do not enter the VPC, so they need no Cloud NAT")
	}
	src, early := egressSubnetOf(p)
	if early != nil {
		return *early
	}
	routers, problem := p.Inv.RoutersOf(src.Network)
	if problem != nil {
		return missing(src.Network.String(), problem)
	}
	coverage := natCoverage(routers, p.Inv.NamesOfRouter, src)
	if coverage.router != "" {
		return pass(src.Network.String(), "egress is all-traffic and NAT %s on Cloud Router %s (%s, network %s) serves %s, so the service's internet calls are translated", coverage.nat, coverage.router, src.Region, src.Network, src.What)
	}
	return warn(src.Network.String(), "egress is all-traffic, so the service's internet calls leave through %s on network %s in %s, and no public Cloud NAT gateway serves it there: %s. Those calls time out; Redis is not affected", src.What, src.Network, src.Region, coverage.why()).
		fix(coverage.remedy(p, src), coverage.commands(p, src)...)
}

// egressSubnetOf resolves the connector's or the Direct VPC interface's subnet, or returns
// the Result to give instead (the connector and Direct VPC checks report what is wrong).
func egressSubnetOf(p *inventory.Path) (egressSubnet, *Result) {
	vpc := p.VpcAccess()
	if vpc.GetConnector() == "" {
		if len(vpc.GetNetworkInterfaces()) == 0 {
			r := skip(p.ServiceRef.String(), "service %s has no VPC egress (see run.vpc-egress)", p.ServiceRef.Name)
			return egressSubnet{}, &r
		}
		di, early := resolveDirectInterface(p)
		if early != nil {
			r := skip(p.ServiceRef.String(), "the Direct VPC interface's subnet is not usable (see run.direct-vpc)")
			if early.Status == Error {
				r = *early
			}
			return egressSubnet{}, &r
		}
		region := inventory.RegionOf(di.Subnet.GetRegion())
		if region == "" {
			region = di.SubnetRef.Region
		}
		return egressSubnet{Network: di.Network, Region: region, Subnet: di.SubnetRef,
			What: "Direct VPC subnet " + di.SubnetRef.Name + " (" + di.Subnet.GetIpCidrRange() + ")"}, nil
	}
	c, ref, early := pathConnector(p)
	if early != nil {
		if early.Status == Error {
			return egressSubnet{}, early
		}
		r := skip(p.ServiceRef.String(), "the connector is not available (see connector.found)")
		return egressSubnet{}, &r
	}
	net, problem := connectorNetworkOf(p, c)
	if problem != nil {
		r := missing(ref.String(), problem)
		if problem.Code == inventory.NotFound {
			r = skip(ref.String(), "the connector's subnet is not available (see connector.subnet)")
		}
		return egressSubnet{}, &r
	}
	if names := p.Inv.NamesOfConnector(c); names.HasSubnet {
		subRef := names.Subnet
		if names.SubnetErr != nil {
			r := skip(ref.String(), "the connector's subnet is not a subnet name (see connector.subnet)")
			return egressSubnet{}, &r
		}
		return egressSubnet{Network: net, Region: ref.Region, Subnet: subRef, What: "connector " + ref.Name + "'s subnet " + subRef.Name}, nil
	}
	return egressSubnet{Network: net, Region: ref.Region, Hidden: true,
		What: "connector " + ref.Name + " (its own range " + orDefault(c.GetIpCidrRange(), "(none)") + ", on a hidden subnet)"}, nil
}

// natFinding is what the routers of the egress region say about the egress subnet.
type natFinding struct {
	// router and nat name the NAT that serves the subnet; empty when none does.
	router, nat string
	// routers counts the Cloud Routers of the network in the region; firstRouter names
	// one, for a fix that adds a NAT to it.
	routers     int
	firstRouter string
	// elsewhere lists the other regions where the network has a public NAT: a NAT serves
	// only the subnets of its own region.
	elsewhere []string
	// hidden: the egress subnet is a connector's hidden one, which only an all-subnets NAT serves.
	hidden bool
	// private lists the PRIVATE NATs (they translate only to other VPCs), skipped lists
	// the public NATs that serve other subnets or ranges, as "router/nat".
	private, skipped []string
	// listNATs are the public LIST_OF_SUBNETWORKS NATs, each with the subnets it lists,
	// so a fix can add the egress subnet to one; allSubnets names an all-subnets NAT.
	listNATs   []listNAT
	allSubnets string
}

// listNAT is a LIST_OF_SUBNETWORKS NAT and the subnets (with their range options) it lists.
type listNAT struct {
	router, nat string
	subnets     []string
}

// natCoverage looks through the routers of the egress network for a public NAT of the
// egress region that serves the egress subnet's primary range; namesOf gives a router's
// parsed names.
func natCoverage(routers []*computepb.Router, namesOf func(*computepb.Router) inventory.RouterNames, src egressSubnet) natFinding {
	found := natFinding{hidden: src.Hidden}
	for _, router := range routers {
		names := namesOf(router)
		if region := names.Region; region != src.Region {
			if hasPublicNAT(router) && region != "" && !contains(found.elsewhere, region) {
				found.elsewhere = append(found.elsewhere, region)
			}
			continue
		}
		found.routers++
		if found.firstRouter == "" {
			found.firstRouter = router.GetName()
		}
		for n, nat := range router.GetNats() {
			id := router.GetName() + "/" + nat.GetName()
			if strings.EqualFold(nat.GetType(), natPrivate) {
				found.private = append(found.private, id)
				continue
			}
			if !servesVMs(nat) {
				found.skipped = append(found.skipped, id)
				continue
			}
			switch nat.GetSourceSubnetworkIpRangesToNat() {
			case natAllSubnetsAllRanges, natAllSubnetsPrimaryRanges:
				// Every subnet of the region, the connector's hidden one included.
				found.router, found.nat = router.GetName(), nat.GetName()
				return found
			case natListOfSubnets:
				entry := listNAT{router: router.GetName(), nat: nat.GetName()}
				for i, s := range nat.GetSubnetworks() {
					listed := names.NATSubnets[n][i]
					entry.subnets = append(entry.subnets, customRangeFlag(s, listed))
					if !src.Hidden && listed == src.Subnet && servesPrimary(s) {
						found.router, found.nat = router.GetName(), nat.GetName()
						return found
					}
				}
				found.listNATs = append(found.listNATs, entry)
				found.skipped = append(found.skipped, id)
			default:
				found.skipped = append(found.skipped, id)
			}
		}
	}
	return found
}

// hasPublicNAT says whether a router has a NAT that translates to the internet.
func hasPublicNAT(router *computepb.Router) bool {
	for _, nat := range router.GetNats() {
		if !strings.EqualFold(nat.GetType(), natPrivate) && servesVMs(nat) {
			return true
		}
	}
	return false
}

// servesVMs says whether a NAT translates for VM endpoints, the connector's instances and
// the traffic of Direct VPC interfaces: an empty endpointTypes means ENDPOINT_TYPE_VM, the
// default; a NAT for Secure Web Proxy or proxy load balancer endpoints only does not.
func servesVMs(nat *computepb.RouterNat) bool {
	types := nat.GetEndpointTypes()
	return len(types) == 0 || contains(types, natEndpointVM)
}

func contains(list []string, item string) bool {
	for _, s := range list {
		if s == item {
			return true
		}
	}
	return false
}

// servesPrimary says whether one subnet entry of a LIST_OF_SUBNETWORKS NAT translates the
// subnet's primary range.
func servesPrimary(s *computepb.RouterNatSubnetworkToNat) bool {
	for _, r := range s.GetSourceIpRangesToNat() {
		if r == natSubnetAllRanges || r == natSubnetPrimaryRange {
			return true
		}
	}
	return false
}

// customRangeFlag is one entry of gcloud's --nat-custom-subnet-ip-ranges for a listed
// subnet: SUBNET (its primary range), SUBNET:ALL, or SUBNET:RANGE per secondary range.
// listed is the entry's parsed subnet (zero when its name is none).
func customRangeFlag(s *computepb.RouterNatSubnetworkToNat, listed inventory.SubnetRef) string {
	name := listed.Name
	if name == "" {
		name = inventory.ShortName(s.GetName())
	}
	var parts []string
	for _, r := range s.GetSourceIpRangesToNat() {
		switch r {
		case natSubnetAllRanges:
			return name + ":ALL"
		case natSubnetPrimaryRange:
			parts = append(parts, name)
		}
	}
	for _, secondary := range s.GetSecondaryIpRangeNames() {
		parts = append(parts, name+":"+secondary)
	}
	if len(parts) == 0 {
		return name
	}
	return strings.Join(parts, ",")
}

// why says, in a clause, why no NAT serves the egress subnet.
func (f natFinding) why() string {
	var why string
	switch {
	case f.routers == 0:
		why = "the network has no Cloud Router in that region, so no Cloud NAT gateway"
	case len(f.skipped) == 0 && len(f.private) == 0:
		why = "the network's Cloud Routers there have no NAT"
	case len(f.skipped) == 0:
		why = "the network's only NATs there (" + strings.Join(f.private, ", ") + ") are Private NAT, which does not translate to the internet"
	case f.hidden:
		why = "no NAT there serves all subnets, the only kind that reaches a connector's hidden subnet (" + strings.Join(f.skipped, ", ") + " lists subnets)"
	default:
		why = "no public NAT there serves that subnet's primary range (" + strings.Join(f.skipped, ", ") + " serves other subnets or ranges)"
	}
	if len(f.elsewhere) > 0 {
		sort.Strings(f.elsewhere)
		why += "; the network's NAT gateways in " + strings.Join(f.elsewhere, ", ") + " serve only their own region"
	}
	return why
}

// remedy is the remediation's sentence.
func (f natFinding) remedy(p *inventory.Path, src egressSubnet) string {
	alternative := ""
	if p.Redis != nil && redisHostPrivate(p) {
		alternative = " If the service needs no internet access, private-ranges-only egress still reaches Redis."
	}
	switch {
	case src.Hidden && len(f.listNATs) > 0:
		return "A connector with its own range sits on a hidden subnet that no NAT can list: switch the region's NAT to all subnets (or recreate the connector on a subnet of its own and list that)." + alternative
	case len(f.listNATs) > 0:
		return "Add the egress subnet to the region's NAT." + alternative
	case f.routers == 0:
		return "Create a Cloud Router and a Cloud NAT gateway for the egress subnet in its region." + alternative
	}
	return "Add a Cloud NAT gateway for the egress subnet to the region's Cloud Router." + alternative
}

// commands fills in the gcloud commands of the remediation.
func (f natFinding) commands(p *inventory.Path, src egressSubnet) []string {
	project := src.Network.Project
	subnets := command("--nat-all-subnet-ip-ranges")
	if !src.Hidden {
		subnets = command("--nat-custom-subnet-ip-ranges %s", src.Subnet.Name)
	}
	var cmds []string
	switch {
	case len(f.listNATs) > 0:
		nat := f.listNATs[0]
		if src.Hidden {
			subnets = command("--nat-all-subnet-ip-ranges")
		} else {
			list := append(append([]string(nil), nat.subnets...), src.Subnet.Name)
			sort.Strings(list)
			subnets = command("--nat-custom-subnet-ip-ranges %s", strings.Join(list, ","))
		}
		cmds = append(cmds, command("gcloud compute routers nats update %s --router %s --region %s --project %s ", nat.nat, nat.router, src.Region, project)+subnets)
	case f.routers == 0:
		cmds = append(cmds,
			command("gcloud compute routers create nat-router --network %s --region %s --project %s", src.Network.Name, src.Region, project),
			command("gcloud compute routers nats create nat-config --router nat-router --region %s --auto-allocate-nat-external-ips --project %s ", src.Region, project)+subnets)
	default:
		cmds = append(cmds, command("gcloud compute routers nats create nat-config --router %s --region %s --auto-allocate-nat-external-ips --project %s ", f.firstRouter, src.Region, project)+subnets)
	}
	if p.Redis != nil && redisHostPrivate(p) {
		cmds = append(cmds, serviceUpdate(p)+command(" --vpc-egress private-ranges-only"))
	}
	return cmds
}

// redisHostPrivate says whether the Redis host is in a range private-ranges-only egress
// routes through the VPC, so that egress setting is a fix that keeps Redis reachable.
func redisHostPrivate(p *inventory.Path) bool {
	addr, err := netip.ParseAddr(p.Redis.GetHost())
	return err == nil && isPrivateRoute(addr)
}
