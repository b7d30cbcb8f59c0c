package live

import (
	"context"
	"sort"
	"strings"

	"cloud.google.com/go/redis/apiv1/redispb"
	clusterpb "cloud.google.com/go/redis/cluster/apiv1/clusterpb"
	"cloud.google.com/go/run/apiv2/runpb"
	"cloud.google.com/go/vpcaccess/apiv1/vpcaccesspb"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// What the path of a service needs, requested as soon as it is known: the service, its
// serving revisions, its connector or Direct VPC network, the network's subnetworks, firewall
// rules, firewall policies and peering ranges, and the Redis instance (or the cluster that
// explains a Redis name).

// start issues the calls that depend on nothing: the service(s), the region's connectors,
// the project's Redis instances, and a connector or instance named by full name elsewhere.
func (l *liveLoader) start(ctx context.Context) {
	project, region := l.opts.Project, l.opts.Region
	// The region's listings are registered before the service fetch starts: a service
	// answered quickly must find them started (needConnector waits for the listing rather
	// than issuing a Get), or its connector would be read twice.
	l.once(ctx, connectorListKey(project, region), func(ctx context.Context) { l.listConnectors(ctx, project, region) })
	l.once(ctx, redisListKey(project), func(ctx context.Context) { l.listRedis(ctx, project) })
	if l.opts.Service != "" {
		name := l.opts.Service
		if !strings.Contains(name, "/") {
			name = inventory.LocationRef{Project: project, Region: region, Collection: "services", Name: name}.String()
		}
		name = inventory.RelativeName(name)
		l.once(ctx, "service "+name, func(ctx context.Context) { l.getService(ctx, name) })
	} else {
		l.once(ctx, "services "+project+"/"+region, func(ctx context.Context) { l.listServices(ctx, project, region) })
	}

	if ref := l.redisRef; ref != nil {
		l.spawn(func() { l.needRedis(ctx, *ref) })
	}
	if l.opts.Connector != "" {
		if ref, err := inventory.ParseConnector(l.opts.Connector, project, region); err == nil {
			l.needSharedVPCGrant(ctx, project, ref)
			l.spawn(func() { l.needConnector(ctx, ref) })
		}
	}
}

func connectorListKey(project, region string) string { return "connectors " + project + "/" + region }
func redisListKey(project string) string             { return "redis " + project }

// addService records a service and requests what it depends on.
func (l *liveLoader) addService(ctx context.Context, svc *runpb.Service) {
	l.mu.Lock()
	l.add(inventory.KindService, svc)
	l.mu.Unlock()

	ref, err := inventory.ParseLocation(svc.GetName(), "services")
	if err != nil {
		return
	}
	for _, name := range trafficRevisions(svc) {
		l.once(ctx, "revision "+name, func(ctx context.Context) { l.getRevision(ctx, name) })
	}
	if hosts := inventory.EnvHosts(svc); len(hosts) > 0 {
		l.spawn(func() { l.clustersForEnv(ctx, hosts) })
	}
	vpc := svc.GetTemplate().GetVpcAccess()
	if vpc.GetEgress() == runpb.VpcAccess_ALL_TRAFFIC {
		l.allTrafficService(ctx)
	}
	if name := vpc.GetConnector(); name != "" && l.opts.Connector == "" {
		if connector, err := inventory.ParseConnector(name, ref.Project, ref.Region); err == nil {
			l.needSharedVPCGrant(ctx, ref.Project, connector)
			l.spawn(func() { l.needConnector(ctx, connector) })
		}
	}
	for _, ni := range vpc.GetNetworkInterfaces() {
		// The interface's subnet is in the service's region (a subnet named by full name
		// says its own): that is where its traffic meets regional firewall policies.
		networkProject, region := ref.Project, ref.Region
		if sub := ni.GetSubnetwork(); sub != "" {
			if subRef, err := inventory.ParseSubnet(sub, ref.Project, ref.Region); err == nil {
				networkProject, region = subRef.Project, subRef.Region
				l.needSubnets(ctx, subRef.Project)
			}
		}
		if ni.GetNetwork() != "" {
			if net, err := inventory.ParseNetwork(ni.GetNetwork(), networkProject); err == nil {
				l.needNetworkResources(ctx, net, region)
			}
		} else {
			// Only a subnetwork was given: its network is known once the subnetworks are.
			l.spawn(func() { l.networkOfSubnet(ctx, ni.GetSubnetwork(), ref) })
		}
	}
}

// needSharedVPCGrant requests what connector.shared-vpc reads when a service's connector
// is named in another project than the service's: both projects' descriptions (their
// numbers: the service's Cloud Run service agent is named by its project's number, and a
// policy is tied to its project by number) and the connector project's IAM policy, each
// once per run. The calls need only the two names, so they run next to the connector's.
// A connector in the service's own project needs no grant and costs no call.
func (l *liveLoader) needSharedVPCGrant(ctx context.Context, serviceProject string, connector inventory.ConnectorRef) {
	if connector.Project == serviceProject {
		return
	}
	for _, project := range []string{serviceProject, connector.Project} {
		l.once(ctx, "project "+project, func(ctx context.Context) { l.getProject(ctx, project) })
	}
	l.once(ctx, "iam policy "+connector.Project, func(ctx context.Context) { l.getIAMPolicy(ctx, connector.Project) })
}

// trafficRevisions lists the full names of the revisions that receive traffic.
func trafficRevisions(svc *runpb.Service) []string {
	seen := map[string]bool{}
	var names []string
	for _, t := range svc.GetTrafficStatuses() {
		if t.GetPercent() <= 0 {
			continue
		}
		name := t.GetRevision()
		if name == "" && t.GetType() == runpb.TrafficTargetAllocationType_TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST {
			name = svc.GetLatestReadyRevision()
		}
		if name == "" {
			continue
		}
		if !strings.Contains(name, "/") {
			name = svc.GetName() + "/revisions/" + name
		}
		if !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	return names
}

// needConnector makes sure a connector is loaded and its dependencies requested: from the
// listing of its region when one was requested, else with a Get.
func (l *liveLoader) needConnector(ctx context.Context, ref inventory.ConnectorRef) {
	if done, ok := l.started(connectorListKey(ref.Project, ref.Region)); ok {
		<-done
	}
	if c := l.knownConnector(ref); c != nil {
		l.connectorDependencies(ctx, ref, c)
		return
	}
	<-l.once(ctx, "connector "+ref.String(), func(ctx context.Context) { l.getConnector(ctx, ref) })
	if c := l.knownConnector(ref); c != nil {
		l.connectorDependencies(ctx, ref, c)
	}
}

func (l *liveLoader) knownConnector(ref inventory.ConnectorRef) *vpcaccesspb.Connector {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.inv.Connectors {
		if c.GetName() == ref.String() {
			return c
		}
	}
	return nil
}

// connectorDependencies requests the network a connector is attached to, with the
// network's subnetworks and firewall rules. A connector on an existing subnet (possibly in
// a Shared VPC host project) names its network through that subnet.
func (l *liveLoader) connectorDependencies(ctx context.Context, ref inventory.ConnectorRef, c *vpcaccesspb.Connector) {
	l.once(ctx, "connector deps "+ref.String(), func(ctx context.Context) {
		if sub := c.GetSubnet(); sub != nil && sub.GetName() != "" {
			project := sub.GetProjectId()
			if project == "" {
				project = ref.Project
			}
			l.networkOfSubnet(ctx, sub.GetName(), inventory.LocationRef{Project: project, Region: ref.Region})
		}
		if c.GetNetwork() != "" {
			project := ref.Project
			if sub := c.GetSubnet(); sub.GetProjectId() != "" {
				project = sub.GetProjectId()
			}
			if net, err := inventory.ParseNetwork(c.GetNetwork(), project); err == nil {
				l.needNetworkResources(ctx, net, ref.Region)
			}
		}
	})
}

// networkOfSubnet waits for a subnetwork's project listing, then requests its network.
func (l *liveLoader) networkOfSubnet(ctx context.Context, subnet string, at inventory.LocationRef) {
	ref, err := inventory.ParseSubnet(subnet, at.Project, at.Region)
	if err != nil {
		return
	}
	<-l.needSubnets(ctx, ref.Project)
	l.mu.Lock()
	var network string
	for _, s := range l.inv.Subnetworks {
		if sref, err := inventory.SubnetOf(s); err == nil && sref == ref {
			network = s.GetNetwork()
		}
	}
	l.mu.Unlock()
	if network == "" {
		return
	}
	if net, err := inventory.ParseNetwork(network, ref.Project); err == nil {
		l.needNetworkResources(ctx, net, ref.Region) // the subnet's region: its VMs send there
	}
}

// needRedis makes sure a named instance is loaded: from the project listing when it
// succeeded, else with a Get. When the instance does not exist, the Memorystore for Redis
// Cluster of that name is read too, so redis.found can say the name is a cluster.
func (l *liveLoader) needRedis(ctx context.Context, ref inventory.LocationRef) {
	if ref.Project == l.opts.Project {
		<-l.once(ctx, redisListKey(ref.Project), func(ctx context.Context) { l.listRedis(ctx, ref.Project) })
		l.mu.Lock()
		listed := l.redisListed
		l.mu.Unlock()
		if listed {
			// The project's listing is complete: absence means NotFound.
			if !l.knownRedis(ref) {
				l.needCluster(ctx, ref)
			}
			return
		}
	}
	<-l.once(ctx, "redis "+ref.String(), func(ctx context.Context) { l.getRedis(ctx, ref) })
	if l.recorded(inventory.KindRedis, ref.String(), inventory.NotFound) {
		l.needCluster(ctx, ref)
	}
}

// knownRedis reports whether the inventory has the instance a --redis value names: its
// full name, or for a short name an instance of that name in any region (Select looks
// there too).
func (l *liveLoader) knownRedis(ref inventory.LocationRef) bool {
	short := !strings.Contains(l.opts.Redis, "/")
	typed := inventory.RelativeName(ref.Name)
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.inv.RedisInstances {
		name := inventory.RelativeName(r.GetName())
		if r.GetName() == ref.String() || (short && (name == typed || inventory.ShortName(name) == typed)) {
			return true
		}
	}
	return false
}

// addRedis records an instance and requests its authorized network's resources.
func (l *liveLoader) addRedis(ctx context.Context, r *redispb.Instance) {
	l.mu.Lock()
	l.add(inventory.KindRedis, r)
	l.mu.Unlock()
	if r.GetAuthorizedNetwork() == "" {
		return
	}
	if net, err := inventory.ParseNetwork(r.GetAuthorizedNetwork(), inventory.ProjectOf(r.GetName())); err == nil {
		l.needNetworkResources(ctx, net, "") // Redis sends nothing the checks evaluate
	}
}

// needNetworkResources requests a network, the firewall policies in effect on it, and the
// subnetworks, firewall rules and private services access ranges of its project. region,
// when not empty, is where VMs that send the path's traffic on the network are (the
// connector's region, the Direct VPC subnet's): the regional network firewall policies
// of that region are requested too, and, for all-traffic egress, the Cloud Routers of the
// network's project.
func (l *liveLoader) needNetworkResources(ctx context.Context, net inventory.NetworkRef, region string) {
	l.once(ctx, "network "+net.String(), func(ctx context.Context) { l.getNetwork(ctx, net) })
	// In the same round as the network: the calls need only the network's name (and region).
	l.once(ctx, "effective firewalls "+net.String(), func(ctx context.Context) { l.getEffectiveFirewalls(ctx, net) })
	if region != "" {
		l.once(ctx, "regional effective firewalls "+inventory.RegionalPoliciesName(net, region), func(ctx context.Context) {
			l.getRegionalEffectiveFirewalls(ctx, net, region)
		})
		l.egressProject(ctx, net.Project)
	}
	l.needSubnets(ctx, net.Project)
	l.once(ctx, "firewalls "+net.Project, func(ctx context.Context) { l.listFirewalls(ctx, net.Project) })
	l.once(ctx, "addresses "+net.Project, func(ctx context.Context) { l.listPeeringRanges(ctx, net.Project) })
}

// The Cloud Routers of the egress networks' projects are read only when some service sends
// all its traffic through the VPC: vpc.egress-nat reads their NAT gateways then, and only
// then (private-ranges-only egress needs no NAT, and no compute.routers.list permission).
// A service's egress setting and its network may become known in either order, so each
// event requests what the other made known; the listing is made once per project, in the
// round of the network it serves.

// allTrafficService records that a service egresses all-traffic.
func (l *liveLoader) allTrafficService(ctx context.Context) {
	l.mu.Lock()
	l.allTraffic = true
	projects := make([]string, 0, len(l.egressProjects))
	for project := range l.egressProjects {
		projects = append(projects, project)
	}
	l.mu.Unlock()
	sort.Strings(projects)
	for _, project := range projects {
		l.needRouters(ctx, project)
	}
}

// egressProject records the project of a network a path's traffic enters.
func (l *liveLoader) egressProject(ctx context.Context, project string) {
	l.mu.Lock()
	l.egressProjects[project] = true
	allTraffic := l.allTraffic
	l.mu.Unlock()
	if allTraffic {
		l.needRouters(ctx, project)
	}
}

func (l *liveLoader) needRouters(ctx context.Context, project string) {
	l.once(ctx, "routers "+project, func(ctx context.Context) { l.listRouters(ctx, project) })
}

// needSubnets requests every subnetwork of a project (all regions, one aggregated list):
// connector ranges must not overlap any subnet of the VPC, whatever its region.
func (l *liveLoader) needSubnets(ctx context.Context, project string) <-chan struct{} {
	return l.once(ctx, "subnetworks "+project, func(ctx context.Context) { l.listSubnetworks(ctx, project) })
}

// Memorystore for Redis Cluster. A cluster is read only to explain a Redis name or an env
// host that is not a Memorystore for Redis instance (redis.found): the Cluster of the
// --redis name when that instance does not exist, and the clusters of the region when a
// service's env points at no listed instance. Those calls are best effort: a failure
// (no permission, API not enabled, Unimplemented, NotFound) records nothing, because no
// check needs a cluster; the hint is simply not given.

func clusterListKey(project, region string) string { return "clusters " + project + "/" + region }

// needCluster reads the cluster that has a Redis instance's name.
func (l *liveLoader) needCluster(ctx context.Context, instance inventory.LocationRef) {
	ref := inventory.LocationRef{Project: instance.Project, Region: instance.Region, Collection: "clusters", Name: instance.Name}
	l.once(ctx, "cluster "+ref.String(), func(ctx context.Context) { l.getCluster(ctx, ref) })
}

// clustersForEnv lists the region's clusters when the project's Redis listing succeeded,
// none of its instances has a host (or read endpoint) the service's env points at, and
// no instance named with --redis was found: the env may name a cluster's discovery
// endpoint. The listing runs next to the calls that
// follow the first round (connector network, subnetworks, firewalls), so it adds no round
// trip, and a run whose env matches an instance makes no Cluster call at all.
func (l *liveLoader) clustersForEnv(ctx context.Context, hosts map[string]string) {
	project := l.opts.Project
	<-l.once(ctx, redisListKey(project), func(ctx context.Context) { l.listRedis(ctx, project) })
	l.mu.Lock()
	match := !l.redisListed
	for _, r := range l.inv.RedisInstances {
		if _, ok := hosts[r.GetHost()]; ok {
			match = true
		} else if _, ok := hosts[r.GetReadEndpoint()]; ok && r.GetReadEndpoint() != "" {
			match = true
		}
	}
	l.mu.Unlock()
	if match || (l.redisRef != nil && l.knownRedis(*l.redisRef)) {
		return // Select picks an instance: redis.found never looks for a cluster
	}
	region := l.opts.Region
	l.once(ctx, clusterListKey(project, region), func(ctx context.Context) { l.listClusters(ctx, project, region) })
}

// addClusters records clusters once each (the name Get and the region listing may both
// return one). Like a snapshot, the kind counts as listed once it holds a cluster.
func (l *liveLoader) addClusters(clusters ...*clusterpb.Cluster) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range clusters {
		known := false
		for _, have := range l.inv.RedisClusters {
			known = known || have.GetName() == c.GetName()
		}
		if !known {
			l.add(inventory.KindRedisCluster, c)
		}
	}
}
