package inventory

import (
	"regexp"
	"slices"
	"sort"
	"strings"

	"cloud.google.com/go/compute/apiv1/computepb"
	"cloud.google.com/go/redis/apiv1/redispb"
	clusterpb "cloud.google.com/go/redis/cluster/apiv1/clusterpb"
	"cloud.google.com/go/run/apiv2/runpb"
	"cloud.google.com/go/vpcaccess/apiv1/vpcaccesspb"
	"google.golang.org/protobuf/proto"

	"github.com/vpcdoctor/vpcdoctor/internal/sanitize"
)

// KindInfo is everything vpcdoctor knows about one kind of resource, said once: how a
// snapshot file holds it, which gcloud command supplies it, how it is named and where the
// inventory keeps it. The snapshot loader, the snapshot writer, the validator and the
// remediation text read the table (Kinds) instead of switching on the kind.
type KindInfo struct {
	Kind Kind
	// File is the file of a snapshot directory the writer puts the kind's resources in.
	File string
	// Envelope is the key of the list the writer wraps them in, {"KEY": [...]}; with
	// ListKind, {"kind": LIST-KIND, "items": [...]}.
	Envelope string
	ListKind string
	// AggregatedKind is the "kind" of a Compute aggregated list of the kind
	// ({"items": {"regions/R": {"KEY": [...]}}}, KEY being BareKey); "" for none.
	AggregatedKind string
	// ItemKind is the "kind" field of one resource of a Compute API answer
	// ("compute#network"); "" for kinds recognised by the shape of their name.
	ItemKind string
	// NameShape matches the full name of one resource of a kind that carries no "kind"
	// field (projects/P/locations/R/connectors/C); nil for the others.
	NameShape *regexp.Regexp
	// BareKey is the key of a list answer without a "kind" ({"connectors": [...]}) that
	// holds the kind; "" when there is none. BareKeyMarksListed: such an answer, even an
	// empty one, is a complete listing of the kind.
	BareKey            string
	BareKeyMarksListed bool
	// WholeListing marks a kind the checks read as a whole listing (every firewall rule of
	// a network): a resource of it that cannot be kept makes the listing's problem, not
	// the resource's, since one missing deny rule could turn a fail into a pass.
	WholeListing bool
	// Command is the gcloud command whose output supplies the kind to a snapshot, with
	// placeholders (SERVICE, REGION...).
	Command string
	// Listing is the gcloud listing, without "gcloud", that shows what exists of the kind,
	// for a resource that was not found; "" for kinds no check reports missing.
	Listing string

	// command fills Command's placeholders from a canonical name (of the kind itself, or
	// for listings of the network they belong to); ok is false when the name does not give
	// them.
	command func(name string) (cmd string, ok bool)
	// res reaches the kind's slice of the Inventory; nil for a kind that is not held as
	// one proto message per resource (the firewall policies in effect on a network).
	res resources
}

// Kinds returns the table of every resource kind (a copy), in the order the loaders visit
// them and the writer writes them.
func Kinds() []KindInfo { return slices.Clone(kindTable) }

// KindOf returns the table row of a kind; ok is false for a kind the table does not have.
func KindOf(k Kind) (info KindInfo, ok bool) {
	for _, row := range kindTable {
		if row.Kind == k {
			return row, true
		}
	}
	return KindInfo{}, false
}

// KindOfMessage returns the table row whose resources are messages of msg's type; ok is
// false for a message of no kind of the table.
func KindOfMessage(msg proto.Message) (info KindInfo, ok bool) {
	for _, row := range kindTable {
		if row.res != nil && row.res.holds(msg) {
			return row, true
		}
	}
	return KindInfo{}, false
}

// HoldsResources reports whether the kind is kept as one proto message per resource, in a
// slice of the Inventory that Add, Each and Retain reach.
func (k KindInfo) HoldsResources() bool { return k.res != nil }

// NewMessage returns an empty message of the kind's proto type, for a loader to fill; nil
// for a kind that HoldsResources does not report.
func (k KindInfo) NewMessage() proto.Message {
	if k.res == nil {
		return nil
	}
	return k.res.newMessage()
}

// Name is the name a resource of the kind gives itself, as a relative name
// (projects/P/...): its name, or for Compute resources its selfLink; "" when the resource
// carries none (a hand-written file).
func (k KindInfo) Name(msg proto.Message) string {
	if k.res == nil {
		return ""
	}
	return RelativeName(k.res.rawName(msg))
}

