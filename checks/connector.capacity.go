package checks

import (
	"fmt"
	"strings"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// connectorCapacity declares the check connector.capacity: its hop, title, prerequisites, the
// fields it reads, and its Run (checkConnectorCapacity, below).
func connectorCapacity() Check {
	return Check{
		ID: "connector.capacity", Hop: HopConnector, Title: "Connector is sized for Redis traffic",
		Summary:  "the connector does not run shared-core (f1-micro, e2-micro) instances or a maximum at its floor",
		Requires: []string{"connector.found"},
		Reads:    map[inventory.Kind][]string{inventory.KindConnector: {"machineType", "minInstances", "maxInstances", "minThroughput", "maxThroughput"}},
		Run:      checkConnectorCapacity,
	}
}

// Connector sizing. The Cloud Run documentation (VPC with connectors, "Limitation") warns
// that high packet rates can exhaust the shared CPU credits and connection-tracking memory
// of f1-micro and e2-micro connector instances, causing timeouts even below the bandwidth
// limits, and recommends e2-standard-4 for production with high concurrency or many small
// requests, which is what Redis traffic is.

// defaultConnectorMachine is what the API uses when machineType is unset.
const defaultConnectorMachine = "e2-micro"

// connectorMinInstancesFloor is the fewest instances a connector runs; a maximum just
// above it leaves no room to scale out.
const connectorMinInstancesFloor = 2

// connectorDefaultMaxInstances is gcloud's default --max-instances for a new connector.
const connectorDefaultMaxInstances = 10

// sharedCoreMachines are the machine types the documented packet-rate limitation covers.
var sharedCoreMachines = []string{"f1-micro", "e2-micro"}

func checkConnectorCapacity(p *inventory.Path) Result {
	c, ref, early := pathConnector(p)
	if early != nil {
		return *early
	}
	machine := c.GetMachineType()
	if machine == "" {
		machine = defaultConnectorMachine
	}
	min, max := int(c.GetMinInstances()), int(c.GetMaxInstances())
	if max == 0 && c.GetMaxThroughput() > 0 {
		// Connectors created with throughput flags: the API documents throughput in units
		// of e2-micro instances at 100 Mbps each (min 200 = 2 instances).
		max = int(c.GetMaxThroughput()) / 100
	}
	if min == 0 {
		min = connectorMinInstancesFloor
	}
	var problems []string
	var flags []string
	for _, m := range sharedCoreMachines {
		if machine == m {
			problems = append(problems, fmt.Sprintf("runs %s instances, whose shared CPU credits and connection-tracking memory high packet rates can exhaust, causing timeouts below the bandwidth limit", machine))
			flags = append(flags, "--machine-type e2-standard-4")
		}
	}
	if max > 0 && max <= min+1 {
		problems = append(problems, fmt.Sprintf("can grow only from %d to %d instances, so a burst of connections has nowhere to go", min, max))
		flags = append(flags, fmt.Sprintf("--max-instances %d", connectorDefaultMaxInstances))
	}
	if len(problems) == 0 {
		return pass(ref.String(), "connector %s runs %s instances, %d to %d", ref.Name, machine, min, max)
	}
	return warn(ref.String(), "connector %s %s", ref.Name, strings.Join(problems, "; it ")).
		fix("For production Redis traffic (many small requests), give the connector dedicated-core machines and room to scale out.",
			command("gcloud compute networks vpc-access connectors update %s --region %s --project %s %s", ref.Name, ref.Region, ref.Project, shell(strings.Join(flags, " "))))
}
