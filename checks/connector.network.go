package checks

import (
	"fmt"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// connectorNetwork declares the check connector.network: its hop, title, prerequisites, the
// fields it reads, and its Run (checkConnectorNetwork, below).
func connectorNetwork() Check {
	return Check{
		ID: "connector.network", Hop: HopConnector, Title: "Connector is on the Redis network",
		Summary:  "the connector's network (or its subnet's network) is the Redis authorizedNetwork",
		Requires: []string{"connector.found"},
		Reads:    map[inventory.Kind][]string{inventory.KindConnector: {"network", "subnet"}, inventory.KindRedis: {"authorizedNetwork"}},
		Run:      checkConnectorNetwork,
	}
}

func checkConnectorNetwork(p *inventory.Path) Result {
	c, ref, early := pathConnector(p)
	if early != nil {
		return *early
	}
	connectorNet, problem := connectorNetworkOf(p, c)
	if problem != nil {
		return missing(ref.String(), problem)
	}
	if p.Redis == nil {
		return redisUnknown(p)
	}
	authorized, err := p.AuthorizedNetwork()
	if err != nil {
		return fail(p.RedisRef.String(), "Redis %s authorizes network %q, which is not a network name: %v", p.RedisRef.Name, p.Redis.GetAuthorizedNetwork(), err)
	}
	if connectorNet == authorized {
		return pass(ref.String(), "connector %s is on network %s, which Redis %s authorizes", ref.Name, connectorNet, p.RedisRef.Name)
	}
	name := "redis-connector"
	if ref.Name == name {
		name = "redis-connector-" + authorized.Name
	}
	return fail(ref.String(), "connector %s is on network %s, but Redis %s authorizes %s: packets reach the wrong VPC and time out",
		ref.Name, connectorNet, p.RedisRef.Name, authorized).
		fix(fmt.Sprintf("Create a connector on %s (the network Redis authorizes) and point the service at it.", authorized),
			connectorCreate(p, name, p.Region(), authorized, ""),
			serviceUpdate(p)+command(" --vpc-connector %s", name))
}
