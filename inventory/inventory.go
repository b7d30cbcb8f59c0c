// Package inventory holds the world the checks read: the Cloud Run services, Serverless
// VPC Access connectors, Memorystore instances and VPC resources of a project, in the
// official client libraries' proto types, plus what could not be loaded and why.
//
// Loaders fill an Inventory (snapshot directories here, the live APIs in live.go);
// Select resolves the Path of one service to its Redis instance; checks read Paths.
package inventory

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"cloud.google.com/go/compute/apiv1/computepb"
	"cloud.google.com/go/redis/apiv1/redispb"
	clusterpb "cloud.google.com/go/redis/cluster/apiv1/clusterpb"
	"cloud.google.com/go/run/apiv2/runpb"
	"cloud.google.com/go/vpcaccess/apiv1/vpcaccesspb"
)

// Kind is a kind of resource the inventory holds.
type Kind string

// The kinds of resource on the path.
const (
	KindService   Kind = "service"
	KindRevision  Kind = "revision"
	KindConnector Kind = "connector"
	KindRedis     Kind = "redis"
	// KindRedisCluster is a Memorystore for Redis Cluster, kept to explain wrong choices.
	KindRedisCluster Kind = "redis-cluster"
	KindNetwork      Kind = "network"
	KindSubnetwork   Kind = "subnetwork"
	KindFirewall     Kind = "firewall"
	// KindFirewallPolicy is the firewall policies in effect on a network
	// (networks.getEffectiveFirewalls), a Problem of this kind named by the network; or in
	// effect on a network's VMs in one region (regionNetworkFirewallPolicies.getEffectiveFirewalls),
	// a Problem then named by RegionalPoliciesName.
	KindFirewallPolicy Kind = "firewall-policy"
	// KindAddress is a global internal address range allocated for private services access
	// (purpose VPC_PEERING): Memorystore takes its ranges from there, and nothing on the
	// network may overlap it.
	KindAddress Kind = "address"
	// KindRouter is a Cloud Router; its nats are the Cloud NAT gateways of its network and
	// region, which carry a service's internet calls when its egress is all-traffic.
	KindRouter Kind = "router"
	// KindProject is a project description (Resource Manager projects.get, gcloud projects
	// describe) and KindIAMPolicy a project's IAM policy (projects.getIamPolicy). Neither
	// is a resource of the kind table: they are kept in Inventory.Projects and
	// Inventory.IAMPolicies, and name Problems by project, projects/PROJECT.
	KindProject   Kind = "project"
	KindIAMPolicy Kind = "iam-policy"
)

// Code classifies why a resource is not in the inventory.
type Code string

// The reasons a lookup can fail.
const (
	// NotFound: the API (or a complete listing in a snapshot) says the resource does not exist.
	NotFound Code = "not-found"
	// PermissionDenied: the caller may not read it; Permission and Role say what is missing.
	PermissionDenied Code = "permission-denied"
	// Unavailable: the API failed or timed out after the client library's retries.
	Unavailable Code = "unavailable"
	// NotLoaded: nothing of this kind was loaded (a snapshot without that file).
	NotLoaded Code = "not-loaded"
)

// Problem records why a resource (or a whole kind) could not be read. It is data, not an
// error that aborts the load: the checks that need the resource become "error" findings
// carrying it, and every other check still runs.
type Problem struct {
	Kind Kind   `json:"kind"`
	Name string `json:"name,omitempty"` // canonical resource name; empty for a whole kind
	Code Code   `json:"code"`
	// API is the Google API that failed, e.g. "vpcaccess.googleapis.com".
	API string `json:"api,omitempty"`
	// Permission and Role name the missing IAM permission and a predefined role granting it.
	Permission string `json:"permission,omitempty"`
	Role       string `json:"role,omitempty"`
	// Detail is the API's own message, one line, never containing secrets.
	Detail string `json:"detail,omitempty"`
}