// Canonical is the canonical name of a resource of the kind, as a plan or a lookup
// compares it: Name, or for a Compute resource that carries no selfLink, the name built
// from its name and region (subnetworks) or its network's project (firewall rules).
func (k KindInfo) Canonical(msg proto.Message) string {
	if k.res == nil {
		return ""
	}
	return k.res.canonicalName(msg)
}

// Len is the number of the kind's resources the inventory holds.
func (k KindInfo) Len(inv *Inventory) int {
	if k.res == nil {
		return 0
	}
	return k.res.count(inv)
}

// Messages returns the kind's resources, in the inventory's order.
func (k KindInfo) Messages(inv *Inventory) []proto.Message {
	var out []proto.Message
	if k.res != nil {
		k.res.each(inv, func(msg proto.Message) { out = append(out, msg) })
	}
	return out
}

// Scrub removes in place what vpcdoctor never keeps of a resource (see secrets.go); a
// no-op for kinds that carry no free text.
func (k KindInfo) Scrub(msg proto.Message) {
	if k.res != nil {
		k.res.scrub(msg)
	}
}

// ListingCommand is the gcloud listing, without "gcloud", that shows what exists of a kind
// (KindInfo.Listing), or the services of a region for a kind without one.
func ListingCommand(k Kind) string {
	if info, ok := KindOf(k); ok && info.Listing != "" {
		return info.Listing
	}
	return "run services list --region REGION"
}

// Redacted returns msg with what vpcdoctor never keeps removed: a scrubbed copy for the
// kinds that carry free text (see Scrub), msg itself for the others.
func (k KindInfo) Redacted(msg proto.Message) proto.Message {
	if k.res == nil || !k.res.scrubs() {
		return msg
	}
	out := proto.Clone(msg)
	k.res.scrub(out)
	return out
}

// GcloudCommand is the command whose output supplies a kind of resource to a snapshot.
func GcloudCommand(k Kind) string {
	if info, ok := KindOf(k); ok && info.Command != "" {
		return info.Command
	}
	return "gcloud"
}

// SnapshotCommand is GcloudCommand with the real names filled in from a canonical resource
// name (of the kind itself, or, for subnetwork and firewall listings, of their network).
// Parts the name does not give stay placeholders.
func SnapshotCommand(k Kind, name string) string {
	info, ok := KindOf(k)
	if !ok || info.command == nil {
		return GcloudCommand(k)
	}
	cmd, ok := info.command(name)
	if !ok {
		return GcloudCommand(k)
	}
	if _, withheld := sanitize.Withheld(cmd); withheld {
		// A name no resource can have is not pasted into a command: the placeholders are.
		return GcloudCommand(k)
	}
	return cmd
}

// resources is what the table knows about a kind's slice; slice[T] implements it for every
// proto kind, so the operations over all kinds are written once.
type resources interface {
	holds(msg proto.Message) bool
	newMessage() proto.Message
	rawName(msg proto.Message) string
	add(inv *Inventory, msg proto.Message) bool
	each(inv *Inventory, visit func(proto.Message))
	retain(inv *Inventory, keep func(proto.Message) bool)
	appendFrom(dst, src *Inventory)
	sortByName(inv *Inventory)
	scrub(msg proto.Message)
	scrubs() bool
	validate(msg proto.Message) error
	canonicalName(msg proto.Message) string
	count(inv *Inventory) int
}

// slice describes the Inventory slice of one proto kind.
type slice[T proto.Message] struct {
	of func(inv *Inventory) *[]T
	// name is the API's name of the resource: its name, or its selfLink.
	name func(T) string
	// scrubIn removes secrets in place; nil for kinds without free text.
	scrubIn func(T)
	// valid rejects values no Google Cloud API returns (see Validate); nil for kinds
	// without such values.
	valid func(T) error
	// canonical builds the canonical name of a resource that may carry no selfLink (a
	// hand-written file, a plan); nil when the API's name is the canonical one.
	canonical func(T) string
}

func (s slice[T]) holds(msg proto.Message) bool {
	_, ok := msg.(T)
	return ok
}

func (s slice[T]) newMessage() proto.Message {
	var zero T
	return zero.ProtoReflect().New().Interface()
}

func (s slice[T]) rawName(msg proto.Message) string {
	if m, ok := msg.(T); ok {
		return s.name(m)
	}
	return ""
}

func (s slice[T]) add(inv *Inventory, msg proto.Message) bool {
	m, ok := msg.(T)
	if ok {
		list := s.of(inv)
		*list = append(*list, m)
	}
	return ok
}

