package checks

import (
	"fmt"

	"cloud.google.com/go/redis/apiv1/redispb"
	clusterpb "cloud.google.com/go/redis/cluster/apiv1/clusterpb"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// The Redis hop: the Memorystore instance itself.

func checkRedisFound(p *inventory.Path) Result {
	if p.Redis != nil {
		if p.Redis.GetHost() == "" { // created by a Terraform plan: the address comes with the apply
			return pass(p.RedisRef.String(), "Redis instance %s exists in %s", p.RedisRef.Name, p.RedisRef.Region)
		}
		return pass(p.RedisRef.String(), "Redis instance %s exists in %s (host %s, port %d)", p.RedisRef.Name, p.RedisRef.Region, p.Redis.GetHost(), p.Redis.GetPort())
	}
	problem := p.RedisProblem
	if problem == nil || problem.Code != inventory.NotFound {
		return missing(p.RedisRef.String(), problem)
	}
	if cluster := clusterFor(p); cluster != nil {
		return clusterFound(p, cluster)
	}
	name := p.RedisRef.Name
	if name == "" {
		return fail(p.ServiceRef.String(), "no Redis instance found for service %s: %s", p.ServiceRef.Name, problem.Detail).
			fix("List the instances the project has and pass the one the service uses with --redis.",
				command("gcloud redis instances list --region %s --project %s", p.Region(), p.Project()))
	}
	return fail(p.RedisRef.String(), "Redis instance %s does not exist in project %s, region %s", name, p.RedisRef.Project, p.RedisRef.Region).
		fix("Check the instance name and region.",
			command("gcloud redis instances list --region %s --project %s", p.RedisRef.Region, p.RedisRef.Project))
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

// clusterFor finds a Memorystore for Redis Cluster the user may have meant: one with the
// chosen name, or one whose discovery endpoint the service's env points at.
func clusterFor(p *inventory.Path) *clusterpb.Cluster {
	if p.RedisRef.Name != "" {
		if c := p.Inv.RedisCluster(p.RedisRef.Project, p.RedisRef.Region, p.RedisRef.Name); c != nil {
			return c
		}
	}
	hosts := inventory.EnvHosts(p.Service)
	for _, c := range p.Inv.RedisClusters {
		for _, ep := range c.GetDiscoveryEndpoints() {
			if _, ok := hosts[ep.GetAddress()]; ok {
				return c
			}
		}
	}
	return nil
}

func clusterFound(p *inventory.Path, c *clusterpb.Cluster) Result {
	ref, _ := inventory.ParseLocation(c.GetName(), "clusters")
	endpoint := "its discovery endpoint"
	if eps := c.GetDiscoveryEndpoints(); len(eps) > 0 {
		endpoint = fmt.Sprintf("its discovery endpoint %s:%d", eps[0].GetAddress(), eps[0].GetPort())
	}
	return fail(c.GetName(), "%s is a Memorystore for Redis Cluster, not a Memorystore for Redis instance: Cluster is reached through Private Service Connect at %s with a cluster-aware client, so the connector/peering path these checks cover does not apply", ref.Name, endpoint).
		fix("Connect with a Redis Cluster client to the discovery endpoint from a network that has the cluster's PSC endpoints, and check that setup instead.",
			command("gcloud redis clusters describe %s --region %s --project %s", ref.Name, ref.Region, ref.Project))
}
