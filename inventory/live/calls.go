package live

import (
	"context"
	"strings"

	"cloud.google.com/go/compute/apiv1/computepb"
	"cloud.google.com/go/iam/apiv1/iampb"
	"cloud.google.com/go/redis/apiv1/redispb"
	clusterpb "cloud.google.com/go/redis/cluster/apiv1/clusterpb"
	"cloud.google.com/go/resourcemanager/apiv3/resourcemanagerpb"
	"cloud.google.com/go/run/apiv2/runpb"
	"cloud.google.com/go/vpcaccess/apiv1/vpcaccesspb"
	"google.golang.org/protobuf/proto"

	"github.com/vpcdoctor/vpcdoctor/firewall"
	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// The calls. Each one is a single use of fetch (or of callFor, for the best-effort Cluster
// reads): the request, the problem to record when it fails, and what to keep when it
// answers. Every call is made once per key (see once), under the run's call slots and
// deadline (see call) and the response limits of its client's transport (live_limits.go).

// callFor runs one API call under the run's call slots and deadline and returns its
// answer. On error the answer is the zero value: a call abandoned at the deadline may
// still be writing its own result, which nothing reads.
func callFor[T any](ctx context.Context, l *liveLoader, do func(context.Context) (T, error)) (T, error) {
	var answer T
	err := l.call(ctx, func() (err error) {
		answer, err = do(ctx)
		return err
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return answer, nil
}

// fetch is callFor that records, when the call fails, the Problem that explains why the
// resource (kind and name; "" for a listing that stands for the whole kind) could not be
// read with op, and reports false.
func fetch[T any](ctx context.Context, l *liveLoader, kind inventory.Kind, name string, op liveOp, do func(context.Context) (T, error)) (T, bool) {
	answer, err := callFor(ctx, l, do)
	if err != nil {
		l.addProblem(l.problem(err, kind, name, op))
		return answer, false
	}
	return answer, true
}

// keep records what a call read, under the loader's lock: each resource through add, and
// the kind as read even when the answer is empty (an absent name then does not exist).
func keep[T proto.Message](l *liveLoader, kind inventory.Kind, resources ...T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range resources {
		l.add(kind, r)
	}
	l.inv.MarkListed(kind)
}

// keepPolicies records the firewall policies in effect on a network (one answer).
func (l *liveLoader) keepPolicies(policies *inventory.NetworkFirewallPolicies) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inv.FirewallPolicies = append(l.inv.FirewallPolicies, policies)
	l.inv.MarkListed(inventory.KindFirewallPolicy)
}

func (l *liveLoader) getService(ctx context.Context, name string) {
	svc, err := callFor(ctx, l, func(ctx context.Context) (*runpb.Service, error) {
		return l.clients.services.GetService(ctx, &runpb.GetServiceRequest{Name: name}, l.callOpts...)
	})
	if err != nil {
		// The requested service stands for the whole kind: Select reports it.
		p := l.problem(err, inventory.KindService, "", opRunServicesGet)
		p.Detail = joinDetail("service "+name, p.Detail)
		l.addProblem(p)
		return
	}
	l.addService(ctx, svc)
}

func (l *liveLoader) listServices(ctx context.Context, project, region string) {
	parent := "projects/" + project + "/locations/" + region
	services, ok := fetch(ctx, l, inventory.KindService, "", opRunServicesList, func(ctx context.Context) ([]*runpb.Service, error) {
		return collect(l.clients.services.ListServices(ctx, &runpb.ListServicesRequest{Parent: parent, PageSize: liveDefaultPageSize}, l.callOpts...))
	})
	if !ok {
		return
	}
	keep[*runpb.Service](l, inventory.KindService)
	for _, svc := range services {
		l.addService(ctx, svc)
	}
}

func (l *liveLoader) getRevision(ctx context.Context, name string) {
	rev, ok := fetch(ctx, l, inventory.KindRevision, name, opRunRevisionsGet, func(ctx context.Context) (*runpb.Revision, error) {
		return l.clients.revisions.GetRevision(ctx, &runpb.GetRevisionRequest{Name: name}, l.callOpts...)
	})
	if ok {
		keep(l, inventory.KindRevision, rev)
	}
}

func (l *liveLoader) listConnectors(ctx context.Context, project, region string) {
	parent := "projects/" + project + "/locations/" + region
	connectors, ok := fetch(ctx, l, inventory.KindConnector, "", opConnectorsList, func(ctx context.Context) ([]*vpcaccesspb.Connector, error) {
		return collect(l.clients.vpcAccess.ListConnectors(ctx, &vpcaccesspb.ListConnectorsRequest{Parent: parent, PageSize: liveDefaultPageSize}, l.callOpts...))
	})
	if ok {
		keep(l, inventory.KindConnector, connectors...)
	}
}

func (l *liveLoader) getConnector(ctx context.Context, ref inventory.ConnectorRef) {
	c, ok := fetch(ctx, l, inventory.KindConnector, ref.String(), opConnectorsGet, func(ctx context.Context) (*vpcaccesspb.Connector, error) {
		return l.clients.vpcAccess.GetConnector(ctx, &vpcaccesspb.GetConnectorRequest{Name: ref.String()}, l.callOpts...)
	})
	if ok {
		keep(l, inventory.KindConnector, c)
	}
}

func (l *liveLoader) listRedis(ctx context.Context, project string) {
	// "-" lists every region: the instance may sit in another region than the service
	// (redis.region), and the selection matches the service's env against all of them.
	parent := "projects/" + project + "/locations/-"
	instances, ok := fetch(ctx, l, inventory.KindRedis, "", opRedisList, func(ctx context.Context) ([]*redispb.Instance, error) {
		return collect(l.clients.redis.ListInstances(ctx, &redispb.ListInstancesRequest{Parent: parent, PageSize: liveDefaultPageSize}, l.callOpts...))
	})
	if !ok {
		return
	}
	l.mu.Lock()
	l.inv.MarkListed(inventory.KindRedis)
	l.redisListed = true
	l.mu.Unlock()
	for _, r := range instances {
		l.addRedis(ctx, r)
	}
}

func (l *liveLoader) getRedis(ctx context.Context, ref inventory.LocationRef) {
	r, ok := fetch(ctx, l, inventory.KindRedis, ref.String(), opRedisGet, func(ctx context.Context) (*redispb.Instance, error) {
		return l.clients.redis.GetInstance(ctx, &redispb.GetInstanceRequest{Name: ref.String()}, l.callOpts...)
	})
	if ok {
		l.addRedis(ctx, r)
	}
}

// getCluster and listClusters are best effort (see needCluster): a failure records nothing.

func (l *liveLoader) getCluster(ctx context.Context, ref inventory.LocationRef) {
	c, err := callFor(ctx, l, func(ctx context.Context) (*clusterpb.Cluster, error) {
		return l.clients.clusters.GetCluster(ctx, &clusterpb.GetClusterRequest{Name: ref.String()}, l.callOpts...)
	})
	if err == nil {
		l.addClusters(c)
	}
}

func (l *liveLoader) listClusters(ctx context.Context, project, region string) {
	parent := "projects/" + project + "/locations/" + region
	clusters, err := callFor(ctx, l, func(ctx context.Context) ([]*clusterpb.Cluster, error) {
		return collect(l.clients.clusters.ListClusters(ctx, &clusterpb.ListClustersRequest{Parent: parent, PageSize: liveDefaultPageSize}, l.callOpts...))
	})
	if err == nil {
		l.addClusters(clusters...)
	}
}

func (l *liveLoader) getNetwork(ctx context.Context, ref inventory.NetworkRef) {
	n, ok := fetch(ctx, l, inventory.KindNetwork, ref.String(), opNetworksGet, func(ctx context.Context) (*computepb.Network, error) {
		return l.clients.networks.Get(ctx, &computepb.GetNetworkRequest{Project: ref.Project, Network: ref.Name}, l.callOpts...)
	})
	if ok {
		keep(l, inventory.KindNetwork, n)
	}
}

// getEffectiveFirewalls reads the firewall policies in effect on a network. The response
// also carries the network's VPC firewall rules; those come from the project's firewall
// listing, which the connector checks need anyway.
func (l *liveLoader) getEffectiveFirewalls(ctx context.Context, ref inventory.NetworkRef) {
	response, ok := fetch(ctx, l, inventory.KindFirewallPolicy, ref.String(), opNetworksGetEffectiveFirewalls, func(ctx context.Context) (*computepb.NetworksGetEffectiveFirewallsResponse, error) {
		return l.clients.networks.GetEffectiveFirewalls(ctx, &computepb.GetEffectiveFirewallsNetworkRequest{Project: ref.Project, Network: ref.Name}, l.callOpts...)
	})
	if ok {
		l.keepPolicies(&inventory.NetworkFirewallPolicies{Network: ref.String(), Policies: response.GetFirewallPolicys()})
	}
}

// getRegionalEffectiveFirewalls reads the firewall policies in effect on a network's VMs
// in one region: the regional network firewall policies of the region, with the
// hierarchical and global network policies the global answer holds too (FirewallPoliciesIn
// evaluates each once). The VPC rules it carries come from the firewall listing.
func (l *liveLoader) getRegionalEffectiveFirewalls(ctx context.Context, ref inventory.NetworkRef, region string) {
	response, ok := fetch(ctx, l, inventory.KindFirewallPolicy, inventory.RegionalPoliciesName(ref, region), opRegionGetEffectiveFirewalls, func(ctx context.Context) (*computepb.RegionNetworkFirewallPoliciesGetEffectiveFirewallsResponse, error) {
		return l.clients.regionPolicies.GetEffectiveFirewalls(ctx, &computepb.GetEffectiveFirewallsRegionNetworkFirewallPolicyRequest{
			Project: ref.Project, Region: region, Network: networkURL(ref),
		}, l.callOpts...)
	})
	if !ok {
		return
	}
	policies := make([]*computepb.NetworksGetEffectiveFirewallsResponseEffectiveFirewallPolicy, 0, len(response.GetFirewallPolicys()))
	for _, p := range response.GetFirewallPolicys() {
		if converted := firewall.FromRegional(p); converted != nil {
			policies = append(policies, converted)
		}
	}
	l.keepPolicies(&inventory.NetworkFirewallPolicies{Network: ref.String(), Regional: true, Region: region, Policies: policies})
}

// networkURL is the network reference the regional getEffectiveFirewalls call takes: the
// full URL, which Compute accepts wherever a network is referenced.
func networkURL(ref inventory.NetworkRef) string {
	return "https://www.googleapis.com/compute/v1/" + ref.String()
}

func (l *liveLoader) listSubnetworks(ctx context.Context, project string) {
	subnets, ok := fetch(ctx, l, inventory.KindSubnetwork, "", opSubnetworksList, func(ctx context.Context) ([]*computepb.Subnetwork, error) {
		pairs, err := collect(l.clients.subnetworks.AggregatedList(ctx, &computepb.AggregatedListSubnetworksRequest{
			Project:    project,
			MaxResults: proto.Uint32(liveDefaultPageSize),
		}, l.callOpts...))
		var subnets []*computepb.Subnetwork
		for _, pair := range pairs {
			subnets = append(subnets, pair.Value.GetSubnetworks()...)
		}
		return subnets, err
	})
	if ok {
		keep(l, inventory.KindSubnetwork, subnets...)
	}
}

func (l *liveLoader) listFirewalls(ctx context.Context, project string) {
	firewalls, ok := fetch(ctx, l, inventory.KindFirewall, "", opFirewallsList, func(ctx context.Context) ([]*computepb.Firewall, error) {
		return collect(l.clients.firewalls.List(ctx, &computepb.ListFirewallsRequest{
			Project:    project,
			MaxResults: proto.Uint32(liveDefaultPageSize),
		}, l.callOpts...))
	})
	if ok {
		keep(l, inventory.KindFirewall, firewalls...)
	}
}

// listPeeringRanges lists the project's global addresses allocated to private services
// access (purpose VPC_PEERING): a connector range must not overlap them either.
func (l *liveLoader) listPeeringRanges(ctx context.Context, project string) {
	addresses, ok := fetch(ctx, l, inventory.KindAddress, "", opGlobalAddressesList, func(ctx context.Context) ([]*computepb.Address, error) {
		return collect(l.clients.addresses.List(ctx, &computepb.ListGlobalAddressesRequest{
			Project: project, Filter: proto.String(`purpose = "VPC_PEERING"`), MaxResults: proto.Uint32(liveDefaultPageSize),
		}, l.callOpts...))
	})
	if ok {
		keep(l, inventory.KindAddress, addresses...)
	}
}

// listRouters lists the Cloud Routers of a project, every region's (one aggregated list):
// their nats are the Cloud NAT gateways that carry all-traffic egress to the internet, and
// a NAT in another region than the egress subnet's serves it not.
func (l *liveLoader) listRouters(ctx context.Context, project string) {
	routers, ok := fetch(ctx, l, inventory.KindRouter, "", opRoutersList, func(ctx context.Context) ([]*computepb.Router, error) {
		pairs, err := collect(l.clients.routers.AggregatedList(ctx, &computepb.AggregatedListRoutersRequest{
			Project:    project,
			MaxResults: proto.Uint32(liveDefaultPageSize),
		}, l.callOpts...))
		var routers []*computepb.Router
		for _, pair := range pairs {
			routers = append(routers, pair.Value.GetRouters()...)
		}
		return routers, err
	})
	if ok {
		keep(l, inventory.KindRouter, routers...)
	}
}

// getProject reads a project's description for its number and id (a project is named by
// either), which tie a service's project to the IAM policy of a connector's project.
func (l *liveLoader) getProject(ctx context.Context, project string) {
	name := inventory.ProjectName(project)
	p, ok := fetch(ctx, l, inventory.KindProject, name, opProjectsGet, func(ctx context.Context) (*resourcemanagerpb.Project, error) {
		return l.clients.projects.GetProject(ctx, &resourcemanagerpb.GetProjectRequest{Name: name}, l.callOpts...)
	})
	number := strings.TrimPrefix(p.GetName(), "projects/")
	if !ok || !inventory.IsProjectNumber(number) || p.GetProjectId() == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inv.Projects = append(l.inv.Projects, inventory.ProjectIdentity{ID: p.GetProjectId(), Number: number, Evidence: "projects.get of " + name})
}

// getIAMPolicy reads a project's IAM policy, at version 3 so conditional role bindings
// come with their conditions, as `gcloud projects get-iam-policy` prints them.
func (l *liveLoader) getIAMPolicy(ctx context.Context, project string) {
	name := inventory.ProjectName(project)
	policy, ok := fetch(ctx, l, inventory.KindIAMPolicy, name, opProjectsGetIamPolicy, func(ctx context.Context) (*iampb.Policy, error) {
		return l.clients.projects.GetIamPolicy(ctx, &iampb.GetIamPolicyRequest{
			Resource: name, Options: &iampb.GetPolicyOptions{RequestedPolicyVersion: 3},
		}, l.callOpts...)
	})
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inv.AddIAMPolicy(policy, "projects.getIamPolicy of "+name)
}
