package terraform

import (
	"fmt"
	"strings"

	"cloud.google.com/go/compute/apiv1/computepb"
	"cloud.google.com/go/redis/apiv1/redispb"
	"cloud.google.com/go/vpcaccess/apiv1/vpcaccesspb"
	"google.golang.org/protobuf/proto"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// Building each plan resource's API object (the JSON the API returns, read into the official
// proto as a snapshot file is) and recording the fields the plan leaves unknown.

// protoBuilder turns one plan resource into the API's JSON shape and then into the
// official proto, the way snapshot files are read.
type protoBuilder struct {
	p    *planReader
	r    *planResource
	inv  *inventory.Inventory
	name string
}

// build is the resource's API object, built by its type's builder.
func (b *protoBuilder) build() (proto.Message, error) {
	if t := planTypes[b.r.typ]; t.build != nil {
		return t.build(b, b.r.value)
	}
	return nil, fmt.Errorf("unsupported resource type %s", b.r.typ)
}

// unknown records a field of this resource as known only after apply.
func (b *protoBuilder) unknown(field string) {
	b.inv.MarkUnknown(b.r.kind, b.name, field, b.r.address)
}

// set copies a known value into the API object; unknown values are recorded instead.
// A list or object with an unknown element is unknown as a whole.
func (b *protoBuilder) set(obj map[string]any, key string, v tfValue, field string) {
	switch {
	case v.hasSensitive():
		b.inv.NoteGap(b.r.kind, b.name, field, "is sensitive in the Terraform plan, which vpcdoctor does not read", b.r.address)
	case v.hasUnknown():
		b.unknown(field)
	case v.state() == known:
		obj[key] = v.v
	}
}

// reference resolves a reference-valued field: its known value, else the canonical name
// of the plan resource of kind wantType that the configuration expression at exprPath
// names. It returns "" and records the field as unknown when neither works.
func (b *protoBuilder) reference(v tfValue, wantType string, field string, exprPath ...any) string {
	if s, state := v.str(); state == known {
		return s
	} else if state == unset {
		return ""
	}
	if target := b.p.resolve(b.r, wantType, exprPath...); target != nil && !target.nameUnknown {
		return target.canonical()
	}
	b.unknown(field)
	return ""
}

func unmarshalInto(obj map[string]any, msg proto.Message) (proto.Message, error) {
	if err := inventory.DecodeResource(obj, msg); err != nil {
		return nil, err
	}
	return msg, nil
}

func (b *protoBuilder) connector(v tfValue) (proto.Message, error) {
	obj := map[string]any{"name": b.name}
	if network := b.reference(v.attr("network"), tfNetwork, "network", "network"); network != "" {
		obj["network"] = network
	}
	b.set(obj, "ipCidrRange", v.attr("ip_cidr_range"), "ipCidrRange")
	if subnet := v.attr("subnet").index(0); subnet.state() == known {
		s := map[string]any{}
		name := b.reference(subnet.attr("name"), tfSubnetwork, "subnet.name", "subnet", 0, "name")
		if name != "" {
			s["name"] = inventory.ShortName(name)
		}
		b.set(s, "projectId", subnet.attr("project_id"), "subnet.projectId")
		if name != "" {
			project, _ := s["projectId"].(string)
			b.subnetRangeGap(name, "subnet.ipCidrRange", project)
		}
		if len(s) > 0 {
			obj["subnet"] = s
		}
	}
	b.setAll(obj, v, "machine_type", "machineType", "min_instances", "minInstances", "max_instances", "maxInstances",
		"min_throughput", "minThroughput", "max_throughput", "maxThroughput")
	obj["state"] = b.afterApplyState(v.attr("state"), "READY")
	if b.r.action == planCreate && b.createsConnectorFirewall(obj) {
		b.inv.NoteGap(inventory.KindConnector, b.name, inventory.ConnectorFirewallRules, "are created by Google with the connector during terraform apply, so the plan does not show them", b.r.address)
	}
	return unmarshalInto(obj, &vpcaccesspb.Connector{})
}

// subnetRangeGap records field of this resource as unknown when it names a subnetwork the
// plan creates or changes with an ip_cidr_range the apply decides: the checks find the
// subnet, but not its range. project, when given, is the subnet's project.
func (b *protoBuilder) subnetRangeGap(subnet, field string, project ...string) {
	defaultProject := b.r.project
	if len(project) > 0 && project[0] != "" {
		defaultProject = project[0]
	}
	ref, err := inventory.ParseSubnet(subnet, defaultProject, b.r.region)
	if err != nil {
		return
	}
	for _, r := range b.p.subnets[ref.String()] {
		if r.action != planDestroy && r.value.attr("ip_cidr_range").hasUnknown() {
			b.inv.MarkUnknown(b.r.kind, b.name, field, r.address)
			return
		}
	}
}

// createsConnectorFirewall reports whether Google creates the firewall rules of a new
// connector: it does when the connector is in the project of its network (a standalone
// VPC, or a Shared VPC host project), not when a service project's connector uses a
// subnet of a host project. A connector whose network the plan leaves unknown has no
// answer; the checks that need its network are skipped for that already.
func (b *protoBuilder) createsConnectorFirewall(obj map[string]any) bool {
	if subnet, ok := obj["subnet"].(map[string]any); ok {
		project, _ := subnet["projectId"].(string)
		return project == "" || project == b.r.project
	}
	network, _ := obj["network"].(string)
	if network == "" {
		return false
	}
	ref, err := inventory.ParseNetwork(network, b.r.project)
	return err == nil && ref.Project == b.r.project
}

// setAll copies attributes in order (pairs of Terraform attribute and API field), so the
// unknowns are recorded in the same order on every run.
func (b *protoBuilder) setAll(obj map[string]any, v tfValue, pairs ...string) {
	for i := 0; i+1 < len(pairs); i += 2 {
		b.set(obj, pairs[i+1], v.attr(pairs[i]), pairs[i+1])
	}
}

// afterApplyState is a resource's state once the plan is applied. For a resource the apply
// creates or updates it is READY: Terraform waits for the operation and fails the apply
// when it does not end well, and then nothing is deployed. For one the plan leaves alone it
// is the state Terraform refreshed, when the resource type has one; otherwise it is not
// known and recorded so.
func (b *protoBuilder) afterApplyState(state tfValue, ready string) string {
	if b.r.action != planKeep {
		return ready
	}
	if s, st := state.str(); st == known {
		return s
	}
	b.inv.NoteGap(b.r.kind, b.name, "state", "is not in the Terraform plan; add its gcloud describe output to the snapshot", b.r.address)
	return "STATE_UNSPECIFIED"
}

func (b *protoBuilder) redis(v tfValue) (proto.Message, error) {
	obj := map[string]any{"name": b.name}
	switch network := v.attr("authorized_network"); network.state() {
	case unset:
		// The API authorizes the project's default network when none is given.
		obj["authorizedNetwork"] = inventory.NetworkRef{Project: b.r.project, Name: "default"}.String()
	default:
		if !b.p.hasExpression(b.r, "authorized_network") && network.state() == unknownValue {
			obj["authorizedNetwork"] = inventory.NetworkRef{Project: b.r.project, Name: "default"}.String()
		} else if name := b.reference(network, tfNetwork, "authorizedNetwork", "authorized_network"); name != "" {
			obj["authorizedNetwork"] = name
		}
	}
	b.setAll(obj, v, "host", "host", "port", "port", "reserved_ip_range", "reservedIpRange",
		"tier", "tier", "memory_size_gb", "memorySizeGb", "auth_enabled", "authEnabled", "connect_mode", "connectMode",
		"transit_encryption_mode", "transitEncryptionMode", "redis_version", "redisVersion", "location_id", "locationId",
		"alternative_location_id", "alternativeLocationId", "current_location_id", "currentLocationId",
		"read_replicas_mode", "readReplicasMode", "replica_count", "replicaCount", "read_endpoint", "readEndpoint",
		"read_endpoint_port", "readEndpointPort")
	// auth_string is deliberately not read: it is the instance's password.
	obj["state"] = b.afterApplyState(tfValue{}, "READY") // the provider does not expose the state
	if b.r.action == planCreate && obj["transitEncryptionMode"] == "SERVER_AUTHENTICATION" {
		// The server CA is issued when the instance is created.
		if certs := v.attr("server_ca_certs"); certs.state() != known || len(certs.list()) == 0 {
			b.unknown("serverCaCerts")
		}
	}
	return unmarshalInto(obj, &redispb.Instance{})
}

// markPeerings records, for every DIRECT_PEERING instance the plan creates on a network
// that has no ACTIVE redis-peer-* peering yet, that Memorystore sets the peering up during
// the apply: vpc.peering cannot find it before. Instances on private services access need
// the Service Networking peering in place before they are created, so nothing is assumed
// for them.
func (p *planReader) markPeerings(inv *inventory.Inventory) {
	for _, r := range p.ordered {
		if r.typ != tfRedis || r.action != planCreate || r.nameUnknown {
			continue
		}
		if mode, state := r.value.attr("connect_mode").str(); state == unknownValue || mode == "PRIVATE_SERVICE_ACCESS" {
			continue
		}
		name := r.canonical()
		ref, err := inventory.ParseLocation(name, "instances")
		if err != nil {
			continue
		}
		instance, problem := inv.Redis(ref)
		if problem != nil {
			continue
		}
		net, err := inventory.ParseNetwork(instance.GetAuthorizedNetwork(), r.project)
		if err != nil {
			continue
		}
		network, problem := inv.Network(net)
		if problem != nil {
			continue // vpc.peering says what is wrong with the network itself
		}
		peered := false
		for _, peering := range network.GetPeerings() {
			if strings.HasPrefix(peering.GetName(), "redis-peer-") && strings.EqualFold(peering.GetState(), "ACTIVE") {
				peered = true
			}
		}
		if !peered {
			inv.NoteGap(inventory.KindRedis, name, inventory.RedisPeering, "is set up by Memorystore when it creates the instance during terraform apply, so network "+net.Name+" has none yet", r.address)
		}
	}
}

func (b *protoBuilder) network(v tfValue) (proto.Message, error) {
	obj := b.computeObject("compute#network")
	b.set(obj, "autoCreateSubnetworks", v.attr("auto_create_subnetworks"), "autoCreateSubnetworks")
	if mode := v.attr("routing_mode"); mode.state() == known {
		obj["routingConfig"] = map[string]any{"routingMode": mode.v}
	}
	return unmarshalInto(obj, &computepb.Network{})
}

func (b *protoBuilder) subnetwork(v tfValue) (proto.Message, error) {
	obj := b.computeObject("compute#subnetwork")
	obj["region"] = computeAPI + "projects/" + b.r.project + "/regions/" + b.r.region
	b.networkLink(obj, v)
	b.set(obj, "ipCidrRange", v.attr("ip_cidr_range"), "ipCidrRange")
	b.set(obj, "purpose", v.attr("purpose"), "purpose")
	b.set(obj, "privateIpGoogleAccess", v.attr("private_ip_google_access"), "privateIpGoogleAccess")
	var secondary []any
	for _, r := range v.attr("secondary_ip_range").list() {
		item := map[string]any{}
		b.set(item, "rangeName", r.attr("range_name"), "secondaryIpRanges.rangeName")
		b.set(item, "ipCidrRange", r.attr("ip_cidr_range"), "secondaryIpRanges.ipCidrRange")
		secondary = append(secondary, item)
	}
	if len(secondary) > 0 {
		obj["secondaryIpRanges"] = secondary
	}
	return unmarshalInto(obj, &computepb.Subnetwork{})
}

func (b *protoBuilder) firewall(v tfValue) (proto.Message, error) {
	obj := b.computeObject("compute#firewall")
	b.networkLink(obj, v)
	b.setAll(obj, v, "direction", "direction", "priority", "priority", "disabled", "disabled",
		"source_ranges", "sourceRanges", "destination_ranges", "destinationRanges", "source_tags", "sourceTags",
		"target_tags", "targetTags", "source_service_accounts", "sourceServiceAccounts",
		"target_service_accounts", "targetServiceAccounts")
	for _, pair := range [][2]string{{"allow", "allowed"}, {"deny", "denied"}} {
		key, field := pair[0], pair[1]
		var rules []any
		for _, rule := range v.attr(key).list() {
			item := map[string]any{}
			b.set(item, "IPProtocol", rule.attr("protocol"), field+".IPProtocol")
			b.set(item, "ports", rule.attr("ports"), field+".ports")
			rules = append(rules, item)
		}
		if len(rules) > 0 {
			obj[field] = rules
		}
	}
	return unmarshalInto(obj, &computepb.Firewall{})
}

// address reads a google_compute_global_address. Only the fields of a private services
// access allocation matter; an address or prefix length left to the apply (Google picks a
// free block) is simply not a known range, so connector.range cannot count it.
func (b *protoBuilder) address(v tfValue) (proto.Message, error) {
	obj := b.computeObject("compute#address")
	b.networkLink(obj, v)
	b.setAll(obj, v, "address", "address", "prefix_length", "prefixLength", "purpose", "purpose", "address_type", "addressType")
	return unmarshalInto(obj, &computepb.Address{})
}

// router is a Cloud Router. Its NAT gateways are google_compute_router_nat resources of
// their own (routernat.go): the router keeps the nats the inventory already gives it, and
// the plan's NAT resources are applied on top.
func (b *protoBuilder) router(v tfValue) (proto.Message, error) {
	obj := b.computeObject("compute#router")
	obj["region"] = computeAPI + "projects/" + b.r.project + "/regions/" + b.r.region
	b.networkLink(obj, v)
	msg, err := unmarshalInto(obj, &computepb.Router{})
	if err != nil {
		return nil, err
	}
	router := msg.(*computepb.Router)
	for _, existing := range b.inv.Routers {
		if sameResource(inventory.KindRouter, messageName(inventory.KindRouter, existing), b.name) {
			router.Nats = cloneAll(existing.GetNats())
		}
	}
	return router, nil
}

// computeAPI is the prefix of every Compute API self link.
const computeAPI = "https://www.googleapis.com/compute/v1/"

// computeObject starts the API object of a Compute resource: its kind, name and self link.
func (b *protoBuilder) computeObject(kind string) map[string]any {
	return map[string]any{"kind": kind, "name": b.r.name, "selfLink": computeAPI + b.name}
}

// networkLink sets the network of a Compute resource, as the self link the API returns,
// from the network attribute (see reference).
func (b *protoBuilder) networkLink(obj map[string]any, v tfValue) {
	if network := b.reference(v.attr("network"), tfNetwork, "network", "network"); network != "" {
		obj["network"] = selfLinkOf(network, b.r.project, "networks")
	}
}

// selfLinkOf spells a compute resource as the self link the Compute API returns.
func selfLinkOf(name, defaultProject, collection string) string {
	if strings.HasPrefix(name, "https://") {
		return name
	}
	if collection == "networks" {
		if ref, err := inventory.ParseNetwork(name, defaultProject); err == nil {
			return computeAPI + ref.String()
		}
	}
	return name
}
