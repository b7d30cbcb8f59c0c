package checks

import (
	"cloud.google.com/go/redis/apiv1/redispb"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// redisReady declares the check redis.ready: its hop, title, prerequisites, the
// fields it reads, and its Run (checkRedisReady, below).
func redisReady() Check {
	return Check{
		ID: "redis.ready", Hop: HopRedis, Title: "Redis instance is READY",
		Summary:  "the instance's state is READY",
		Requires: []string{"redis.found"},
		Reads:    map[inventory.Kind][]string{inventory.KindRedis: {"state"}},
		Run:      checkRedisReady,
	}
}

func checkRedisReady(p *inventory.Path) Result {
	r, ref := p.Redis, p.RedisRef
	describe := command("gcloud redis instances describe %s --region %s --project %s", ref.Name, ref.Region, ref.Project)
	switch state := r.GetState(); state {
	case redispb.Instance_READY:
		return pass(ref.String(), "Redis %s is READY", ref.Name)
	case redispb.Instance_CREATING:
		return warn(ref.String(), "Redis %s is CREATING: it has no endpoint to connect to yet", ref.Name).fix("Wait for creation to finish.", describe)
	case redispb.Instance_UPDATING, redispb.Instance_MAINTENANCE, redispb.Instance_FAILING_OVER, redispb.Instance_IMPORTING:
		return warn(ref.String(), "Redis %s is %s: clients can see connection resets or a short outage until it is READY again", ref.Name, state).
			fix("Make clients reconnect with backoff, and check the instance again when the operation ends.", describe)
	case redispb.Instance_REPAIRING:
		return fail(ref.String(), "Redis %s is REPAIRING: Memorystore is recovering the instance and it may refuse connections", ref.Name).
			fix("Wait for the repair to end; if it does not, open a support case with the instance name.", describe)
	case redispb.Instance_DELETING:
		return fail(ref.String(), "Redis %s is DELETING", ref.Name).fix("Point the service at another instance, or recreate this one.", describe)
	default:
		return fail(ref.String(), "Redis %s is in state %s, not READY", ref.Name, state).fix("Read the instance's status message.", describe)
	}
}
