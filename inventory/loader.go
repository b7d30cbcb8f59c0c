package inventory

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// The API for loaders. A loader (the snapshot directory, the Knative conversion, the live
// APIs, a Terraform plan) fills an Inventory through these methods and the exported
// slices; it never needs the package's internals. What a loader may not change it does
// not reach: the lookup indexes are rebuilt after every change made here.
//
//   - Add puts a resource in (secrets scrubbed, kind marked listed, source recorded);
//     Remove takes one out; Has asks for one; Each and Retain visit or filter them all.
//   - AddProblem records what could not be read; NoteGap and MarkUnknown (unknown.go)
//     record what a plan leaves unknown until apply.
//   - RecordSource ties a canonical name to the file it was read from.
//   - Merge joins the inventories of several files; SortResources orders every slice by
//     name, for loaders whose answers arrive in any order.
//
// Validate (validate.go) says whether a value is one a Google Cloud API can return; a
// loader calls it before Add and decides what an invalid value becomes (an *InputError
// naming the file, or a Problem). The methods are not safe for concurrent use: a
// concurrent loader serialises its calls.

// Add puts a resource of kind k into the inventory: it is appended to the kind's slice
// with its secrets scrubbed (see secrets.go), the kind is marked listed (a kind of which
// something was read is known: an absent name does not exist), and source, when not
// empty, is recorded as the file the resource was read from. It is an error for msg not to
// be of the kind's proto type.
func (inv *Inventory) Add(k Kind, msg proto.Message, source string) error {
	info, ok := KindOf(k)
	if !ok || info.res == nil || !info.res.holds(msg) {
		return fmt.Errorf("inventory: a %T is not a resource of kind %s", msg, k)
	}
	info.res.scrub(msg)
	info.res.add(inv, msg)
	inv.MarkListed(k)
	if name := info.Name(msg); name != "" && source != "" {
		inv.RecordSource(name, source)
	}
	inv.resetIndex()
	return nil
}

// Has reports whether the inventory holds a resource of kind k whose canonical name
// (KindInfo.Canonical) is the one given (a self link is trimmed first).
func (inv *Inventory) Has(k Kind, name string) bool {
	info, ok := KindOf(k)
	if !ok || info.res == nil {
		return false
	}
	name = RelativeName(name)
	found := false
	info.res.each(inv, func(msg proto.Message) {
		found = found || info.Canonical(msg) == name
	})
	return found
}

// Remove takes every resource of kind k with the canonical name given (KindInfo.Canonical)
// out of the inventory, in a new slice (the old one may be shared with another inventory), and
// returns how many it removed.
func (inv *Inventory) Remove(k Kind, name string) int {
	info, ok := KindOf(k)
	if !ok || info.res == nil {
		return 0
	}
	name = RelativeName(name)
	before := info.res.count(inv)
	info.res.retain(inv, func(msg proto.Message) bool { return info.Canonical(msg) != name })
	inv.resetIndex()
	return before - info.res.count(inv)
}

// Each visits every resource, kind by kind in the order of Kinds, with its kind and name
// (KindInfo.Name; "" for a resource that carries none).
func (inv *Inventory) Each(visit func(k Kind, name string, msg proto.Message)) {
	for _, info := range kindTable {
		if info.res == nil {
			continue
		}
		info.res.each(inv, func(msg proto.Message) { visit(info.Kind, info.Name(msg), msg) })
	}
}

// Retain keeps the resources for which keep returns true and drops the others, every
// kind in one pass, in new slices. A loader that removes many resources uses it rather
// than one Remove each.
func (inv *Inventory) Retain(keep func(k Kind, msg proto.Message) bool) {
	for _, info := range kindTable {
		if info.res == nil {
			continue
		}
		info.res.retain(inv, func(msg proto.Message) bool { return keep(info.Kind, msg) })
	}
	inv.resetIndex()
}

// RecordSource records that the resource with the canonical name given was read from
// file (shown beside findings about it).
func (inv *Inventory) RecordSource(name, file string) {
	if inv.Sources == nil {
		inv.Sources = map[string]string{}
	}
	inv.Sources[RelativeName(name)] = file
}

// NoteGap records a field of a resource that a plan does not give, as a KnownAfterApply
// problem whose detail reads "FIELD WHY (ADDRESS)"; MarkUnknown is NoteGap with the usual
// reason, "is known only after terraform apply". A check that reads the field asks
// UnknownField and is skipped with the reason.
func (inv *Inventory) NoteGap(k Kind, name, field, why, address string) {
	detail := field + " " + why
	if address != "" {
		detail += " (" + address + ")"
	}
	inv.AddProblem(&Problem{Kind: k, Name: name, Code: KnownAfterApply, Detail: detail})
}

// Merge appends another inventory's resources, firewall policies, project identities, IAM
// policies, problems, listed kinds and sources, in that inventory's order.
func (inv *Inventory) Merge(other *Inventory) {
	for _, info := range kindTable {
		if info.res != nil {
			info.res.appendFrom(inv, other)
		}
	}
	inv.FirewallPolicies = append(inv.FirewallPolicies, other.FirewallPolicies...)
	inv.Projects = append(inv.Projects, other.Projects...)
	inv.IAMPolicies = append(inv.IAMPolicies, other.IAMPolicies...)
	inv.Problems = append(inv.Problems, other.Problems...)
	for k, listed := range other.Listed {
		if listed {
			inv.MarkListed(k)
		}
	}
	for name, source := range other.Sources {
		inv.RecordSource(name, source)
	}
	inv.resetIndex()
}

// SortResources orders every slice by name (the API's name, or selfLink), the firewall
// policies by network (global answers before regional ones) and region, and the problems
// by kind and name: a loader whose answers arrive in any order is then deterministic.
func (inv *Inventory) SortResources() {
	for _, info := range kindTable {
		if info.res != nil {
			info.res.sortByName(inv)
		}
	}
	sort.SliceStable(inv.FirewallPolicies, func(i, j int) bool {
		a, b := inv.FirewallPolicies[i], inv.FirewallPolicies[j]
		if a.Network != b.Network {
			return a.Network < b.Network
		}
		if a.Regional != b.Regional {
			return !a.Regional
		}
		return a.Region < b.Region
	})
	sort.Slice(inv.Problems, func(i, j int) bool {
		a, b := inv.Problems[i], inv.Problems[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Name < b.Name
	})
	inv.resetIndex()
}

// DecodeResource fills msg from a resource in the APIs' JSON form, as encoding/json or the
// YAML decoder gives it (maps, lists, strings, json.Numbers...). Fields the proto type does
// not have are passed over, as the client libraries do. The error is protojson's,
// shortened to the part a user can act on.
func DecodeResource(obj any, msg proto.Message) error {
	data, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(data, msg); err != nil {
		return errors.New(protoErrText(err))
	}
	return nil
}

// protoErrText shortens protojson's messages ("proto: (line 1:23): invalid value ...") to
// the part a user can act on.
func protoErrText(err error) string {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "proto:")
	msg = strings.TrimSpace(msg)
	if i := strings.Index(msg, "): "); strings.HasPrefix(msg, "(line") && i > 0 {
		msg = msg[i+3:]
	}
	return msg
}

// resetIndex makes the next lookup rebuild the indexes over the changed resources.
func (inv *Inventory) resetIndex() {
	inv.indexOnce = sync.Once{}
	inv.index = nil
}

// filter returns the items keep accepts, in a new slice.
func filter[T any](list []T, keep func(T) bool) []T {
	out := list[:0:0]
	for _, item := range list {
		if keep(item) {
			out = append(out, item)
		}
	}
	return out
}
