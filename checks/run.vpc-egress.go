package checks

import (
	"fmt"
	"strings"

	"cloud.google.com/go/run/apiv2/runpb"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// runVPCEgress declares the check run.vpc-egress: its hop, title, prerequisites, the
// fields it reads, and its Run (checkVPCEgress, below).
func runVPCEgress() Check {
	return Check{
		ID: "run.vpc-egress", Hop: HopRun, Title: "Service has VPC egress",
		Summary: "the revision template sets a VPC connector or Direct VPC network interfaces, not both",
		Reads:   map[inventory.Kind][]string{inventory.KindService: {"template.vpcAccess.connector", "template.vpcAccess.networkInterfaces"}},
		Run:     checkVPCEgress,
	}
}

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