func (s slice[T]) each(inv *Inventory, visit func(proto.Message)) {
	for _, m := range *s.of(inv) {
		visit(m)
	}
}

func (s slice[T]) retain(inv *Inventory, keep func(proto.Message) bool) {
	list := s.of(inv)
	*list = filter(*list, func(m T) bool { return keep(m) })
}

func (s slice[T]) appendFrom(dst, src *Inventory) {
	list := s.of(dst)
	*list = append(*list, *s.of(src)...)
}

func (s slice[T]) sortByName(inv *Inventory) {
	list := *s.of(inv)
	sort.Slice(list, func(i, j int) bool { return s.name(list[i]) < s.name(list[j]) })
}

func (s slice[T]) scrub(msg proto.Message) {
	if m, ok := msg.(T); ok && s.scrubIn != nil {
		s.scrubIn(m)
	}
}

func (s slice[T]) validate(msg proto.Message) error {
	if m, ok := msg.(T); ok && s.valid != nil {
		return s.valid(m)
	}
	return nil
}

func (s slice[T]) canonicalName(msg proto.Message) string {
	m, ok := msg.(T)
	switch {
	case !ok:
		return ""
	case s.canonical != nil:
		return s.canonical(m)
	}
	return RelativeName(s.name(m))
}

func (s slice[T]) scrubs() bool { return s.scrubIn != nil }

func (s slice[T]) count(inv *Inventory) int { return len(*s.of(inv)) }

// location builds the command filler of a kind named projects/P/locations/R/COLLECTION/N.
func location(collection, format string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		ref, err := ParseLocation(name, collection)
		if err != nil || ref.Project == Unknown || ref.Region == Unknown {
			return "", false
		}
		return sanitize.Command(format, ref.Name, ref.Region, ref.Project), true
	}
}

// ofNetwork builds the command filler of a listing named by its network's canonical name.
func ofNetwork(list string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		if !strings.Contains(name, "/networks/") {
			return "", false
		}
		ref, err := ParseNetwork(name, "")
		if err != nil || ref.Project == "" {
			return "", false
		}
		return sanitize.Command("gcloud %s --filter network=%s --project %s --format yaml", sanitize.Words(list), ref.Name, ref.Project), true
	}
}

// The files of a snapshot directory the writer puts each kind in, in the APIs' own list
// formats.
const (
	ServicesFile    = "services.json"
	RevisionsFile   = "revisions.json"
	ConnectorsFile  = "connectors.json"
	RedisFile       = "redis.json"
	ClustersFile    = "clusters.json"
	NetworksFile    = "networks.json"
	SubnetworksFile = "subnetworks.json"
	FirewallsFile   = "firewalls.json"
	// FirewallPoliciesFile holds the networks.getEffectiveFirewalls answers, one per
	// network, each with a "network" field naming it, and the
	// regionNetworkFirewallPolicies.getEffectiveFirewalls answers, one per network and
	// region, each with "network" and "region" fields.
	FirewallPoliciesFile = "firewall-policies.json"
	AddressesFile        = "addresses.json"
	RoutersFile          = "routers.json"
)

// EffectiveFirewallsKind marks the file in which `vpcdoctor snapshot` records the
// networks.getEffectiveFirewalls answers, one item per network, each with a "network"
// field naming it (the API's response does not).
const EffectiveFirewallsKind = "vpcdoctor#effectiveFirewalls"

