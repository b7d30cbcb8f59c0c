package terraform

import (
	"slices"

	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/protobuf/proto"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// Cloud NAT in a plan. The Compute API keeps a NAT gateway in its Cloud Router's nats;
// Terraform manages each one as a google_compute_router_nat of its own, which names its
// router (router, region, project). The reader applies the plan's NATs to their routers
// once every router is in place:
//
//   - a NAT the plan creates, updates or replaces takes the place of the router's NAT of
//     that name; one it deletes is removed from it; one it keeps is added when the router
//     lacks it;
//   - a router the inventory does not hold gets nothing: the NAT resource does not say its
//     network, so it serves no network the checks know;
//   - when the apply decides the router or which subnets the NAT serves, the routers as a
//     whole are known only after apply, and vpc.egress-nat is skipped until then.

const tfRouterNAT = "google_compute_router_nat"

// natFields are the NAT attributes read, with the API's JSON names.
var natFields = []struct{ tf, api string }{
	{"source_subnetwork_ip_ranges_to_nat", "sourceSubnetworkIpRangesToNat"},
	{"nat_ip_allocate_option", "natIpAllocateOption"},
	{"type", "type"},
	{"endpoint_types", "endpointTypes"},
}

// applyRouterNATs applies the plan's NAT resources to the routers of the inventory.
func (p *planReader) applyRouterNATs(inv *inventory.Inventory) {
	for _, r := range p.ordered {
		if r.typ != tfRouterNAT || r.value.v == nil {
			continue
		}
		router, ok := p.natRouter(r)
		nat, natKnown := natObject(r)
		if !ok || !natKnown || r.nameUnknown {
			if r.action != planDestroy {
				inv.NoteGap(inventory.KindRouter, "", "nats", "are known only after terraform apply", r.address)
			}
			continue
		}
		i := slices.IndexFunc(inv.Routers, func(existing *computepb.Router) bool {
			return sameResource(inventory.KindRouter, messageName(inventory.KindRouter, existing), router)
		})
		if i < 0 {
			continue
		}
		had := slices.ContainsFunc(inv.Routers[i].GetNats(), func(n *computepb.RouterNat) bool { return n.GetName() == r.name })
		if r.action == planKeep && had {
			continue // the inventory shows the NAT as it is
		}
		// The routers may be shared with another inventory: change a copy, in a new slice.
		updated := proto.Clone(inv.Routers[i]).(*computepb.Router)
		updated.Nats = slices.DeleteFunc(updated.Nats, func(n *computepb.RouterNat) bool { return n.GetName() == r.name })
		if r.action != planDestroy {
			updated.Nats = append(updated.Nats, nat)
		}
		routers := slices.Clone(inv.Routers)
		routers[i] = updated
		inv.Routers = routers
	}
}

// natRouter is the canonical name of a NAT resource's router: its router attribute, or
// the google_compute_router its configuration refers to; ok is false when the apply
// decides it.
func (p *planReader) natRouter(r *planResource) (string, bool) {
	project, region := r.project, r.region
	name, state := r.value.attr("router").str()
	if state != known {
		target := p.resolve(r, tfRouter, "router")
		if target == nil || target.nameUnknown {
			return "", false
		}
		name, project, region = target.name, target.project, target.region
	}
	return "projects/" + project + "/regions/" + region + "/routers/" + inventory.ShortName(name), true
}

// natObject builds a NAT resource's API object; ok is false when a value it reads is
// decided at apply.
func natObject(r *planResource) (nat *computepb.RouterNat, ok bool) {
	v := r.value
	obj := map[string]any{"name": r.name}
	for _, f := range natFields {
		value := v.attr(f.tf)
		switch {
		case value.hasUnknown():
			return nil, false
		case value.state() == known:
			obj[f.api] = value.v
		}
	}
	var subnets []any
	for _, s := range v.attr("subnetwork").list() {
		if s.hasUnknown() {
			return nil, false
		}
		entry := map[string]any{}
		for tf, api := range map[string]string{"name": "name", "source_ip_ranges_to_nat": "sourceIpRangesToNat", "secondary_ip_range_names": "secondaryIpRangeNames"} {
			if field := s.attr(tf); field.state() == known {
				entry[api] = field.v
			}
		}
		subnets = append(subnets, entry)
	}
	if len(subnets) > 0 {
		obj["subnetworks"] = subnets
	}
	msg, err := unmarshalInto(obj, &computepb.RouterNat{})
	if err != nil {
		return nil, false
	}
	return msg.(*computepb.RouterNat), true
}

// cloneAll deep-copies NATs, so a router built from the plan shares nothing with the one it
// replaces.
func cloneAll(nats []*computepb.RouterNat) []*computepb.RouterNat {
	out := make([]*computepb.RouterNat, len(nats))
	for i, n := range nats {
		out[i] = proto.Clone(n).(*computepb.RouterNat)
	}
	return out
}