// Error renders the problem as one sentence a user can act on.
func (p *Problem) Error() string {
	what := string(p.Kind)
	if p.Name != "" {
		what += " " + p.Name
	}
	switch p.Code {
	case NotFound:
		return what + " does not exist"
	case PermissionDenied:
		msg := "permission denied reading " + what
		if p.Permission != "" {
			msg += fmt.Sprintf(": the caller needs %s (granted by %s)", p.Permission, p.Role)
		}
		return msg
	case Unavailable:
		msg := what + " could not be read"
		if p.API != "" {
			msg += " from " + p.API
		}
		if p.Detail != "" {
			msg += ": " + p.Detail
		}
		return msg
	case KnownAfterApply:
		msg := what + " is known only after apply"
		if p.Detail != "" {
			msg = what + ": " + p.Detail
		}
		return msg
	case NotLoaded:
		return "no " + string(p.Kind) + " data was loaded; add the output of `" + SnapshotCommand(p.Kind, p.Name) + "` to the snapshot"
	}
	return what + ": " + p.Detail
}

// Inventory is every resource a run knows about. Loaders append to the slices and mark
// kinds Listed; after loading, lookups go through indexes built once on first use.
type Inventory struct {
	Services       []*runpb.Service
	Revisions      []*runpb.Revision
	Connectors     []*vpcaccesspb.Connector
	RedisInstances []*redispb.Instance
	// RedisClusters are Memorystore for Redis Cluster instances: a different product, reached
	// through Private Service Connect. They are kept only to explain a Redis name that is
	// not an instance.
	RedisClusters []*clusterpb.Cluster
	Networks      []*computepb.Network
	Subnetworks   []*computepb.Subnetwork
	Firewalls     []*computepb.Firewall
	// FirewallPolicies are the firewall policies in effect on networks, one entry per
	// networks.getEffectiveFirewalls or regionNetworkFirewallPolicies.getEffectiveFirewalls
	// answer.
	FirewallPolicies []*NetworkFirewallPolicies
	// Addresses are global addresses; the ones with purpose VPC_PEERING are the ranges
	// allocated to private services access.
	Addresses []*computepb.Address
	// Routers are Cloud Routers, read for their Cloud NAT gateways (nats).
	Routers []*computepb.Router
	// Projects are project descriptions (gcloud projects describe): number ↔ id.
	Projects []ProjectIdentity
	// IAMPolicies are project IAM policies (gcloud projects get-iam-policy).
	IAMPolicies []*IAMPolicy

	// Listed marks the kinds whose data was loaded: for these, a name that is absent does
	// not exist (NotFound); for the others, absence means nobody looked (NotLoaded).
	Listed map[Kind]bool
	// Problems are the resources that could not be read, keyed by kind and canonical name;
	// a problem with an empty name covers the whole kind.
	Problems []*Problem
	// Sources maps a canonical resource name to the file it was read from (snapshot mode).
	Sources map[string]string

	// plannedEnv: service → env variable → Redis instance a Terraform plan takes the
	// variable's (unknown until apply) value from; see planrefs.go.
	plannedEnv map[string]map[string]string
	// sensitiveEnv: service → env variables whose value a Terraform plan marks sensitive;
	// see sensitive.go.
	sensitiveEnv map[string]map[string]bool
	// planManaged: canonical name → the plan resource that manages it; see sensitive.go.
	planManaged map[string]PlanManaged

	indexOnce sync.Once
	index     *index
}

// NetworkFirewallPolicies are the hierarchical and network firewall policies in effect on
// one network: the firewallPolicys of a networks.getEffectiveFirewalls response, or, when
// Regional, of a regionNetworkFirewallPolicies.getEffectiveFirewalls response (converted
// with firewall.FromRegional), which lists the network's hierarchical and global network
// policies too and adds the regional network policies of its region.
type NetworkFirewallPolicies struct {
	// Network is the canonical name of the network, projects/P/global/networks/N. Empty
	// when a snapshot file did not say (the response itself names no network): the
	// policies then apply to every network no other entry names.
	Network string
	// Regional marks the answer of regionNetworkFirewallPolicies.getEffectiveFirewalls for
	// Region: what VMs of the network in that region are subject to. An empty Region (a
	// pasted answer that did not say) applies to every region no other entry names.
	Regional bool
	Region   string
	Policies []*computepb.NetworksGetEffectiveFirewallsResponseEffectiveFirewallPolicy
}

// RegionalPoliciesName names the regional answer for a network's VMs in a region in
// Problems: projects/P/regions/R/networks/N (not a resource of the API; the call is
// regionNetworkFirewallPolicies.getEffectiveFirewalls with project P, region R and
// network N).
func RegionalPoliciesName(net NetworkRef, region string) string {
	return "projects/" + net.Project + "/regions/" + region + "/networks/" + net.Name
}

