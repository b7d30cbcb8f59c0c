package checks

import (
	"fmt"
	"net/netip"
	"strings"

	"cloud.google.com/go/vpcaccess/apiv1/vpcaccesspb"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// The connector hop: the Serverless VPC Access connector the service egresses through.
// Every check here is skipped for Direct VPC egress.

// pathConnector returns the service's connector, or a Result to return instead (skip for
// Direct VPC, error/fail when it cannot be read).
func pathConnector(p *inventory.Path) (*vpcaccesspb.Connector, inventory.ConnectorRef, *Result) {
	ref, ok := p.ConnectorRef()
	if !ok {
		r := noConnectorRef(p)
		if r.Status == Fail { // connector.found reports the bad name; the others wait for it
			r = skip(p.ServiceRef.String(), "service %s names a connector that is not a valid connector name", p.ServiceRef.Name)
		}
		return nil, ref, &r
	}
	c, problem := p.Inv.Connector(ref)
	if problem != nil {
		r := missing(ref.String(), problem)
		return nil, ref, &r
	}
	return c, ref, nil
}

// noConnectorRef is the result for a path without a usable connector name: a skip when
// the service names none (Direct VPC egress, or none at all), and a fail when the name it
// gives is not of the connector name format the Cloud Run API documents
// (projects/{project}/locations/{location}/connectors/{connector}, or a short name), so no
// connector can answer to it, said without pasting the value into any command.
func noConnectorRef(p *inventory.Path) Result {
	if name := p.VpcAccess().GetConnector(); name != "" {
		return fail(p.ServiceRef.String(), "service %s names connector %q, which is not a connector name (NAME, or projects/PROJECT/locations/REGION/connectors/NAME), so no connector can carry its traffic", p.ServiceRef.Name, name).
			fix("Name one of the region's connectors (the run.googleapis.com/vpc-access-connector annotation, or --vpc-connector).",
				command("gcloud compute networks vpc-access connectors list --region %s --project %s", p.Region(), p.Project()))
	}
	return skip(p.ServiceRef.String(), "service %s uses Direct VPC egress, not a connector", p.ServiceRef.Name)
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

// connectorNetworkOf returns the network a connector attaches to: its network field, or,
// for a connector created on an existing subnet, that subnet's network.
func connectorNetworkOf(p *inventory.Path, c *vpcaccesspb.Connector) (inventory.NetworkRef, *inventory.Problem) {
	ref, err := inventory.ParseConnector(c.GetName(), "", "")
	if err != nil {
		return inventory.NetworkRef{}, &inventory.Problem{Kind: inventory.KindConnector, Name: c.GetName(), Code: inventory.Unavailable, Detail: err.Error()}
	}
	if subRef, named, err := connectorSubnetRef(c, ref); named {
		if err != nil {
			return inventory.NetworkRef{}, &inventory.Problem{Kind: inventory.KindSubnetwork, Name: c.GetSubnet().GetName(), Code: inventory.NotFound, Detail: err.Error()}
		}
		subnet, problem := p.Inv.Subnet(subRef)
		if problem != nil {
			return inventory.NetworkRef{}, problem
		}
		net, err := inventory.ParseNetwork(subnet.GetNetwork(), subRef.Project)
		if err != nil {
			return inventory.NetworkRef{}, &inventory.Problem{Kind: inventory.KindSubnetwork, Name: subRef.String(), Code: inventory.Unavailable, Detail: err.Error()}
		}
		return net, nil
	}
	net, err := inventory.ParseNetwork(c.GetNetwork(), ref.Project)
	if err != nil {
		return inventory.NetworkRef{}, &inventory.Problem{Kind: inventory.KindConnector, Name: ref.String(), Code: inventory.Unavailable, Detail: "connector has no network: " + err.Error()}
	}
	return net, nil
}

// connectorSubnetRef is the existing subnet a connector was created on, in the project
// its subnet.projectId names (a Shared VPC host) or else the connector's own, and the
// connector's region; named is false for a connector with its own range.
func connectorSubnetRef(c *vpcaccesspb.Connector, ref inventory.ConnectorRef) (subRef inventory.SubnetRef, named bool, err error) {
	sub := c.GetSubnet()
	if sub.GetName() == "" {
		return inventory.SubnetRef{}, false, nil
	}
	project := sub.GetProjectId()
	if project == "" {
		project = ref.Project
	}
	subRef, err = inventory.ParseSubnet(sub.GetName(), project, ref.Region)
	return subRef, true, err
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

func checkConnectorRange(p *inventory.Path) Result {
	c, ref, early := pathConnector(p)
	if early != nil {
		return *early
	}
	if c.GetIpCidrRange() == "" {
		if sub := c.GetSubnet(); sub != nil && sub.GetName() != "" {
			return pass(ref.String(), "connector %s uses existing subnet %s instead of its own range", ref.Name, sub.GetName())
		}
		return fail(ref.String(), "connector %s has neither an IP range nor a subnet", ref.Name)
	}
	cidr := strings.TrimSpace(c.GetIpCidrRange())
	prefix, err := netip.ParsePrefix(cidr)
	net, problem := connectorNetworkOf(p, c)
	if problem != nil {
		return missing(ref.String(), problem)
	}
	recreate := func(result Result, text string) Result {
		return result.fix(text,
			command("gcloud compute networks vpc-access connectors delete %s --region %s --project %s", ref.Name, ref.Region, ref.Project),
			connectorCreate(p, ref.Name, ref.Region, net, c.GetName()))
	}
	if err != nil || !prefix.Addr().Is4() || prefix.Masked() != prefix {
		return recreate(fail(ref.String(), "connector %s has range %q, which is not an IPv4 network address with prefix length", ref.Name, cidr),
			"Recreate the connector with a valid /28.")
	}
	if prefix.Bits() != 28 {
		return recreate(fail(ref.String(), "connector %s has range %s, a /%d; connectors need exactly a /28", ref.Name, prefix, prefix.Bits()),
			"Recreate the connector with a /28 range that overlaps nothing on the network.")
	}
	if text, bad := unreachableFromMemorystore("connector "+ref.Name+" range", prefix); bad {
		return recreate(fail(ref.String(), "%s", text), "Recreate the connector on a /28 outside 172.17.0.0/16 that overlaps nothing on the network.")
	}
	if _, problem := p.Inv.SubnetsOf(net); problem != nil {
		return missing(net.String(), problem)
	}
	used, owners := usedRanges(p, net, c.GetName())
	var clashes []string
	for _, i := range overlapping(prefix, used) {
		if owners[i] == "subnet "+impliedSubnetName(c) && used[i] == prefix {
			continue // the connector's own subnet, as the API lists it
		}
		clashes = append(clashes, fmt.Sprintf("%s (%s)", owners[i], used[i]))
	}
	if len(clashes) > 0 {
		return recreate(fail(ref.String(), "connector %s range %s overlaps %s on network %s", ref.Name, prefix, strings.Join(clashes, ", "), net),
			"Recreate the connector on a /28 that overlaps nothing (the range below is free in the snapshot).")
	}
	if _, problem := p.Inv.PeeringRangesOf(net); problem != nil {
		// Nothing known overlaps, but the private services access ranges could not be read.
		return missing(net.String(), problem)
	}
	return pass(ref.String(), "connector %s range %s is a /28 and overlaps no subnet, connector or Redis range on %s", ref.Name, prefix, net)
}

// impliedSubnetName is how a connector's own /28 can appear in subnet listings.
func impliedSubnetName(c *vpcaccesspb.Connector) string {
	return "aet-" + inventory.ShortName(c.GetName())
}
