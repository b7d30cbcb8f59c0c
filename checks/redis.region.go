package checks

import "github.com/vpcdoctor/vpcdoctor/inventory"

// redisRegion declares the check redis.region: its hop, title, prerequisites, the
// fields it reads, and its Run (checkRedisRegion, below).
func redisRegion() Check {
	return Check{
		ID: "redis.region", Hop: HopRedis, Title: "Redis is in the service's region",
		Summary:  "the instance is in the service's region (elsewhere works, slower)",
		Requires: []string{"redis.found"},
		Run:      checkRedisRegion,
	}
}

func checkRedisRegion(p *inventory.Path) Result {
	ref := p.RedisRef
	if ref.Region == p.Region() {
		return pass(ref.String(), "Redis %s and service %s are both in %s", ref.Name, p.ServiceRef.Name, ref.Region)
	}
	return warn(ref.String(), "Redis %s is in %s but service %s runs in %s: it works over the VPC, but every command pays the cross-region round trip and egress is billed",
		ref.Name, ref.Region, p.ServiceRef.Name, p.Region()).
		fix("Run the service in the Redis region, or create a Redis replica of the data in the service's region.",
			command("gcloud run deploy %s --region %s --project %s --image IMAGE", p.ServiceRef.Name, ref.Region, p.Project()))
}