// ParseRegionalPoliciesName is the inverse of RegionalPoliciesName.
func ParseRegionalPoliciesName(name string) (NetworkRef, string, bool) {
	kv := segments(RelativeName(name))
	if !strings.Contains(name, "/regions/") || kv.get("projects") == "" || kv.get("regions") == "" || kv.get("networks") == "" {
		return NetworkRef{}, "", false
	}
	return NetworkRef{Project: kv.get("projects"), Name: kv.get("networks")}, kv.get("regions"), true
}

type index struct {
	connectors     map[string]*vpcaccesspb.Connector
	redis          map[string]*redispb.Instance
	networks       map[string]*computepb.Network
	subnets        map[string]*computepb.Subnetwork
	subnetsByNet   map[string][]*computepb.Subnetwork
	firewallsByNet map[string][]*computepb.Firewall
	// policiesByNet holds the firewall policies per network; the key "" those of entries
	// that name no network.
	policiesByNet map[string][]*computepb.NetworksGetEffectiveFirewallsResponseEffectiveFirewallPolicy
	// regionalPolicies holds the regional answers by regionalKey(network, region), either
	// part "" for entries that did not name it.
	regionalPolicies map[string][]*computepb.NetworksGetEffectiveFirewallsResponseEffectiveFirewallPolicy
	revisions        map[string]*runpb.Revision
	problems         map[string]*Problem
	// addressesByNet holds the global addresses of purpose VPC_PEERING per network.
	addressesByNet map[string][]*computepb.Address
	// routersByNet holds the Cloud Routers per network.
	routersByNet map[string][]*computepb.Router
	// The canonical names each resource carries, parsed once (see refs.go).
	connectorNames map[*vpcaccesspb.Connector]ConnectorNames
	subnetNames    map[*computepb.Subnetwork]SubnetNames
	redisNames     map[*redispb.Instance]RedisNames
	routerNames    map[*computepb.Router]RouterNames
	// identities are the project number ↔ id pairs the inventory carries evidence for,
	// gathered on first use.
	identitiesOnce sync.Once
	identities     []ProjectIdentity
}

func problemKey(k Kind, name string) string { return string(k) + "|" + name }

// MarkListed records that a kind's data was loaded.
func (inv *Inventory) MarkListed(k Kind) {
	if inv.Listed == nil {
		inv.Listed = map[Kind]bool{}
	}
	inv.Listed[k] = true
}

// AddProblem records a resource that could not be read.
func (inv *Inventory) AddProblem(p *Problem) { inv.Problems = append(inv.Problems, p) }

