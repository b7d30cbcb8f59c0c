package inventory

import (
	"fmt"
	"strings"

	"cloud.google.com/go/compute/apiv1/computepb"
	"cloud.google.com/go/redis/apiv1/redispb"
	"cloud.google.com/go/run/apiv2/runpb"
	"cloud.google.com/go/vpcaccess/apiv1/vpcaccesspb"
	"google.golang.org/protobuf/proto"
)

// Applying a plan's resources to the inventory: what the plan creates, updates or replaces
// takes the place of the resource of the same canonical name, what it deletes is removed,
// what it keeps is added only when absent (see terraform.go).

// apply puts one plan resource into the inventory.
func (p *planReader) apply(inv *Inventory, ix *applyIndex, r *planResource) error {
	kind := r.kind
	name := r.canonical()
	if r.action == planDestroy {
		if r.name != "" {
			ix.remove(kind, name)
			inv.MarkListed(kind)
		}
		return nil
	}
	if r.nameUnknown {
		inv.UnknownResource(kind, name, r.address)
		return nil
	}
	if !strings.HasPrefix(r.configAddr, "data.") {
		inv.notePlanManaged(name, r.address, r.typ)
	}
	if r.action == planKeep && ix.has(kind, name) {
		return nil
	}
	b := &protoBuilder{p: p, r: r, inv: inv, name: name}
	msg, err := b.build()
	if err == nil {
		err = Validate(msg)
	}
	if err != nil {
		return &InputError{Path: p.path, Msg: fmt.Sprintf("%s: %v", r.address, err)}
	}
	ix.remove(kind, name)
	if err := inv.Add(kind, msg, p.path); err != nil {
		return &InputError{Path: p.path, Msg: fmt.Sprintf("%s: %v", r.address, err)}
	}
	ix.insert(kind, msg)
	return nil
}

// timeoutError is the error of a plan whose loading outlived --timeout.
func (p *planReader) timeoutError(err error) error {
	return &InputError{Path: p.path, Msg: "applying the plan took longer than --timeout (" + err.Error() + ")"}
}

// applyIndex finds the inventory's resources by canonical name while a plan is applied,
// so applying one is linear in its resources and the inventory's, not their product. A
// removed resource is only marked; compact drops the marked ones from the inventory once,
// at the end (nothing reads the resource lists while the plan is applied).
type applyIndex struct {
	byKey   map[string][]indexed // indexKey → resources, removed ones included
	removed map[proto.Message]bool
}

// indexed is a resource with its name, computed once.
type indexed struct {
	msg  proto.Message
	name string
}

func newApplyIndex(inv *Inventory) *applyIndex {
	ix := &applyIndex{byKey: map[string][]indexed{}, removed: map[proto.Message]bool{}}
	for _, kind := range []Kind{KindService, KindConnector, KindRedis, KindNetwork, KindSubnetwork, KindFirewall, KindAddress} {
		forEachMessage(inv, kind, func(msg proto.Message) { ix.insert(kind, msg) })
	}
	return ix
}

// indexKey is the key under which resources that sameResource may call equal meet: the
// trimmed canonical name, but only the short name for services, which sameResource
// compares loosely.
func indexKey(kind Kind, name string) string {
	name = trimSelfLink(name)
	if kind == KindService {
		if ref, err := ParseLocation(name, "services"); err == nil {
			name = ref.Name
		}
	}
	return string(kind) + " " + name
}

func (ix *applyIndex) insert(kind Kind, msg proto.Message) {
	name := messageName(kind, msg)
	key := indexKey(kind, name)
	ix.byKey[key] = append(ix.byKey[key], indexed{msg: msg, name: name})
}

// has reports whether the inventory holds a resource of that canonical name.
func (ix *applyIndex) has(kind Kind, name string) bool {
	for _, entry := range ix.byKey[indexKey(kind, name)] {
		if !ix.removed[entry.msg] && sameResource(kind, entry.name, name) {
			return true
		}
	}
	return false
}

