package inventory

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"cloud.google.com/go/redis/apiv1/redispb"
	clusterpb "cloud.google.com/go/redis/cluster/apiv1/clusterpb"
	"cloud.google.com/go/run/apiv2/runpb"
	"cloud.google.com/go/vpcaccess/apiv1/vpcaccesspb"
	gax "github.com/googleapis/gax-go/v2"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
)

// LiveOptions say what LoadLive reads and how.
type LiveOptions struct {
	// Project and Region locate the Cloud Run service(s); both are required.
	Project string
	Region  string
	// Service is the Cloud Run service to check (short or full name); empty loads every
	// service in the region.
	Service string
	// Redis names the Memorystore instance (short or full name); empty lists every instance
	// of the project so the selection can match the service's env.
	Redis string
	// Connector, when set, is loaded in place of (as well as) the service's own connector.
	Connector string
	// Endpoints override the APIs' endpoints (gcloud's api_endpoint_overrides).
	Endpoints Endpoints
	// ClientOptions are added to every client, e.g. option.WithCredentialsFile. When any are
	// given, LoadLive does not look for Application Default Credentials itself.
	ClientOptions []option.ClientOption
	// Timeout bounds the whole load (0: only ctx bounds it). A call still running then is
	// recorded as an Unavailable problem.
	Timeout time.Duration
	// MaxConcurrency caps the calls in flight (default DefaultMaxConcurrency).
	MaxConcurrency int
	// MaxResponseBytes bounds one API response (default DefaultMaxResponseBytes).
	MaxResponseBytes int64
	// MaxListPages bounds the follow-up list pages of the run (default DefaultMaxListPages).
	MaxListPages int
	// DisableRetries answers every error at once instead of letting the client libraries
	// retry Unavailable and 503 (which they do for minutes). Tests use it.
	DisableRetries bool
}

// DefaultMaxConcurrency is the number of API calls LoadLive keeps in flight by default.
const DefaultMaxConcurrency = 64

// ErrNoCredentials means no usable Google Cloud credentials were found or the API rejected
// them. Its text is the one line a user needs; the CLI exits 2 on it.
var ErrNoCredentials = errors.New("no usable Google Cloud credentials: run `gcloud auth application-default login` (or set GOOGLE_APPLICATION_CREDENTIALS)")

// liveDefaultPageSize is asked of every list call: few round trips, modest responses.
const liveDefaultPageSize = 500

// LoadLive reads the resources on the path of one Cloud Run service (or of every service in
// the region) from the Google Cloud APIs. Calls that do not depend on each other run
// concurrently, so the wall time follows the dependency depth (service, then connector,
// network, subnetworks and firewalls, then a Shared VPC host's subnet), not the number of
// calls; each resource is requested once even when several services share it.
//
// A resource that cannot be read is recorded as a Problem in the inventory, never returned
// as an error. LoadLive returns an error only when it cannot start (a *SelectError for a
// missing project or region, an *InputError for a bad endpoint override) or when there are
// no usable credentials (wrapping ErrNoCredentials).
func LoadLive(ctx context.Context, opts LiveOptions) (*Inventory, error) {
	if opts.Project == "" {
		return nil, &SelectError{Msg: "no project: pass --project PROJECT, set CLOUDSDK_CORE_PROJECT, or run `gcloud config set project PROJECT`"}
	}
	if opts.Region == "" {
		return nil, &SelectError{Msg: "no region: pass --region REGION, set CLOUDSDK_RUN_REGION, or run `gcloud config set run/region REGION`"}
	}
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	clients, err := newLiveClients(ctx, opts)
	if err != nil {
		return nil, err
	}
	l := newLiveLoader(clients, opts)
	// A call abandoned at the deadline may still be running (the Compute REST client does
	// not pass the context to its HTTP requests); the clients are closed only once every
	// call has returned, so closing never races a request in flight.
	defer func() {
		go func() {
			l.inflight.Wait()
			clients.close()
		}()
	}()
	l.start(ctx)
	l.wg.Wait()
	l.panicked.Rethrow()
	DropInvalid(l.inv)
	l.inv.SortResources()
	if l.unauthenticated != "" {
		return l.inv, fmt.Errorf("%w (the API said: %s)", ErrNoCredentials, l.unauthenticated)
	}
	return l.inv, nil
}