// kindTable is read only: Kinds hands out a copy.
var kindTable = []KindInfo{
	{
		Kind: KindService, File: ServicesFile, Envelope: "services", BareKey: "services",
		NameShape: regexp.MustCompile(`^projects/[^/]+/locations/[^/]+/services/[^/]+$`),
		Command:   "gcloud run services describe SERVICE --region REGION --format yaml",
		Listing:   "run services list --region REGION",
		command:   location("services", "gcloud run services describe %s --region %s --project %s --format yaml"),
		res: slice[*runpb.Service]{
			of:   func(inv *Inventory) *[]*runpb.Service { return &inv.Services },
			name: (*runpb.Service).GetName, scrubIn: scrubService, valid: validService,
		},
	},
	{
		Kind: KindRevision, File: RevisionsFile, Envelope: "revisions", BareKey: "revisions",
		NameShape: regexp.MustCompile(`^projects/[^/]+/locations/[^/]+/services/[^/]+/revisions/[^/]+$`),
		Command:   "gcloud run revisions describe REVISION --region REGION --format yaml",
		Listing:   "run revisions list --region REGION",
		res: slice[*runpb.Revision]{
			of:   func(inv *Inventory) *[]*runpb.Revision { return &inv.Revisions },
			name: (*runpb.Revision).GetName, scrubIn: scrubRevision, valid: validRevision,
		},
	},
	{
		Kind: KindConnector, File: ConnectorsFile, Envelope: "connectors", BareKey: "connectors", BareKeyMarksListed: true,
		NameShape: regexp.MustCompile(`^projects/[^/]+/locations/[^/]+/connectors/[^/]+$`),
		Command:   "gcloud compute networks vpc-access connectors describe CONNECTOR --region REGION --format yaml",
		Listing:   "compute networks vpc-access connectors list --region REGION",
		command: func(name string) (string, bool) {
			ref, err := ParseConnector(name, "", "")
			if err != nil || ref.Project == "" || ref.Region == "" {
				return "", false
			}
			return sanitize.Command("gcloud compute networks vpc-access connectors describe %s --region %s --project %s --format yaml", ref.Name, ref.Region, ref.Project), true
		},
		res: slice[*vpcaccesspb.Connector]{
			of:   func(inv *Inventory) *[]*vpcaccesspb.Connector { return &inv.Connectors },
			name: (*vpcaccesspb.Connector).GetName, valid: validConnector,
		},
	},
	{
		Kind: KindRedis, File: RedisFile, Envelope: "instances", BareKey: "instances", BareKeyMarksListed: true,
		NameShape: regexp.MustCompile(`^projects/[^/]+/locations/[^/]+/instances/[^/]+$`),
		Command:   "gcloud redis instances describe INSTANCE --region REGION --format yaml",
		Listing:   "redis instances list --region REGION",
		command: func(name string) (string, bool) {
			ref, err := ParseLocation(name, "instances")
			if err != nil {
				return "", false
			}
			return sanitize.Command("gcloud redis instances describe %s --region %s --project %s --format yaml", ref.Name, ref.Region, ref.Project), true
		},
		res: slice[*redispb.Instance]{
			of:   func(inv *Inventory) *[]*redispb.Instance { return &inv.RedisInstances },
			name: (*redispb.Instance).GetName, valid: validRedis,
		},
	},
	{
		// Memorystore for Redis Cluster instances, read only to explain a Redis name that
		// is a cluster (live mode reads them best effort: absence proves nothing).
		Kind: KindRedisCluster, File: ClustersFile, Envelope: "clusters", BareKey: "clusters",
		NameShape: regexp.MustCompile(`^projects/[^/]+/locations/[^/]+/clusters/[^/]+$`),
		res: slice[*clusterpb.Cluster]{
			of:   func(inv *Inventory) *[]*clusterpb.Cluster { return &inv.RedisClusters },
			name: (*clusterpb.Cluster).GetName, valid: validCluster,
		},
	},
	{
		Kind: KindNetwork, File: NetworksFile, Envelope: "items", ListKind: "compute#networkList", ItemKind: "compute#network", BareKey: "networks",
		Command: "gcloud compute networks describe NETWORK --format yaml",
		Listing: "compute networks list",
		command: func(name string) (string, bool) {
			ref, err := ParseNetwork(name, "")
			if err != nil || ref.Project == "" {
				return "", false
			}
			return sanitize.Command("gcloud compute networks describe %s --project %s --format yaml", ref.Name, ref.Project), true
		},
		res: slice[*computepb.Network]{
			of:   func(inv *Inventory) *[]*computepb.Network { return &inv.Networks },
			name: (*computepb.Network).GetSelfLink, canonical: networkName,
		},
	},
	{
		Kind: KindSubnetwork, File: SubnetworksFile, Envelope: "items", ListKind: "compute#subnetworkList", ItemKind: "compute#subnetwork",
		AggregatedKind: "compute#subnetworkAggregatedList",
		BareKey:        "subnetworks", BareKeyMarksListed: true, WholeListing: true,
		Command: "gcloud compute networks subnets list --format yaml",
		Listing: "compute networks subnets list",
		command: ofNetwork("compute networks subnets list"),
		res: slice[*computepb.Subnetwork]{
			of:   func(inv *Inventory) *[]*computepb.Subnetwork { return &inv.Subnetworks },
			name: (*computepb.Subnetwork).GetSelfLink, valid: validSubnetwork, canonical: subnetName,
		},
	},
	{
		Kind: KindFirewall, File: FirewallsFile, Envelope: "items", ListKind: "compute#firewallList", ItemKind: "compute#firewall",
		BareKey: "firewalls", BareKeyMarksListed: true, WholeListing: true,
		Command: "gcloud compute firewall-rules list --format yaml",
		Listing: "compute firewall-rules list",
		command: ofNetwork("compute firewall-rules list"),
		res: slice[*computepb.Firewall]{
			of:   func(inv *Inventory) *[]*computepb.Firewall { return &inv.Firewalls },
			name: (*computepb.Firewall).GetSelfLink, valid: validFirewall, canonical: firewallName,
		},
	},
	{
		// The networks.getEffectiveFirewalls answers, one per network, each with a
		// "network" field naming it, and the regionNetworkFirewallPolicies
		// .getEffectiveFirewalls answers, one per network and region, each with "network"
		// and "region" fields (Inventory.FirewallPolicies).
		Kind: KindFirewallPolicy, File: FirewallPoliciesFile, Envelope: "items", ListKind: EffectiveFirewallsKind,
		Command: "gcloud compute networks get-effective-firewalls NETWORK --format json",
		Listing: "compute networks list",
		command: func(name string) (string, bool) {
			if ref, region, ok := ParseRegionalPoliciesName(name); ok {
				return sanitize.Command("gcloud compute network-firewall-policies get-effective-firewalls --network %s --region %s --project %s --format json", ref.Name, region, ref.Project), true
			}
			if ref, err := ParseNetwork(name, ""); err == nil && ref.Project != "" && strings.Contains(name, "/networks/") {
				return sanitize.Command("gcloud compute networks get-effective-firewalls %s --project %s --format json", ref.Name, ref.Project), true
			}
			return "", false
		},
	},
	{
		Kind: KindAddress, File: AddressesFile, Envelope: "items", ListKind: "compute#addressList", ItemKind: "compute#address", WholeListing: true,
		Command: "gcloud compute addresses list --global --filter purpose=VPC_PEERING --format yaml",
		command: func(name string) (string, bool) {
			ref, err := ParseNetwork(name, "")
			if err != nil || ref.Project == "" {
				return "", false
			}
			return sanitize.Command("gcloud compute addresses list --global --filter purpose=VPC_PEERING --project %s --format yaml", ref.Project), true
		},
		res: slice[*computepb.Address]{
			of:   func(inv *Inventory) *[]*computepb.Address { return &inv.Addresses },
			name: (*computepb.Address).GetSelfLink, valid: validAddress, canonical: addressName,
		},
	},
	{
		// Cloud Routers, every region's, read for their Cloud NAT gateways (the router's
		// nats): a listing, since a NAT that is absent is what the checks look for.
		Kind: KindRouter, File: RoutersFile, Envelope: "items", ListKind: "compute#routerList", ItemKind: "compute#router",
		AggregatedKind: "compute#routerAggregatedList", BareKey: "routers", WholeListing: true,
		Command: "gcloud compute routers list --format yaml",
		Listing: "compute routers list",
		command: ofNetwork("compute routers list"),
		res: slice[*computepb.Router]{
			of:   func(inv *Inventory) *[]*computepb.Router { return &inv.Routers },
			name: (*computepb.Router).GetSelfLink, canonical: routerName,
		},
	},
}

// The canonical names of Compute resources from what a resource carries.

func networkName(n *computepb.Network) string {
	if ref, err := NetworkOf(n); err == nil {
		return ref.String()
	}
	return n.GetName()
}

func subnetName(s *computepb.Subnetwork) string {
	if ref, err := SubnetOf(s); err == nil {
		return ref.String()
	}
	return s.GetName()
}

func firewallName(f *computepb.Firewall) string {
	project := ProjectOf(f.GetSelfLink())
	if project == "" {
		project = ProjectOf(f.GetNetwork())
	}
	return "projects/" + project + "/global/firewalls/" + f.GetName()
}

func routerName(r *computepb.Router) string {
	project := ProjectOf(r.GetSelfLink())
	if project == "" {
		project = ProjectOf(r.GetNetwork())
	}
	return "projects/" + project + "/regions/" + RegionOf(r.GetRegion()) + "/routers/" + r.GetName()
}

func addressName(a *computepb.Address) string {
	return "projects/" + ProjectOf(a.GetSelfLink()) + "/global/addresses/" + a.GetName()
}
