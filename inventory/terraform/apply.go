package terraform

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// Applying a plan's resources to the inventory: what the plan creates, updates or replaces
// takes the place of the resource of the same canonical name, what it deletes is removed,
// what it keeps is added only when absent (see plan.go).

// apply puts one plan resource into the inventory.
func (p *planReader) apply(inv *inventory.Inventory, ix *applyIndex, r *planResource) error {
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
		inv.NotePlanManaged(name, r.address, r.typ)
	}
	if r.action == planKeep && ix.has(kind, name) {
		return nil
	}
	b := &protoBuilder{p: p, r: r, inv: inv, name: name}
	msg, err := b.build()
	if err == nil {
		err = inventory.Validate(msg)
	}
	if err != nil {
		return &inventory.InputError{Path: p.path, Msg: fmt.Sprintf("%s: %v", r.address, err)}
	}
	ix.remove(kind, name)
	if err := inv.Add(kind, msg, p.path); err != nil {
		return &inventory.InputError{Path: p.path, Msg: fmt.Sprintf("%s: %v", r.address, err)}
	}
	ix.insert(kind, msg)
	return nil
}

// timeoutError is the error of a plan whose loading outlived --timeout.
func (p *planReader) timeoutError(err error) error {
	return &inventory.InputError{Path: p.path, Msg: "applying the plan took longer than --timeout (" + err.Error() + ")"}
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

func newApplyIndex(inv *inventory.Inventory) *applyIndex {
	ix := &applyIndex{byKey: map[string][]indexed{}, removed: map[proto.Message]bool{}}
	inv.Each(func(kind inventory.Kind, _ string, msg proto.Message) { ix.insert(kind, msg) })
	return ix
}

// indexKey is the key under which resources that sameResource may call equal meet: the
// trimmed canonical name, but only the short name for services, which sameResource
// compares loosely.
func indexKey(kind inventory.Kind, name string) string {
	name = inventory.RelativeName(name)
	if kind == inventory.KindService {
		if ref, err := inventory.ParseLocation(name, "services"); err == nil {
			name = ref.Name
		}
	}
	return string(kind) + " " + name
}

func (ix *applyIndex) insert(kind inventory.Kind, msg proto.Message) {
	name := messageName(kind, msg)
	key := indexKey(kind, name)
	ix.byKey[key] = append(ix.byKey[key], indexed{msg: msg, name: name})
}

// has reports whether the inventory holds a resource of that canonical name.
func (ix *applyIndex) has(kind inventory.Kind, name string) bool {
	for _, entry := range ix.byKey[indexKey(kind, name)] {
		if !ix.removed[entry.msg] && sameResource(kind, entry.name, name) {
			return true
		}
	}
	return false
}

// remove marks every resource of that canonical name as removed.
func (ix *applyIndex) remove(kind inventory.Kind, name string) {
	for _, entry := range ix.byKey[indexKey(kind, name)] {
		if sameResource(kind, entry.name, name) {
			ix.removed[entry.msg] = true
		}
	}
}

// compact drops the removed resources from the inventory, in new slices (the old ones may
// be shared with another inventory).
func (ix *applyIndex) compact(inv *inventory.Inventory) {
	if len(ix.removed) > 0 {
		inv.Retain(func(_ inventory.Kind, msg proto.Message) bool { return !ix.removed[msg] })
	}
}

// messageName is the name of a resource as the plan compares it: its canonical name
// (inventory.KindInfo.Canonical), built from its name for a Compute resource that a
// hand-written file gives without a selfLink.
func messageName(kind inventory.Kind, msg proto.Message) string {
	info, _ := inventory.KindOf(kind)
	return info.Canonical(msg)
}

// sameResource compares canonical names. A Cloud Run service read from a service.yaml or
// gcloud's Knative output names its project by number, or not at all, and may carry no
// region: it is the same service when the short name matches and the rest does not differ.
func sameResource(kind inventory.Kind, a, b string) bool {
	a, b = inventory.RelativeName(a), inventory.RelativeName(b)
	if a == b {
		return true
	}
	if kind != inventory.KindService {
		return false
	}
	ra, errA := inventory.ParseLocation(a, "services")
	rb, errB := inventory.ParseLocation(b, "services")
	if errA != nil || errB != nil || ra.Name != rb.Name {
		return false
	}
	loose := func(x, y string) bool { return x == y || x == inventory.Unknown || y == inventory.Unknown }
	looseProject := func(x, y string) bool {
		return loose(x, y) || inventory.IsProjectNumber(x) || inventory.IsProjectNumber(y)
	}
	return loose(ra.Region, rb.Region) && looseProject(ra.Project, rb.Project)
}