func (inv *Inventory) idx() *index {
	inv.indexOnce.Do(func() {
		ix := &index{
			connectors:       map[string]*vpcaccesspb.Connector{},
			redis:            map[string]*redispb.Instance{},
			networks:         map[string]*computepb.Network{},
			subnets:          map[string]*computepb.Subnetwork{},
			subnetsByNet:     map[string][]*computepb.Subnetwork{},
			firewallsByNet:   map[string][]*computepb.Firewall{},
			policiesByNet:    map[string][]*computepb.NetworksGetEffectiveFirewallsResponseEffectiveFirewallPolicy{},
			regionalPolicies: map[string][]*computepb.NetworksGetEffectiveFirewallsResponseEffectiveFirewallPolicy{},
			revisions:        map[string]*runpb.Revision{},
			problems:         map[string]*Problem{},
			addressesByNet:   map[string][]*computepb.Address{},
			connectorNames:   make(map[*vpcaccesspb.Connector]ConnectorNames, len(inv.Connectors)),
			subnetNames:      make(map[*computepb.Subnetwork]SubnetNames, len(inv.Subnetworks)),
			redisNames:       make(map[*redispb.Instance]RedisNames, len(inv.RedisInstances)),
			routersByNet:     map[string][]*computepb.Router{},
			routerNames:      make(map[*computepb.Router]RouterNames, len(inv.Routers)),
		}
		for _, c := range inv.Connectors {
			names := connectorNamesOf(c)
			ix.connectorNames[c] = names
			if names.RefErr == nil {
				ix.connectors[names.Ref.String()] = c
			}
		}
		for _, r := range inv.RedisInstances {
			names := redisNamesOf(r)
			ix.redisNames[r] = names
			if names.RefErr == nil {
				ix.redis[names.Ref.String()] = r
			}
		}
		for _, n := range inv.Networks {
			if ref, err := NetworkOf(n); err == nil {
				ix.networks[ref.String()] = n
			}
		}
		for _, s := range inv.Subnetworks {
			names := subnetNamesOf(s)
			ix.subnetNames[s] = names
			if names.RefErr != nil {
				continue
			}
			ix.subnets[names.Ref.String()] = s
			if names.NetworkErr == nil {
				ix.subnetsByNet[names.Network.String()] = append(ix.subnetsByNet[names.Network.String()], s)
			}
		}
		for _, f := range inv.Firewalls {
			project := ProjectOf(f.GetSelfLink())
			if net, err := ParseNetwork(f.GetNetwork(), project); err == nil {
				ix.firewallsByNet[net.String()] = append(ix.firewallsByNet[net.String()], f)
			}
		}
		for _, entry := range inv.FirewallPolicies {
			key := ""
			if net, err := ParseNetwork(entry.Network, ""); err == nil && entry.Network != "" {
				key = net.String()
			}
			// A network with an entry, even an empty one, is known: create the key.
			if entry.Regional {
				k := regionalKey(key, entry.Region)
				ix.regionalPolicies[k] = append(ix.regionalPolicies[k], entry.Policies...)
				continue
			}
			ix.policiesByNet[key] = append(ix.policiesByNet[key], entry.Policies...)
		}
		for _, a := range inv.Addresses {
			if a.GetPurpose() != computepb.Address_VPC_PEERING.String() {
				continue
			}
			if net, err := ParseNetwork(a.GetNetwork(), ProjectOf(a.GetSelfLink())); err == nil {
				ix.addressesByNet[net.String()] = append(ix.addressesByNet[net.String()], a)
			}
		}
		for _, r := range inv.Routers {
			names := routerNamesOf(r)
			ix.routerNames[r] = names
			if names.NetworkErr == nil {
				ix.routersByNet[names.Network.String()] = append(ix.routersByNet[names.Network.String()], r)
			}
		}
		for _, r := range inv.Revisions {
			ix.revisions[RelativeName(r.GetName())] = r
		}
		for _, p := range inv.Problems {
			ix.problems[problemKey(p.Kind, p.Name)] = p
		}
		inv.index = ix
	})
	return inv.index
}

// NetworkOf returns the canonical name of a network resource, from its selfLink (or its
// name, when a hand-written file has no selfLink).
func NetworkOf(n *computepb.Network) (NetworkRef, error) {
	if n.GetSelfLink() != "" {
		return ParseNetwork(n.GetSelfLink(), "")
	}
	return ParseNetwork(n.GetName(), "")
}

// SubnetOf returns the canonical name of a subnetwork from its selfLink, or from its name
// and region.
func SubnetOf(s *computepb.Subnetwork) (SubnetRef, error) {
	if s.GetSelfLink() != "" {
		return ParseSubnet(s.GetSelfLink(), "", "")
	}
	return ParseSubnet(s.GetName(), ProjectOf(s.GetNetwork()), RegionOf(s.GetRegion()))
}

// lookupProblem explains why a named resource of kind k is absent.
func (inv *Inventory) lookupProblem(k Kind, name string) *Problem {
	ix := inv.idx()
	if p, ok := ix.problems[problemKey(k, name)]; ok {
		return p
	}
	if p, ok := ix.problems[problemKey(k, "")]; ok {
		return &Problem{Kind: k, Name: name, Code: p.Code, API: p.API, Permission: p.Permission, Role: p.Role, Detail: p.Detail}
	}
	if inv.Listed[k] {
		return &Problem{Kind: k, Name: name, Code: NotFound}
	}
	return &Problem{Kind: k, Name: name, Code: NotLoaded}
}

// Connector returns the named connector, or the problem that explains its absence.
func (inv *Inventory) Connector(ref ConnectorRef) (*vpcaccesspb.Connector, *Problem) {
	if c, ok := inv.idx().connectors[ref.String()]; ok {
		return c, nil
	}
	return nil, inv.lookupProblem(KindConnector, ref.String())
}

// Redis returns the named Redis instance, or the problem that explains its absence.
func (inv *Inventory) Redis(ref LocationRef) (*redispb.Instance, *Problem) {
	if r, ok := inv.idx().redis[ref.String()]; ok {
		return r, nil
	}
	return nil, inv.lookupProblem(KindRedis, ref.String())
}