// liveLoader is the state of one LoadLive run.
type liveLoader struct {
	clients  *liveClients
	opts     LiveOptions
	sem      chan struct{}
	callOpts []gax.CallOption
	wg       sync.WaitGroup
	// inflight counts the API calls still running, including those abandoned at the deadline.
	inflight sync.WaitGroup
	// panicked holds a worker's panic, re-raised once the workers are done.
	panicked PanicBox

	mu   sync.Mutex
	inv  *Inventory
	memo map[string]chan struct{}
	// unauthenticated is the API's message when it rejected the credentials.
	unauthenticated string
	// redisListed: the project's Redis listing succeeded, so an env host that matches no
	// listed instance matches no instance of the project at all.
	redisListed bool
	// redisRef is the instance --redis names, when it was given and is well formed. It is
	// set before any call starts and only read afterwards.
	redisRef *LocationRef
	// allTraffic: a service sends all its egress through the VPC, so the Cloud Routers of
	// egressProjects (the projects of the networks the paths' traffic enters) are needed.
	allTraffic     bool
	egressProjects map[string]bool
}

func newLiveLoader(clients *liveClients, opts LiveOptions) *liveLoader {
	limit := opts.MaxConcurrency
	if limit <= 0 {
		limit = DefaultMaxConcurrency
	}
	l := &liveLoader{
		clients: clients,
		opts:    opts,
		sem:     make(chan struct{}, limit),
		inv:     &Inventory{Sources: map[string]string{}},
		memo:    map[string]chan struct{}{},

		egressProjects: map[string]bool{},
	}
	if opts.DisableRetries {
		l.callOpts = []gax.CallOption{gax.WithRetry(func() gax.Retryer { return nil })}
	}
	if opts.Redis != "" {
		ref, err := ParseLocation(opts.Redis, "instances")
		if !strings.Contains(opts.Redis, "/") {
			ref, err = LocationRef{Project: opts.Project, Region: opts.Region, Collection: "instances", Name: opts.Redis}, nil
		}
		if err == nil { // a malformed full name is reported by Select
			l.redisRef = &ref
		}
	}
	return l
}

// once runs fetch in its own goroutine the first time key is asked for, and returns a
// channel closed when that fetch has finished. Later callers share the same fetch: every
// resource is requested once per run, however many services need it.
func (l *liveLoader) once(ctx context.Context, key string, fetch func(context.Context)) <-chan struct{} {
	l.mu.Lock()
	done, ok := l.memo[key]
	if !ok {
		done = make(chan struct{})
		l.memo[key] = done
	}
	l.mu.Unlock()
	if !ok {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			defer close(done)
			defer l.panicked.Capture()
			fetch(ctx)
		}()
	}
	return done
}

// started reports whether key was asked for, and its done channel.
func (l *liveLoader) started(key string) (<-chan struct{}, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	done, ok := l.memo[key]
	return done, ok
}

// spawn runs work in its own goroutine tracked by the run's wait group; work waits for
// fetches it depends on there, never while holding a call slot.
func (l *liveLoader) spawn(work func()) {
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		defer l.panicked.Capture()
		work()
	}()
}

// call holds one of the run's call slots while an API call runs, and returns when the call
// does or when ctx is done, whichever comes first: the Compute REST client's list calls
// do not pass their context to the HTTP request, so a stalled listing would otherwise
// outlive --timeout. An abandoned call finishes in the background; its result is dropped
// (the caller reads nothing after an error).
func (l *liveLoader) call(ctx context.Context, do func() error) error {
	select {
	case l.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-l.sem }()
	result := make(chan error, 1)
	l.inflight.Add(1)
	go func() {
		defer l.inflight.Done()
		defer func() {
			if r := recover(); r != nil {
				// Re-raised on the caller's goroutine, which spawn or once guards.
				result <- &WorkerPanic{Value: r, Stack: debug.Stack()}
			}
		}()
		result <- do()
	}()
	select {
	case err := <-result:
		if p, ok := err.(*WorkerPanic); ok {
			panic(p)
		}
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

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
			name = LocationRef{Project: project, Region: region, Collection: "services", Name: name}.String()
		}
		name = trimSelfLink(name)
		l.once(ctx, "service "+name, func(ctx context.Context) { l.getService(ctx, name) })
	} else {
		l.once(ctx, "services "+project+"/"+region, func(ctx context.Context) { l.listServices(ctx, project, region) })
	}

	if ref := l.redisRef; ref != nil {
		l.spawn(func() { l.needRedis(ctx, *ref) })
	}
	if l.opts.Connector != "" {
		if ref, err := ParseConnector(l.opts.Connector, project, region); err == nil {
			l.spawn(func() { l.needConnector(ctx, ref) })
		}
	}
}

