package checks

import "github.com/vpcdoctor/vpcdoctor/inventory"

// connectorFound declares the check connector.found: its hop, title, prerequisites, the
// fields it reads, and its Run (checkConnectorFound, below).
func connectorFound() Check {
	return Check{
		ID: "connector.found", Hop: HopConnector, Title: "Connector exists",
		Summary:  "the connector the service names exists",
		Requires: []string{"run.vpc-egress"},
		Run:      checkConnectorFound,
	}
}

func checkConnectorFound(p *inventory.Path) Result {
	ref, ok := p.ConnectorRef()
	if !ok {
		return noConnectorRef(p)
	}
	c, problem := p.Inv.Connector(ref)
	if problem == nil {
		return pass(ref.String(), "connector %s exists in %s (%s)", ref.Name, ref.Region, ref.Project)
	}
	if problem.Code != inventory.NotFound {
		return missing(ref.String(), problem)
	}
	_ = c
	result := fail(ref.String(), "service %s names connector %s, which does not exist in project %s, region %s",
		p.ServiceRef.Name, ref.Name, ref.Project, ref.Region)
	if net, ok := redisNetwork(p); ok {
		return result.fix("Create the connector on the network Redis authorizes (the range below overlaps nothing in the snapshot), or point the service at an existing one.",
			connectorCreate(p, ref.Name, p.Region(), net, ""))
	}
	return result.fix("Create the connector in the service's region, or point the service at an existing one.",
		command("gcloud compute networks vpc-access connectors list --region %s --project %s", p.Region(), ref.Project))
}
