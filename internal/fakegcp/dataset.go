package fakegcp

import (
	"fmt"
	"sort"
	"strings"

	"cloud.google.com/go/compute/apiv1/computepb"
	"cloud.google.com/go/redis/apiv1/redispb"
	clusterpb "cloud.google.com/go/redis/cluster/apiv1/clusterpb"
	"cloud.google.com/go/run/apiv2/runpb"
	"cloud.google.com/go/vpcaccess/apiv1/vpcaccesspb"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// dataset is an inventory indexed the way the APIs address it. It is built once and only
// read afterwards, so handlers share it without locking.
type dataset struct {
	services   map[string]*runpb.Service // canonical name
	revisions  map[string]*runpb.Revision
	connectors map[string]*vpcaccesspb.Connector
	redis      map[string]*redispb.Instance
	clusters   map[string]*clusterpb.Cluster
	networks   map[string]*computepb.Network // projects/P/global/networks/N
	// subnetworks and firewalls by project, subnetworks also by region.
	subnetworks map[string]map[string][]*computepb.Subnetwork
	firewalls   map[string][]*computepb.Firewall
	// policies are the firewall policies in effect per network (canonical name); the key
	// "" holds those of snapshot files that name no network.
	policies map[string][]*computepb.NetworksGetEffectiveFirewallsResponseEffectiveFirewallPolicy
	// regional are the regional answers by network and region (network|region, either ""
	// for snapshot files that did not say).
	regional  map[string][]*computepb.NetworksGetEffectiveFirewallsResponseEffectiveFirewallPolicy
	addresses map[string][]*computepb.Address // global addresses by project
	// routers by project, then region, each region's sorted by selfLink.
	routers map[string]map[string][]*computepb.Router
	// problems replays a snapshot's recorded problems: kind|name, and kind| for a whole kind.
	problems map[string]codes.Code
	// listed are the kinds the snapshot holds data for. Calls on any other kind answer
	// PermissionDenied: the fake cannot know what exists, just as a caller without the
	// permission cannot, and the checks then report the kind as unreadable in both modes.
	listed map[inventory.Kind]bool
	// inv is the snapshot itself, for the project identities and IAM policies it carries
	// (resourcemanager.go); read only.
	inv *inventory.Inventory
}

func newDataset(inv *inventory.Inventory, defaultRegion, defaultProject string) (*dataset, error) {
	d := &dataset{
		services:    map[string]*runpb.Service{},
		revisions:   map[string]*runpb.Revision{},
		connectors:  map[string]*vpcaccesspb.Connector{},
		redis:       map[string]*redispb.Instance{},
		clusters:    map[string]*clusterpb.Cluster{},
		networks:    map[string]*computepb.Network{},
		subnetworks: map[string]map[string][]*computepb.Subnetwork{},
		firewalls:   map[string][]*computepb.Firewall{},
		policies:    map[string][]*computepb.NetworksGetEffectiveFirewallsResponseEffectiveFirewallPolicy{},
		regional:    map[string][]*computepb.NetworksGetEffectiveFirewallsResponseEffectiveFirewallPolicy{},
		addresses:   map[string][]*computepb.Address{},
		routers:     map[string]map[string][]*computepb.Router{},
		problems:    map[string]codes.Code{},
		listed:      map[inventory.Kind]bool{},
		inv:         inv,
	}
	for kind, ok := range inv.Listed {
		d.listed[kind] = ok
	}
	for _, svc := range inv.Services {
		served, err := canonicalService(inv, svc, defaultRegion, defaultProject)
		if err != nil {
			return nil, err
		}
		d.services[served.GetName()] = served
	}
	for _, rev := range inv.Revisions {
		d.revisions[rev.GetName()] = rev
	}
	for _, c := range inv.Connectors {
		d.connectors[c.GetName()] = c
	}
	for _, r := range inv.RedisInstances {
		d.redis[r.GetName()] = r
	}
	for _, c := range inv.RedisClusters {
		d.clusters[c.GetName()] = c
	}
	for _, n := range inv.Networks {
		ref, err := inventory.NetworkOf(n)
		if err != nil {
			return nil, fmt.Errorf("fakegcp: serve network %s: %w", n.GetName(), err)
		}
		d.networks[ref.String()] = n
	}
	for _, sn := range inv.Subnetworks {
		ref, err := inventory.SubnetOf(sn)
		if err != nil {
			return nil, fmt.Errorf("fakegcp: serve subnetwork %s: %w", sn.GetName(), err)
		}
		if d.subnetworks[ref.Project] == nil {
			d.subnetworks[ref.Project] = map[string][]*computepb.Subnetwork{}
		}
		d.subnetworks[ref.Project][ref.Region] = append(d.subnetworks[ref.Project][ref.Region], sn)
	}
	for _, fw := range inv.Firewalls {
		project := inventory.ProjectOf(fw.GetSelfLink())
		if project == "" {
			project = inventory.ProjectOf(fw.GetNetwork())
		}
		d.firewalls[project] = append(d.firewalls[project], fw)
	}
	for _, entry := range inv.FirewallPolicies {
		key := ""
		if entry.Network != "" {
			ref, err := inventory.ParseNetwork(entry.Network, "")
			if err != nil {
				return nil, fmt.Errorf("fakegcp: serve firewall policies of %s: %w", entry.Network, err)
			}
			key = ref.String()
		}
		if entry.Regional {
			d.regional[key+"|"+entry.Region] = append(d.regional[key+"|"+entry.Region], entry.Policies...)
			continue
		}
		d.policies[key] = append(d.policies[key], entry.Policies...)
	}
	for _, a := range inv.Addresses {
		project := inventory.ProjectOf(a.GetSelfLink())
		d.addresses[project] = append(d.addresses[project], a)
	}
	for _, list := range d.addresses {
		sort.Slice(list, func(i, j int) bool { return list[i].GetSelfLink() < list[j].GetSelfLink() })
	}
	for _, rt := range inv.Routers {
		project, region := inventory.ProjectOf(rt.GetSelfLink()), inventory.RegionOf(rt.GetRegion())
		if project == "" || region == "" {
			return nil, fmt.Errorf("fakegcp: serve router %s: no project and region in its selfLink and region", rt.GetName())
		}
		if d.routers[project] == nil {
			d.routers[project] = map[string][]*computepb.Router{}
		}
		d.routers[project][region] = append(d.routers[project][region], rt)
	}
	for _, byRegion := range d.routers {
		for _, list := range byRegion {
			sort.Slice(list, func(i, j int) bool { return list[i].GetSelfLink() < list[j].GetSelfLink() })
		}
	}
	for _, byRegion := range d.subnetworks {
		for _, list := range byRegion {
			sort.Slice(list, func(i, j int) bool { return list[i].GetSelfLink() < list[j].GetSelfLink() })
		}
	}
	for _, list := range d.firewalls {
		sort.Slice(list, func(i, j int) bool { return list[i].GetSelfLink() < list[j].GetSelfLink() })
	}
	for _, p := range inv.Problems {
		var code codes.Code
		switch p.Code {
		case inventory.PermissionDenied:
			code = codes.PermissionDenied
		case inventory.NotFound:
			code = codes.NotFound
		case inventory.Unavailable:
			code = codes.Unavailable
		default:
			continue
		}
		d.problems[string(p.Kind)+"|"+p.Name] = code
	}
	return d, nil
}

// problem returns the failure a call on a resource (or on its whole kind, when name is "")
// must answer with, and why: a problem recorded in the snapshot (so a snapshot of a failed
// live run fails the same way when served), or a kind the snapshot holds no data for.
func (d *dataset) problem(kind inventory.Kind, name string) (codes.Code, string, bool) {
	if !d.listed[kind] {
		return codes.PermissionDenied, fmt.Sprintf("the snapshot holds no %s data", kind), true
	}
	if code, ok := d.problems[string(kind)+"|"+name]; ok {
		return code, fmt.Sprintf("%s %s is recorded in the snapshot as %s", kind, name, code), true
	}
	if code, ok := d.problems[string(kind)+"|"]; ok {
		return code, fmt.Sprintf("every %s is recorded in the snapshot as %s", kind, code), true
	}
	return codes.OK, "", false
}

// inLocation returns the values whose names are under parent ("projects/P/locations/R",
// R may be "-" for every location), sorted by name.
func inLocation[T interface{ GetName() string }](m map[string]T, parent string) []T {
	project, location := inventory.ProjectOf(parent), locationOf(parent)
	var out []T
	for _, name := range sortedKeys(m) {
		if inventory.ProjectOf(name) != project {
			continue
		}
		if location != "-" && locationOf(name) != location {
			continue
		}
		out = append(out, m[name])
	}
	return out
}

func locationOf(name string) string {
	parts := strings.Split(name, "/")
	for i := 0; i+1 < len(parts); i++ {
		if parts[i] == "locations" {
			return parts[i+1]
		}
	}
	return ""
}

// CanonicalService returns a copy of a service as the Cloud Run v2 API answers for it: named
// projects/PROJECT_ID/locations/REGION/services/NAME, with its revision names to match. A
// Knative service from gcloud names its project by number and a service.yaml may carry no
// region; defaultRegion fills the latter.
func CanonicalService(inv *inventory.Inventory, svc *runpb.Service, defaultRegion string) (*runpb.Service, error) {
	return canonicalService(inv, svc, defaultRegion, "")
}

// canonicalService is CanonicalService with defaultProject for a project number the
// snapshot does not resolve.
func canonicalService(inv *inventory.Inventory, svc *runpb.Service, defaultRegion, defaultProject string) (*runpb.Service, error) {
	ref, err := inventory.ResolveServiceRef(inv, svc, inventory.Selector{})
	if err != nil && defaultRegion != "" {
		ref, err = inventory.ResolveServiceRef(inv, svc, inventory.Selector{Region: defaultRegion})
	}
	if err != nil {
		return nil, fmt.Errorf("fakegcp: serve service %s: %w", svc.GetName(), err)
	}
	if number := inventory.ProjectOf(svc.GetName()); defaultProject != "" && isProjectNumber(number) {
		if _, resolved := inv.ProjectID(number); !resolved {
			ref.Project = defaultProject
		}
	}
	served := proto.Clone(svc).(*runpb.Service)
	old := svc.GetName()
	served.Name = ref.String()
	if rest, ok := strings.CutPrefix(served.GetLatestReadyRevision(), old+"/"); ok {
		served.LatestReadyRevision = served.Name + "/" + rest
	}
	if rest, ok := strings.CutPrefix(served.GetLatestCreatedRevision(), old+"/"); ok {
		served.LatestCreatedRevision = served.Name + "/" + rest
	}
	return served, nil
}

func isProjectNumber(project string) bool {
	for _, c := range project {
		if c < '0' || c > '9' {
			return false
		}
	}
	return project != ""
}
