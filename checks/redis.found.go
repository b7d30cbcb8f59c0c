package checks

import (
	"fmt"

	clusterpb "cloud.google.com/go/redis/cluster/apiv1/clusterpb"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// redisFound declares the check redis.found: its hop, title, prerequisites, the
// fields it reads, and its Run (checkRedisFound, below).
func redisFound() Check {
	return Check{
		ID: "redis.found", Hop: HopRedis, Title: "Redis instance exists",
		Summary: "the Memorystore for Redis instance the service should reach exists and can be read",
		Run:     checkRedisFound,
	}
}

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