// Network returns the named network, or the problem that explains its absence.
func (inv *Inventory) Network(ref NetworkRef) (*computepb.Network, *Problem) {
	if n, ok := inv.idx().networks[ref.String()]; ok {
		return n, nil
	}
	return nil, inv.lookupProblem(KindNetwork, ref.String())
}

// Subnet returns the named subnetwork, or the problem that explains its absence.
func (inv *Inventory) Subnet(ref SubnetRef) (*computepb.Subnetwork, *Problem) {
	if s, ok := inv.idx().subnets[ref.String()]; ok {
		return s, nil
	}
	return nil, inv.lookupProblem(KindSubnetwork, ref.String())
}

// SubnetsOf returns the subnetworks of a network, or a problem when subnetworks were not
// loaded at all (an empty list from a complete listing is not a problem).
func (inv *Inventory) SubnetsOf(net NetworkRef) ([]*computepb.Subnetwork, *Problem) {
	ix := inv.idx()
	if !inv.Listed[KindSubnetwork] {
		return nil, inv.lookupProblem(KindSubnetwork, "")
	}
	if p, ok := ix.problems[problemKey(KindSubnetwork, "")]; ok {
		return ix.subnetsByNet[net.String()], p
	}
	return ix.subnetsByNet[net.String()], nil
}

// FirewallsOf returns the firewall rules of a network, or a problem when firewall rules
// were not loaded.
func (inv *Inventory) FirewallsOf(net NetworkRef) ([]*computepb.Firewall, *Problem) {
	ix := inv.idx()
	if p, ok := ix.problems[problemKey(KindFirewall, "")]; ok {
		return nil, p
	}
	if !inv.Listed[KindFirewall] {
		return nil, inv.lookupProblem(KindFirewall, "")
	}
	return ix.firewallsByNet[net.String()], nil
}

// FirewallPoliciesOf returns the firewall policies in effect on a network, in the order
// networks.getEffectiveFirewalls listed them, or the problem that explains why they are
// not known (not loaded, or the call failed).
func (inv *Inventory) FirewallPoliciesOf(net NetworkRef) ([]*computepb.NetworksGetEffectiveFirewallsResponseEffectiveFirewallPolicy, *Problem) {
	ix := inv.idx()
	if p, ok := ix.problems[problemKey(KindFirewallPolicy, net.String())]; ok {
		return nil, p
	}
	if p, ok := ix.problems[problemKey(KindFirewallPolicy, "")]; ok {
		return nil, &Problem{Kind: KindFirewallPolicy, Name: net.String(), Code: p.Code, API: p.API, Permission: p.Permission, Role: p.Role, Detail: p.Detail}
	}
	if policies, ok := ix.policiesByNet[net.String()]; ok {
		return policies, nil
	}
	if policies, ok := ix.policiesByNet[""]; ok {
		return policies, nil
	}
	return nil, &Problem{Kind: KindFirewallPolicy, Name: net.String(), Code: NotLoaded}
}

func regionalKey(network, region string) string { return network + "|" + region }

// FirewallPoliciesIn returns the firewall policies in effect on a network's VMs in one
// region: a regional network firewall policy applies only to VMs in its region. With a
// regionNetworkFirewallPolicies.getEffectiveFirewalls answer for the network and region,
// that answer decides: it lists the hierarchical and global network policies too, so the
// policies of the network's global answer are added only when the regional answer does
// not repeat them (same type and name), and each policy is evaluated once. Without a
// regional answer (a snapshot that holds none), the global answer's policies are returned,
// as FirewallPoliciesOf does. A regional call that failed is the problem returned.
func (inv *Inventory) FirewallPoliciesIn(net NetworkRef, region string) ([]*computepb.NetworksGetEffectiveFirewallsResponseEffectiveFirewallPolicy, *Problem) {
	global, problem := inv.FirewallPoliciesOf(net)
	if region == "" {
		return global, problem
	}
	ix := inv.idx()
	name := RegionalPoliciesName(net, region)
	if p, ok := ix.problems[problemKey(KindFirewallPolicy, name)]; ok {
		return global, p
	}
	var regional []*computepb.NetworksGetEffectiveFirewallsResponseEffectiveFirewallPolicy
	found := false
	for _, key := range []string{regionalKey(net.String(), region), regionalKey(net.String(), ""), regionalKey("", region), regionalKey("", "")} {
		if regional, found = ix.regionalPolicies[key]; found {
			break
		}
	}
	if !found {
		return global, problem
	}
	if problem != nil {
		// The regional answer alone lists every policy the network's VMs there are subject to.
		global = nil
	}
	return mergePolicies(global, regional), nil
}