// remove marks every resource of that canonical name as removed.
func (ix *applyIndex) remove(kind Kind, name string) {
	for _, entry := range ix.byKey[indexKey(kind, name)] {
		if sameResource(kind, entry.name, name) {
			ix.removed[entry.msg] = true
		}
	}
}

// compact drops the removed resources from the inventory, in new slices (the old ones may
// be shared with another inventory).
func (ix *applyIndex) compact(inv *Inventory) {
	if len(ix.removed) == 0 {
		return
	}
	keep := func(msg proto.Message) bool { return !ix.removed[msg] }
	inv.Services = filter(inv.Services, func(s *runpb.Service) bool { return keep(s) })
	inv.Connectors = filter(inv.Connectors, func(c *vpcaccesspb.Connector) bool { return keep(c) })
	inv.RedisInstances = filter(inv.RedisInstances, func(r *redispb.Instance) bool { return keep(r) })
	inv.Networks = filter(inv.Networks, func(n *computepb.Network) bool { return keep(n) })
	inv.Subnetworks = filter(inv.Subnetworks, func(s *computepb.Subnetwork) bool { return keep(s) })
	inv.Firewalls = filter(inv.Firewalls, func(f *computepb.Firewall) bool { return keep(f) })
	inv.Addresses = filter(inv.Addresses, func(a *computepb.Address) bool { return keep(a) })
}

// messageName is the name of a resource as the inventory compares it.
func messageName(kind Kind, msg proto.Message) string {
	switch m := msg.(type) {
	case *runpb.Service:
		return m.GetName()
	case *vpcaccesspb.Connector:
		return m.GetName()
	case *redispb.Instance:
		return m.GetName()
	case *computepb.Network:
		return networkName(m)
	case *computepb.Subnetwork:
		return subnetName(m)
	case *computepb.Firewall:
		return firewallName(m)
	case *computepb.Address:
		return addressName(m)
	}
	return ""
}

// forEachMessage visits the resources of one kind.
func forEachMessage(inv *Inventory, kind Kind, visit func(proto.Message)) {
	switch kind {
	case KindService:
		for _, s := range inv.Services {
			visit(s)
		}
	case KindConnector:
		for _, c := range inv.Connectors {
			visit(c)
		}
	case KindRedis:
		for _, r := range inv.RedisInstances {
			visit(r)
		}
	case KindNetwork:
		for _, n := range inv.Networks {
			visit(n)
		}
	case KindSubnetwork:
		for _, s := range inv.Subnetworks {
			visit(s)
		}
	case KindFirewall:
		for _, f := range inv.Firewalls {
			visit(f)
		}
	case KindAddress:
		for _, a := range inv.Addresses {
			visit(a)
		}
	}
}

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

func addressName(a *computepb.Address) string {
	return "projects/" + ProjectOf(a.GetSelfLink()) + "/global/addresses/" + a.GetName()
}

// sameResource compares canonical names. A Cloud Run service read from a service.yaml or
// gcloud's Knative output names its project by number, or not at all, and may carry no
// region: it is the same service when the short name matches and the rest does not differ.
func sameResource(kind Kind, a, b string) bool {
	a, b = trimSelfLink(a), trimSelfLink(b)
	if a == b {
		return true
	}
	if kind != KindService {
		return false
	}
	ra, errA := ParseLocation(a, "services")
	rb, errB := ParseLocation(b, "services")
	if errA != nil || errB != nil || ra.Name != rb.Name {
		return false
	}
	loose := func(x, y string) bool { return x == y || x == Unknown || y == Unknown }
	looseProject := func(x, y string) bool { return loose(x, y) || numericRe.MatchString(x) || numericRe.MatchString(y) }
	return loose(ra.Region, rb.Region) && looseProject(ra.Project, rb.Project)
}