func connectorListKey(project, region string) string { return "connectors " + project + "/" + region }
func redisListKey(project string) string             { return "redis " + project }

// addService records a service and requests what it depends on.
func (l *liveLoader) addService(ctx context.Context, svc *runpb.Service) {
	l.mu.Lock()
	scrubService(svc)
	l.inv.Services = append(l.inv.Services, svc)
	l.inv.MarkListed(KindService)
	l.mu.Unlock()

	ref, err := ParseLocation(svc.GetName(), "services")
	if err != nil {
		return
	}
	for _, name := range trafficRevisions(svc) {
		l.once(ctx, "revision "+name, func(ctx context.Context) { l.getRevision(ctx, name) })
	}
	if hosts := EnvHosts(svc); len(hosts) > 0 {
		l.spawn(func() { l.clustersForEnv(ctx, hosts) })
	}
	vpc := svc.GetTemplate().GetVpcAccess()
	if vpc.GetEgress() == runpb.VpcAccess_ALL_TRAFFIC {
		l.allTrafficService(ctx)
	}
	if name := vpc.GetConnector(); name != "" && l.opts.Connector == "" {
		if connector, err := ParseConnector(name, ref.Project, ref.Region); err == nil {
			l.spawn(func() { l.needConnector(ctx, connector) })
		}
	}
	for _, ni := range vpc.GetNetworkInterfaces() {
		// The interface's subnet is in the service's region (a subnet named by full name
		// says its own): that is where its traffic meets regional firewall policies.
		networkProject, region := ref.Project, ref.Region
		if sub := ni.GetSubnetwork(); sub != "" {
			if subRef, err := ParseSubnet(sub, ref.Project, ref.Region); err == nil {
				networkProject, region = subRef.Project, subRef.Region
				l.needSubnets(ctx, subRef.Project)
			}
		}
		if ni.GetNetwork() != "" {
			if net, err := ParseNetwork(ni.GetNetwork(), networkProject); err == nil {
				l.needNetworkResources(ctx, net, region)
			}
		} else {
			// Only a subnetwork was given: its network is known once the subnetworks are.
			l.spawn(func() { l.networkOfSubnet(ctx, ni.GetSubnetwork(), ref) })
		}
	}
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
func (l *liveLoader) needConnector(ctx context.Context, ref ConnectorRef) {
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

func (l *liveLoader) knownConnector(ref ConnectorRef) *vpcaccesspb.Connector {
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
func (l *liveLoader) connectorDependencies(ctx context.Context, ref ConnectorRef, c *vpcaccesspb.Connector) {
	l.once(ctx, "connector deps "+ref.String(), func(ctx context.Context) {
		if sub := c.GetSubnet(); sub != nil && sub.GetName() != "" {
			project := sub.GetProjectId()
			if project == "" {
				project = ref.Project
			}
			l.networkOfSubnet(ctx, sub.GetName(), LocationRef{Project: project, Region: ref.Region})
		}
		if c.GetNetwork() != "" {
			project := ref.Project
			if sub := c.GetSubnet(); sub.GetProjectId() != "" {
				project = sub.GetProjectId()
			}
			if net, err := ParseNetwork(c.GetNetwork(), project); err == nil {
				l.needNetworkResources(ctx, net, ref.Region)
			}
		}
	})
}

// networkOfSubnet waits for a subnetwork's project listing, then requests its network.
func (l *liveLoader) networkOfSubnet(ctx context.Context, subnet string, at LocationRef) {
	ref, err := ParseSubnet(subnet, at.Project, at.Region)
	if err != nil {
		return
	}
	<-l.needSubnets(ctx, ref.Project)
	l.mu.Lock()
	var network string
	for _, s := range l.inv.Subnetworks {
		if sref, err := SubnetOf(s); err == nil && sref == ref {
			network = s.GetNetwork()
		}
	}
	l.mu.Unlock()
	if network == "" {
		return
	}
	if net, err := ParseNetwork(network, ref.Project); err == nil {
		l.needNetworkResources(ctx, net, ref.Region) // the subnet's region: its VMs send there
	}
}

// needRedis makes sure a named instance is loaded: from the project listing when it
// succeeded, else with a Get. When the instance does not exist, the Memorystore for Redis
// Cluster of that name is read too, so redis.found can say the name is a cluster.
func (l *liveLoader) needRedis(ctx context.Context, ref LocationRef) {
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
	if l.recorded(KindRedis, ref.String(), NotFound) {
		l.needCluster(ctx, ref)
	}
}

// knownRedis reports whether the inventory has the instance a --redis value names: its
// full name, or for a short name an instance of that name in any region (Select looks
// there too).
func (l *liveLoader) knownRedis(ref LocationRef) bool {
	short := !strings.Contains(l.opts.Redis, "/")
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.inv.RedisInstances {
		if r.GetName() == ref.String() || (short && nameMatches(r.GetName(), ref.Name)) {
			return true
		}
	}
	return false
}

// addRedis records an instance and requests its authorized network's resources.
func (l *liveLoader) addRedis(ctx context.Context, r *redispb.Instance) {
	l.mu.Lock()
	l.inv.RedisInstances = append(l.inv.RedisInstances, r)
	l.inv.MarkListed(KindRedis)
	l.mu.Unlock()
	if r.GetAuthorizedNetwork() == "" {
		return
	}
	if net, err := ParseNetwork(r.GetAuthorizedNetwork(), ProjectOf(r.GetName())); err == nil {
		l.needNetworkResources(ctx, net, "") // Redis sends nothing the checks evaluate
	}
}

// needNetworkResources requests a network, the firewall policies in effect on it, and the
// subnetworks, firewall rules and private services access ranges of its project. region,
// when not empty, is where VMs that send the path's traffic on the network are (the
// connector's region, the Direct VPC subnet's): the regional network firewall policies
// of that region are requested too, and, for all-traffic egress, the Cloud Routers of the
// network's project.
func (l *liveLoader) needNetworkResources(ctx context.Context, net NetworkRef, region string) {
	l.once(ctx, "network "+net.String(), func(ctx context.Context) { l.getNetwork(ctx, net) })
	// In the same round as the network: the calls need only the network's name (and region).
	l.once(ctx, "effective firewalls "+net.String(), func(ctx context.Context) { l.getEffectiveFirewalls(ctx, net) })
	if region != "" {
		l.once(ctx, "regional effective firewalls "+RegionalPoliciesName(net, region), func(ctx context.Context) {
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
	projects := sortedSet(l.egressProjects)
	l.mu.Unlock()
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

func sortedSet(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
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
func (l *liveLoader) needCluster(ctx context.Context, instance LocationRef) {
	ref := LocationRef{Project: instance.Project, Region: instance.Region, Collection: "clusters", Name: instance.Name}
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
			l.inv.RedisClusters = append(l.inv.RedisClusters, c)
			l.inv.MarkListed(KindRedisCluster)
		}
	}
}

// recorded reports whether the run recorded a problem with this code for a resource.
func (l *liveLoader) recorded(kind Kind, name string, code Code) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, p := range l.inv.Problems {
		if p.Kind == kind && p.Name == name && p.Code == code {
			return true
		}
	}
	return false
}

func (l *liveLoader) addProblem(p *Problem) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inv.AddProblem(p)
}

// collect drains a client-library iterator (every page) into a slice.
func collect[T any](it interface{ Next() (T, error) }) ([]T, error) {
	var items []T
	for {
		item, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return items, nil
		}
		if err != nil {
			return items, err
		}
		if len(items) == MaxListItems {
			return items, fmt.Errorf("%w: the listing has more than %d items, the limit; stopped listing", ErrResponseLimit, MaxListItems)
		}
		items = append(items, item)
	}
}