// mergePolicies is the global answer's policies, in its order, followed by those of the
// regional answer it does not hold. A policy is identified by its type and name; for one
// in both answers the global answer's copy is kept (it carries the short name).
func mergePolicies(global, regional []*computepb.NetworksGetEffectiveFirewallsResponseEffectiveFirewallPolicy) []*computepb.NetworksGetEffectiveFirewallsResponseEffectiveFirewallPolicy {
	identity := func(p *computepb.NetworksGetEffectiveFirewallsResponseEffectiveFirewallPolicy) string {
		if p.GetName() == "" {
			return strings.ToUpper(p.GetType()) + "|display:" + p.GetDisplayName()
		}
		return strings.ToUpper(p.GetType()) + "|" + p.GetName()
	}
	seen := map[string]bool{}
	out := make([]*computepb.NetworksGetEffectiveFirewallsResponseEffectiveFirewallPolicy, 0, len(global)+len(regional))
	for _, list := range [][]*computepb.NetworksGetEffectiveFirewallsResponseEffectiveFirewallPolicy{global, regional} {
		for _, p := range list {
			if p == nil || seen[identity(p)] {
				continue
			}
			seen[identity(p)] = true
			out = append(out, p)
		}
	}
	return out
}

// PeeringRangesOf returns the ranges allocated to private services access on a network:
// global INTERNAL addresses with purpose VPC_PEERING. They are optional input: when no
// address listing was loaded the result is empty with no problem, since the reserved
// ranges of the Redis instances already stand for the part Memorystore uses; a listing
// that failed returns its problem.
func (inv *Inventory) PeeringRangesOf(net NetworkRef) ([]*computepb.Address, *Problem) {
	ix := inv.idx()
	if p, ok := ix.problems[problemKey(KindAddress, "")]; ok {
		return nil, p
	}
	return ix.addressesByNet[net.String()], nil
}

// RoutersOf returns the Cloud Routers of a network, every region's, or the problem that
// explains why they are not known (not loaded, or the listing failed). An empty list from
// a listing is not a problem: the network has no router.
func (inv *Inventory) RoutersOf(net NetworkRef) ([]*computepb.Router, *Problem) {
	ix := inv.idx()
	if p, ok := ix.problems[problemKey(KindRouter, "")]; ok {
		return nil, &Problem{Kind: KindRouter, Name: net.String(), Code: p.Code, API: p.API, Permission: p.Permission, Role: p.Role, Detail: p.Detail}
	}
	if !inv.Listed[KindRouter] {
		return nil, &Problem{Kind: KindRouter, Name: net.String(), Code: NotLoaded}
	}
	return ix.routersByNet[net.String()], nil
}

// Revision returns the named revision, or the problem that explains its absence.
func (inv *Inventory) Revision(name string) (*runpb.Revision, *Problem) {
	name = RelativeName(name)
	if r, ok := inv.idx().revisions[name]; ok {
		return r, nil
	}
	return nil, inv.lookupProblem(KindRevision, name)
}

// RedisNames lists the canonical names of the Redis instances, sorted, for messages.
func (inv *Inventory) RedisNames() []string {
	names := make([]string, 0, len(inv.RedisInstances))
	for _, r := range inv.RedisInstances {
		names = append(names, r.GetName())
	}
	sort.Strings(names)
	return names
}

// ShortName is the last segment of a resource name.
func ShortName(name string) string {
	name = strings.TrimRight(name, "/")
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// RedisCluster returns the Memorystore for Redis Cluster with the given short name in a
// project and region, if the inventory has one.
func (inv *Inventory) RedisCluster(project, region, name string) *clusterpb.Cluster {
	for _, c := range inv.RedisClusters {
		ref, err := ParseLocation(c.GetName(), "clusters")
		if err == nil && ref.Name == name && (project == "" || ref.Project == project) && (region == "" || ref.Region == region) {
			return c
		}
	}
	return nil
}
