package checks

import (
	"net/netip"

	"cloud.google.com/go/run/apiv2/runpb"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// runEgressScope declares the check run.egress-scope: its hop, title, prerequisites, the
// fields it reads, and its Run (checkEgressScope, below).
func runEgressScope() Check {
	return Check{
		ID: "run.egress-scope", Hop: HopRun, Title: "Egress setting routes the Redis IP",
		Summary:  "with private-ranges-only egress, the Redis host is in a range Cloud Run sends through the VPC",
		Requires: []string{"run.vpc-egress"},
		Reads:    map[inventory.Kind][]string{inventory.KindRedis: {"host"}, inventory.KindService: {"template.vpcAccess.egress"}},
		Run:      checkEgressScope,
	}
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
