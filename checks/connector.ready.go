package checks

import (
	"cloud.google.com/go/vpcaccess/apiv1/vpcaccesspb"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// connectorReady declares the check connector.ready: its hop, title, prerequisites, the
// fields it reads, and its Run (checkConnectorReady, below).
func connectorReady() Check {
	return Check{
		ID: "connector.ready", Hop: HopConnector, Title: "Connector is READY",
		Summary:  "the connector's state is READY",
		Requires: []string{"connector.found"},
		Reads:    map[inventory.Kind][]string{inventory.KindConnector: {"state"}},
		Run:      checkConnectorReady,
	}
}

func checkConnectorReady(p *inventory.Path) Result {
	c, ref, early := pathConnector(p)
	if early != nil {
		return *early
	}
	describe := command("gcloud compute networks vpc-access connectors describe %s --region %s --project %s", ref.Name, ref.Region, ref.Project)
	state := c.GetState()
	switch state {
	case vpcaccesspb.Connector_READY:
		return pass(ref.String(), "connector %s is READY", ref.Name)
	case vpcaccesspb.Connector_CREATING, vpcaccesspb.Connector_UPDATING:
		return warn(ref.String(), "connector %s is %s: traffic may not flow until it is READY", ref.Name, state).
			fix("Wait for the operation to finish and check again.", describe)
	}
	recreate := []string{
		describe,
		command("gcloud compute networks vpc-access connectors delete %s --region %s --project %s", ref.Name, ref.Region, ref.Project),
	}
	if net, problem := connectorNetworkOf(p, c); problem == nil {
		recreate = append(recreate, connectorCreate(p, ref.Name, ref.Region, net, ""))
	}
	return fail(ref.String(), "connector %s is %s, not READY: it forwards no traffic (Connectivity Tests: VPC_CONNECTOR_NOT_RUNNING)", ref.Name, state).
		fix("A connector in ERROR does not recover by itself: read its status, then delete and recreate it (often a range conflict or a missing service-account role).", recreate...)
}
