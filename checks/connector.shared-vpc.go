package checks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// connectorSharedVPC declares the check connector.shared-vpc: its hop, title, prerequisites, the
// fields it reads, and its Run (checkConnectorSharedVPC, below).
func connectorSharedVPC() Check {
	return Check{
		ID: "connector.shared-vpc", Hop: HopConnector, Title: "Service project may use the connector",
		Summary:  "a connector in another project is one the service's Cloud Run service agent may use: roles/vpcaccess.user on the connector's project, verified from its IAM policy when loaded",
		Requires: []string{"connector.found"},
		Run:      checkConnectorSharedVPC,
	}
}

// cloudRunServiceAgent is the identity Cloud Run uses to attach a revision to a connector;
// it needs roles/vpcaccess.user on the connector's project when that is another project.
func cloudRunServiceAgent(number string) string {
	return "service-" + number + "@serverless-robot-prod.iam.gserviceaccount.com"
}

// connectorUseRoles are the predefined roles that include vpcaccess.connectors.use, the
// permission Cloud Run's service agent needs on a connector of another project:
// Serverless VPC Access User and Admin, and the basic Editor and Owner roles.
var connectorUseRoles = []string{"roles/vpcaccess.user", "roles/vpcaccess.admin", "roles/editor", "roles/owner"}

// connectedProjects is not an allow list: the API calls it "Output only. List of projects
// using the connector". Who may use a connector of another project is decided by IAM on
// that project, so the grant is verified from its IAM policy when one was loaded, and
// otherwise reported as unverified with the command that makes it so.

