package checks

import (
	"fmt"
	"net/netip"
	"strings"

	"cloud.google.com/go/run/apiv2/runpb"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// The Cloud Run hop: how the service's traffic leaves for the VPC.

func checkVPCEgress(p *inventory.Path) Result {
	svc := p.ServiceRef.String()
	vpc := p.VpcAccess()
	connector := vpc.GetConnector()
	interfaces := vpc.GetNetworkInterfaces()
	switch {
	case connector != "" && len(interfaces) > 0:
		return fail(svc, "service %s sets both a VPC connector (%s) and Direct VPC network interfaces (network %s); Cloud Run accepts only one egress path",
			p.ServiceRef.Name, connector, interfaces[0].GetNetwork()).
			fix("Keep one egress path: drop the connector to use Direct VPC egress, or drop the network interfaces to use the connector.",
				serviceUpdate(p)+" --clear-vpc-connector",
				serviceUpdate(p)+" --clear-network")
	case connector != "":
		return pass(svc, "service %s sends %s through connector %s", p.ServiceRef.Name, egressDescription(vpc), connector)
	case len(interfaces) > 0:
		ni := interfaces[0]
		return pass(svc, "service %s uses Direct VPC egress on network %s, subnet %s (%s)", p.ServiceRef.Name, orDefault(ni.GetNetwork(), "(subnet's network)"), orDefault(ni.GetSubnetwork(), "(default)"), egressDescription(vpc))
	}
	msg := fmt.Sprintf("service %s has no VPC egress: its revision template sets neither a VPC connector nor Direct VPC network interfaces, so traffic to a private Redis IP never enters the VPC", p.ServiceRef.Name)
	if misplaced := misplacedVPCAnnotations(p.Service); len(misplaced) > 0 {
		msg += fmt.Sprintf("; the annotations %s are on the Service's metadata, where the Cloud Run API rejects them (HTTP 400 \"Annotation ... is not supported on resources of kind 'Service'\"), so deploying this file fails before any traffic flows: move them to spec.template.metadata.annotations", strings.Join(misplaced, ", "))
	}
	return fail(svc, "%s", msg).fix("Attach the service to the Redis network through a connector (the first commands), or use Direct VPC egress instead (the last command).", egressCommands(p)...)
}

// egressCommands proposes the ways to give the service VPC egress, with real names.
func egressCommands(p *inventory.Path) []string {
	net, ok := redisNetwork(p)
	if !ok {
		return []string{serviceUpdate(p) + " --vpc-connector CONNECTOR --vpc-egress private-ranges-only"}
	}
	var cmds []string
	if name, ok := usableConnector(p, net); ok {
		cmds = append(cmds, serviceUpdate(p)+command(" --vpc-connector %s --vpc-egress private-ranges-only", name))
	} else {
		name := "redis-connector"
		cmds = append(cmds,
			connectorCreate(p, name, p.Region(), net, ""),
			serviceUpdate(p)+command(" --vpc-connector %s --vpc-egress private-ranges-only", name))
	}
	subnet, ok := subnetFor(p, net, p.Region())
	if !ok {
		subnet = "SUBNET"
	}
	cmds = append(cmds, serviceUpdate(p)+command(" --network %s --subnet %s --vpc-egress private-ranges-only", networkFlagFor(p, net), subnet))
	return cmds
}

// misplacedVPCAnnotations lists VPC annotations set at the Service level, a common mistake in
// hand-written service.yaml files.
func misplacedVPCAnnotations(svc *runpb.Service) []string {
	var found []string
	for _, key := range []string{inventory.AnnotationConnector, inventory.AnnotationEgress, inventory.AnnotationNetworkInterfaces} {
		if _, ok := svc.GetAnnotations()[key]; ok {
			found = append(found, key)
		}
	}
	return found
}

func egressDescription(vpc *runpb.VpcAccess) string {
	if vpc.GetEgress() == runpb.VpcAccess_ALL_TRAFFIC {
		return "all traffic (all-traffic)"
	}
	return "private-range traffic (private-ranges-only)"
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func checkEgressScope(p *inventory.Path) Result {
	svc := p.ServiceRef.String()
	vpc := p.VpcAccess()
	if p.Redis == nil {
		return redisUnknown(p)
	}
	host := p.Redis.GetHost()
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return fail(p.RedisRef.String(), "Redis %s reports host %q, which is not an IP address", p.RedisRef.Name, host)
	}
	if vpc.GetEgress() == runpb.VpcAccess_ALL_TRAFFIC {
		return pass(svc, "egress is all-traffic, so Redis host %s is routed through the VPC", host)
	}
	if isPrivateRoute(addr) {
		return pass(svc, "egress is private-ranges-only and Redis host %s is in a private range, so it is routed through the VPC", host)
	}
	return fail(svc, "egress is private-ranges-only, but Redis host %s is not in RFC 1918 or RFC 6598 space, so Cloud Run sends it to the internet instead of the VPC", host).
		fix("Route all egress through the VPC so the Redis address is reachable.", serviceUpdate(p)+" --vpc-egress all-traffic")
}
