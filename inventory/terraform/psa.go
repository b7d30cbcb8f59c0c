package terraform

import (
	"slices"
	"strings"

	"cloud.google.com/go/compute/apiv1/computepb"
	"cloud.google.com/go/redis/apiv1/redispb"
	"google.golang.org/protobuf/proto"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// Private services access in a plan. A Memorystore instance with connect_mode
// PRIVATE_SERVICE_ACCESS reaches its network through the peering Service Networking makes
// when the network is connected to it: google_service_networking_connection (network,
// service = servicenetworking.googleapis.com, reserved_peering_ranges naming
// google_compute_global_address ranges of purpose VPC_PEERING). The plan has no peering
// resource, only the connection, so the reader turns the connection into the peering
// vpc.peering looks for on the network:
//
//   - A connection the plan creates, replaces or updates gives its network an ACTIVE
//     servicenetworking-googleapis-com peering: Terraform waits for the connection and fails
//     the apply when it does not come up, as for the connectors and instances it creates.
//   - One the plan deletes removes that peering from the network.
//   - One the plan leaves alone changes nothing: the snapshot or the live APIs show the
//     network's real peerings (a deleted peering there is a finding, whatever the state says).
//   - When the apply decides which network, or which service, the connection is for, every
//     PRIVATE_SERVICE_ACCESS instance that could be on it (on that network when it is known)
//     and has no ACTIVE Service Networking peering yet gets the RedisPeering gap, so
//     vpc.peering is skipped until the apply rather than failed.
//   - A network that is not in the inventory gets nothing: vpc.peering says the network
//     itself is missing.

const (
	tfServiceNetworking = "google_service_networking_connection"
	// serviceNetworkingAPI is the service of the connection that private services access uses.
	serviceNetworkingAPI = "servicenetworking.googleapis.com"
	// serviceNetworkingPeering is the name Service Networking gives the peering it makes.
	serviceNetworkingPeering = "servicenetworking-googleapis-com"
	// serviceNetworkingPeer is the peering's other side: the producer network in a tenant
	// project that only Google knows, hence the Unknown project.
	serviceNetworkingPeer = computeAPI + "projects/" + inventory.Unknown + "/global/networks/servicenetworking"
)

// applyServiceNetworking applies the plan's Service Networking connections to the networks
// of the inventory, as described above. It runs after every resource is applied, so the
// network a connection names is there whatever the order of the plan.
func (p *planReader) applyServiceNetworking(inv *inventory.Inventory) {
	for _, r := range p.ordered {
		if r.typ != tfServiceNetworking || r.action == planKeep {
			continue
		}
		service, state := r.value.attr("service").str()
		if state == unset || state == known && service != serviceNetworkingAPI {
			continue // another producer (NetApp, ...): not the Memorystore path
		}
		network, ok := p.connectionNetwork(r)
		if state == unknownValue || !ok {
			if r.action == planDestroy {
				continue // a destroy's before is known; nothing to guess
			}
			var on *inventory.NetworkRef
			if ok {
				on = &network
			}
			p.markServiceNetworkingGap(inv, r, on)
			continue
		}
		i := slices.IndexFunc(inv.Networks, func(n *computepb.Network) bool {
			return sameResource(inventory.KindNetwork, messageName(inventory.KindNetwork, n), network.String())
		})
		if i < 0 {
			continue
		}
		// The networks may be shared with another inventory (a snapshot read once, a plan
		// applied to copies): change a copy, in a new slice.
		updated := proto.Clone(inv.Networks[i]).(*computepb.Network)
		name := serviceNetworkingPeering
		if peering, st := r.value.attr("peering").str(); st == known {
			name = peering
		}
		var kept []*computepb.NetworkPeering
		peer := serviceNetworkingPeer
		for _, peering := range updated.GetPeerings() {
			if peering.GetName() == name {
				if peering.GetNetwork() != "" {
					peer = peering.GetNetwork() // the snapshot knows the tenant project
				}
				continue
			}
			kept = append(kept, peering)
		}
		if r.action != planDestroy {
			kept = append(kept, &computepb.NetworkPeering{
				Name: proto.String(name), Network: proto.String(peer), State: proto.String("ACTIVE"),
				StateDetails: proto.String("set up by Service Networking during terraform apply (" + r.address + ")"),
			})
		}
		updated.Peerings = kept
		networks := slices.Clone(inv.Networks)
		networks[i] = updated
		inv.Networks = networks
	}
}

// connectionNetwork is the network a connection is for: its known value, else the plan
// network its configuration references; false when the apply decides it.
func (p *planReader) connectionNetwork(r *planResource) (inventory.NetworkRef, bool) {
	if s, state := r.value.attr("network").str(); state == known {
		ref, err := inventory.ParseNetwork(s, p.defaults.project)
		return ref, err == nil
	} else if state == unset {
		return inventory.NetworkRef{}, false
	}
	target := p.resolve(r, tfNetwork, "network")
	if target == nil || target.nameUnknown {
		return inventory.NetworkRef{}, false
	}
	ref, err := inventory.ParseNetwork(target.canonical(), "")
	return ref, err == nil
}

// markServiceNetworkingGap records the RedisPeering gap on each PRIVATE_SERVICE_ACCESS
// instance that the connection r may peer (those on network, when it is known) and that
// has no ACTIVE Service Networking peering in the inventory.
func (p *planReader) markServiceNetworkingGap(inv *inventory.Inventory, r *planResource, network *inventory.NetworkRef) {
	inv.Reindex() // the lookups below must see what the plan applied
	for _, instance := range inv.RedisInstances {
		if instance.GetConnectMode() != redispb.Instance_PRIVATE_SERVICE_ACCESS {
			continue
		}
		ref, err := inventory.ParseLocation(instance.GetName(), "instances")
		if err != nil {
			continue
		}
		authorized, err := inventory.ParseNetwork(instance.GetAuthorizedNetwork(), ref.Project)
		if err != nil || network != nil && authorized.String() != network.String() {
			continue
		}
		if net, problem := inv.Network(authorized); problem == nil && hasActivePeering(net, serviceNetworkingPeering) {
			continue
		}
		inv.NoteGap(inventory.KindRedis, ref.String(), inventory.RedisPeering, "is set up by Service Networking during terraform apply, on a network or service the apply decides", r.address)
	}
}

// hasActivePeering reports whether the network has an ACTIVE peering of that name.
func hasActivePeering(n *computepb.Network, name string) bool {
	for _, peering := range n.GetPeerings() {
		if peering.GetName() == name && strings.EqualFold(peering.GetState(), "ACTIVE") {
			return true
		}
	}
	return false
}
