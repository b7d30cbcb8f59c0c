package checks

import "github.com/vpcdoctor/vpcdoctor/inventory"

// connectorRegion declares the check connector.region: its hop, title, prerequisites, the
// fields it reads, and its Run (checkConnectorRegion, below).
func connectorRegion() Check {
	return Check{
		ID: "connector.region", Hop: HopConnector, Title: "Connector is in the service's region",
		Summary:  "the connector is in the same region as the service",
		Requires: []string{"connector.found"},
		Run:      checkConnectorRegion,
	}
}

func checkConnectorRegion(p *inventory.Path) Result {
	_, ref, early := pathConnector(p)
	if early != nil {
		return *early
	}
	if ref.Region == p.Region() {
		return pass(ref.String(), "connector %s and service %s are both in %s", ref.Name, p.ServiceRef.Name, ref.Region)
	}
	result := fail(ref.String(), "connector %s is in %s but service %s runs in %s; Cloud Run only uses a connector in its own region",
		ref.Name, ref.Region, p.ServiceRef.Name, p.Region())
	net, ok := redisNetwork(p)
	if !ok {
		return result.fix("Create a connector in the service's region.")
	}
	name := ref.Name + "-" + p.Region()
	return result.fix("Create a connector in the service's region on the Redis network and point the service at it.",
		connectorCreate(p, name, p.Region(), net, ""),
		serviceUpdate(p)+command(" --vpc-connector %s", name))
}
