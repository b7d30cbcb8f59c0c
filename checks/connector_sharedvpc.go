package checks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// cloudRunServiceAgent is the identity Cloud Run uses to attach a revision to a connector;
// it needs roles/vpcaccess.user on the connector's project when that is another project.
func cloudRunServiceAgent(number string) string {
	return "service-" + number + "@serverless-robot-prod.iam.gserviceaccount.com"
}

func checkConnectorSharedVPC(p *inventory.Path) Result {
	c, ref, early := pathConnector(p)
	if early != nil {
		return *early
	}
	service := p.Project()
	net, netProblem := connectorNetworkOf(p, c)
	if ref.Project == service {
		if netProblem == nil && net.Project != service {
			return pass(ref.String(), "connector %s is in service %s's own project %s and attaches to network %s of host project %s: the host project must keep granting this project's Serverless VPC Access service agent roles/compute.networkUser on the subnet, and keep the connector's firewall rules (vpc.connector-firewall)",
				ref.Name, p.ServiceRef.Name, service, net.Name, net.Project)
		}
		return pass(ref.String(), "connector %s and service %s are both in project %s: no cross-project permission is involved", ref.Name, p.ServiceRef.Name, service)
	}
	number := projectNumber(p)
	connected := c.GetConnectedProjects()
	if slices.Contains(connected, service) || slices.Contains(connected, number) {
		agent := "the Cloud Run service agent of " + service
		if number != "PROJECT_NUMBER" {
			agent = "the Cloud Run service agent " + cloudRunServiceAgent(number)
		}
		return pass(ref.String(), "connector %s is in project %s and lists service %s's project %s among its connected projects: %s may use it (it needs roles/vpcaccess.user on %s)",
			ref.Name, ref.Project, p.ServiceRef.Name, service, agent, ref.Project)
	}
	listed := "none"
	if len(connected) > 0 {
		listed = strings.Join(connected, ", ")
	}
	var commands []string
	if number == "PROJECT_NUMBER" {
		commands = append(commands, command("gcloud projects describe %s --format 'value(projectNumber)'", service))
	}
	commands = append(commands,
		command("gcloud projects add-iam-policy-binding %s --member serviceAccount:%s --role roles/vpcaccess.user", ref.Project, cloudRunServiceAgent(number)),
		serviceUpdate(p)+command(" --vpc-connector %s", ref.String()))
	return fail(ref.String(), "connector %s is in project %s, but its connected projects (%s) do not include service %s's project %s: Cloud Run can only attach the service to it when the Cloud Run service agent %s holds roles/vpcaccess.user on %s (deploys fail with a permission error on vpcaccess.connectors.use)",
		ref.Name, ref.Project, listed, p.ServiceRef.Name, service, cloudRunServiceAgent(number), ref.Project).
		fix(fmt.Sprintf("Grant the Cloud Run service agent of %s the Serverless VPC Access User role on %s (a host project admin runs this), then deploy again.", service, ref.Project), commands...)
}