func checkConnectorSharedVPC(p *inventory.Path) Result {
	c, ref, early := pathConnector(p)
	if early != nil {
		return *early
	}
	service := p.Project()
	resolution := p.ProjectResolution
	same, known := p.Inv.SameProject(ref.Project, service)
	if resolution.Unresolved || !known {
		return warn(ref.String(), "service %s names its project by number %s (gcloud prints the project number as the Knative namespace), and nothing in the snapshot ties that number to connector %s's project %s: vpcdoctor cannot tell whether the connector is in the service's own project or in another one, where the service's Cloud Run service agent needs roles/vpcaccess.user",
			p.ServiceRef.Name, p.NamedProject(), ref.Name, ref.Project).
			fix("Pass --project with the service's project id, or add the service project's `gcloud projects describe PROJECT --format json` to the snapshot.",
				command("gcloud projects describe %s --format 'value(projectId,projectNumber)'", p.NamedProject()))
	}
	if same {
		if resolution.Weak {
			return warn(ref.String(), "service %s names its project by number %s; vpcdoctor took it to be %s, %s, where connector %s is, but nothing in the snapshot proves it: if the service is in another project, its Cloud Run service agent needs roles/vpcaccess.user on %s",
				p.ServiceRef.Name, p.NamedProject(), service, resolution.Evidence, ref.Name, ref.Project).
				fix("Pass --project with the service's project id, or add the service project's `gcloud projects describe PROJECT --format json` to the snapshot.",
					command("gcloud projects describe %s --format 'value(projectId,projectNumber)'", p.NamedProject()))
		}
		evidence := ""
		if resolution.Evidence != "" {
			evidence = fmt.Sprintf(" (the service's project number %s is %s: %s)", p.NamedProject(), service, resolution.Evidence)
		}
		net, netProblem := connectorNetworkOf(p, c)
		if netProblem == nil && net.Project != ref.Project {
			return pass(ref.String(), "connector %s is in service %s's own project %s%s and attaches to network %s of host project %s: no grant on the connector is needed; the host project must keep granting this project's Serverless VPC Access service agent roles/compute.networkUser on the subnet, and keep the connector's firewall rules (vpc.connector-firewall)",
				ref.Name, p.ServiceRef.Name, service, evidence, net.Name, net.Project)
		}
		return pass(ref.String(), "connector %s and service %s are both in project %s%s: no cross-project permission is involved", ref.Name, p.ServiceRef.Name, service, evidence)
	}

	number := projectNumber(p)
	using := "lists no project"
	if connected := c.GetConnectedProjects(); len(connected) > 0 {
		using = "lists " + strings.Join(connected, ", ")
	}
	grant := command("gcloud projects add-iam-policy-binding %s --member %s --role roles/vpcaccess.user", ref.Project, "serviceAccount:"+cloudRunServiceAgent(number))
	if number == "PROJECT_NUMBER" {
		return warn(ref.String(), "connector %s is in project %s, another project than service %s's %s: Cloud Run attaches the service only if the project's Cloud Run service agent (service-PROJECT_NUMBER@serverless-robot-prod.iam.gserviceaccount.com) holds roles/vpcaccess.user on %s, and the snapshot carries neither %s's project number nor that grant",
			ref.Name, ref.Project, p.ServiceRef.Name, service, ref.Project, service).
			fix(fmt.Sprintf("Look up %s's project number, then have a %s admin grant its Cloud Run service agent the Serverless VPC Access User role.", service, ref.Project),
				command("gcloud projects describe %s --format 'value(projectNumber)'", service), grant)
	}
	agent := cloudRunServiceAgent(number)
	policy, ok := p.Inv.IAMPolicyOf(ref.Project)
	if !ok {
		return warn(ref.String(), "connector %s is in project %s, another project than service %s's %s: Cloud Run attaches the service only if its Cloud Run service agent %s holds roles/vpcaccess.user on %s (deploys otherwise fail with a permission error), and no IAM policy of %s was loaded to verify it; the connector's connectedProjects (%s) only says which projects already use it, not which may",
			ref.Name, ref.Project, p.ServiceRef.Name, service, agent, ref.Project, ref.Project, using).
			fix(fmt.Sprintf("Verify the grant: add `gcloud projects get-iam-policy %s --format json` to the snapshot (live mode does not read IAM policies); if it is missing, a %s admin grants it.", ref.Project, ref.Project),
				command("gcloud projects get-iam-policy %s --format json", ref.Project), grant)
	}
	member := "serviceAccount:" + agent
	var conditional []string
	for _, b := range policy.Policy.GetBindings() {
		if !slices.Contains(connectorUseRoles, b.GetRole()) || !slices.Contains(b.GetMembers(), member) {
			continue
		}
		if b.GetCondition() != nil {
			conditional = append(conditional, b.GetRole())
			continue
		}
		return pass(ref.String(), "connector %s is in project %s, whose IAM policy (%s) grants service %s's Cloud Run service agent %s %s: Cloud Run may attach the service to it",
			ref.Name, ref.Project, policy.Source, p.ServiceRef.Name, agent, b.GetRole())
	}
	if len(conditional) > 0 {
		return warn(ref.String(), "connector %s is in project %s, whose IAM policy (%s) grants service %s's Cloud Run service agent %s %s only under a condition, which vpcdoctor does not evaluate",
			ref.Name, ref.Project, policy.Source, p.ServiceRef.Name, agent, strings.Join(conditional, ", ")).
			fix("Make sure the condition holds when Cloud Run deploys, or grant the role without one.", grant)
	}
	return warn(ref.String(), "connector %s is in project %s, whose IAM policy (%s) grants service %s's Cloud Run service agent %s none of %s: unless a folder or the organization grants it (inherited grants are not in a project's policy), deploys fail with a permission error on vpcaccess.connectors.use",
		ref.Name, ref.Project, policy.Source, p.ServiceRef.Name, agent, strings.Join(connectorUseRoles, ", ")).
		fix(fmt.Sprintf("Have a %s admin grant the Cloud Run service agent of %s the Serverless VPC Access User role (the first command lists inherited grants too), then deploy again.", ref.Project, service),
			command("gcloud projects get-ancestors-iam-policy %s", ref.Project), grant, serviceUpdate(p)+command(" --vpc-connector %s", ref.String()))
}
