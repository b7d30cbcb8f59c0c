package checks

import (
	"strings"

	"cloud.google.com/go/compute/apiv1/computepb"
	"cloud.google.com/go/redis/apiv1/redispb"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// vpcPeering declares the check vpc.peering: its hop, title, prerequisites, the
// fields it reads, and its Run (checkVPCPeering, below).
func vpcPeering() Check {
	return Check{
		ID: "vpc.peering", Hop: HopVPC, Title: "Network peers with Memorystore",
		Summary: "the authorized network has an ACTIVE peering to the Redis producer network (redis-peer-* or servicenetworking-googleapis-com)",
		Reads:   map[inventory.Kind][]string{inventory.KindRedis: {"authorizedNetwork", "connectMode", inventory.RedisPeering}},
		Run:     checkVPCPeering,
	}
}

// The VPC hop: how the authorized network reaches the Memorystore producer network.

// Peering names Memorystore uses: one redis-peer-NUMBER peering per tenant project for
// DIRECT_PEERING instances, and the Service Networking peering for private services access.
const (
	directPeeringPrefix = "redis-peer-"
	psaPeeringName      = "servicenetworking-googleapis-com"
	peeringActive       = "ACTIVE"
)

func checkVPCPeering(p *inventory.Path) Result {
	if p.Redis == nil {
		return redisUnknown(p)
	}
	ref := p.RedisRef
	authorized, err := p.AuthorizedNetwork()
	if err != nil {
		return fail(ref.String(), "Redis %s authorizes network %q, which is not a network name: %v", ref.Name, p.Redis.GetAuthorizedNetwork(), err)
	}
	network, problem := p.Inv.Network(authorized)
	if problem != nil {
		if problem.Code != inventory.NotFound {
			return missing(authorized.String(), problem)
		}
		return fail(authorized.String(), "network %s, which Redis %s authorizes, does not exist (the snapshot's networks do not include it): with no network there is no peering to the instance", authorized, ref.Name).
			fix("Check the network; if it exists and the snapshot only lacks it, add its description and run again.",
				command("gcloud compute networks describe %s --project %s --format yaml", authorized.Name, authorized.Project))
	}
	psa := p.Redis.GetConnectMode() == redispb.Instance_PRIVATE_SERVICE_ACCESS
	expected := directPeeringPrefix + "*"
	if psa {
		expected = psaPeeringName
	}
	var inactive []*computepb.NetworkPeering
	for _, peering := range network.GetPeerings() {
		if !peeringMatches(peering.GetName(), psa) {
			continue
		}
		if strings.EqualFold(peering.GetState(), peeringActive) {
			return pass(authorized.String(), "network %s has ACTIVE peering %s to %s, the %s path to Redis %s", authorized.Name, peering.GetName(), peerNetwork(peering), connectModeName(psa), ref.Name)
		}
		inactive = append(inactive, peering)
	}
	if len(inactive) > 0 {
		peering := inactive[0]
		return fail(authorized.String(), "network %s's peering %s to the Memorystore producer network is %s (%s): packets to Redis %s at %s are dropped",
			authorized.Name, peering.GetName(), peering.GetState(), orDefault(peering.GetStateDetails(), "no details"), ref.Name, p.Redis.GetHost()).
			fix("An INACTIVE peering no longer has its other side: delete it and let Memorystore set it up again.",
				append([]string{command("gcloud compute networks peerings delete %s --network %s --project %s", peering.GetName(), authorized.Name, authorized.Project)},
					peeringRepair(p, authorized, psa)...)...)
	}
	return fail(authorized.String(), "network %s has no %s connection (a peering named %s) to the Memorystore producer network, so nothing routes to Redis %s at %s",
		authorized.Name, connectModeName(psa), expected, ref.Name, p.Redis.GetHost()).
		fix(peeringRepairText(psa), peeringRepair(p, authorized, psa)...)
}

func peeringMatches(name string, psa bool) bool {
	if psa {
		return name == psaPeeringName
	}
	return strings.HasPrefix(name, directPeeringPrefix)
}

func connectModeName(psa bool) string {
	if psa {
		return "private services access"
	}
	return "direct peering"
}

func peeringRepairText(psa bool) string {
	if psa {
		return "Connect the network to Service Networking again, with the allocated range the instance's reservedIpRange belongs to (the first command lists the allocated ranges)."
	}
	return "Memorystore's troubleshooting guide: to re-establish a deleted peering, create another instance on the network and delete it; that sets up the peering the original instance needs."
}

// peeringRepair gives the documented repair for each connect mode.
func peeringRepair(p *inventory.Path, net inventory.NetworkRef, psa bool) []string {
	ref := p.RedisRef
	if psa {
		return []string{
			command("gcloud compute addresses list --global --filter purpose=VPC_PEERING --project %s", net.Project),
			command("gcloud services vpc-peerings connect --service servicenetworking.googleapis.com --network %s --ranges RANGE_NAME --project %s", net.Name, net.Project),
		}
	}
	repair := "redis-peering-repair"
	return []string{
		command("gcloud redis instances create %s --size 1 --region %s --network %s --project %s", repair, ref.Region, net.String(), ref.Project),
		command("gcloud redis instances delete %s --region %s --project %s --quiet", repair, ref.Region, ref.Project),
	}
}

// peerNetwork spells a peering's other network as a relative name, not a self link.
func peerNetwork(peering *computepb.NetworkPeering) string {
	if ref, err := inventory.ParseNetwork(peering.GetNetwork(), ""); err == nil && ref.Project != "" {
		return ref.String()
	}
	return peering.GetNetwork()
}
