package inventory

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"cloud.google.com/go/compute/apiv1/computepb"
	"cloud.google.com/go/redis/apiv1/redispb"
	"cloud.google.com/go/run/apiv2/runpb"
	"cloud.google.com/go/vpcaccess/apiv1/vpcaccesspb"
	tfjson "github.com/hashicorp/terraform-json"
	runv1 "google.golang.org/api/run/v1"
	"google.golang.org/protobuf/proto"
)

// Terraform plans: `terraform show -json PLAN` prints the documented JSON plan format
// (format_version 1.x; hashicorp/terraform-json models it and rejects other major versions).
// ApplyPlan reads it and makes the inventory look like the world after `terraform apply`:
//
//   - Resources come from planned_values (root_module and child_modules, recursively),
//     joined by address with resource_changes, whose change.after / after_unknown /
//     after_sensitive say what is known, unknown and secret; data sources read during the
//     plan come from prior_state.
//   - A resource the plan creates, updates or replaces REPLACES the resource of the same
//     canonical name in the inventory; one it deletes is removed; one it leaves alone (no-op,
//     or a data source) is added only when the inventory does not have it, because the
//     snapshot or the live APIs know more about an existing resource (its state, its host)
//     than Terraform does.
//   - Terraform waits for a create or update to finish and stops the apply when it fails,
//     so a connector or Redis instance the apply produces is READY afterwards.
//   - A reference-valued field that is unknown (the service's connector is
//     google_vpc_access_connector.x.id of a connector created in the same plan) is resolved
//     through the configuration: the expression's references name the resource, and its
//     canonical name is built from the plan's known project, region and name. References
//     through module outputs and module variables are followed. An expression is taken to
//     name the one resource of the field's kind it references (an id, a name, a self link, or
//     a string built around one); if it references none, or several, the value stays unknown.
//     References through locals are not in the plan JSON and stay unknown.
//   - What stays unknown is recorded with Code KnownAfterApply (see unknown.go), so the checks
//     that need it are skipped with that reason, never passed.
//   - An unknown environment value that the configuration takes from a Redis instance
//     (REDIS_HOST = google_redis_instance.x.host) is recorded as a reference from the
//     service to that instance (see planrefs.go), so selectRedis can choose it.
//   - Secrets never enter the inventory: google_redis_instance.auth_string is not read, and
//     an environment value the plan marks sensitive (Terraform marks the whole env list when
//     one value is) is kept only in a redacted form that keeps what the checks judge (an
//     endpoint's host, port and scheme; a port; whether a value is set) and drops anything
//     that could be a secret (see sensitive.go); the variable is recorded as sensitive, so
//     no message shows its value.
//   - What Google creates along with a resource, outside the plan, is recorded as a gap on
//     the resource the plan creates (see unknown.go): the firewall rules of a connector,
//     the peering of a DIRECT_PEERING Redis instance to a network that has none yet.
//   - A google_service_networking_connection becomes the servicenetworking-googleapis-com
//     peering of its network, which private services access instances use (see
//     terraform_psa.go).

// The resource types read from a plan.
const (
	tfRunV2      = "google_cloud_run_v2_service"
	tfRunV1      = "google_cloud_run_service"
	tfConnector  = "google_vpc_access_connector"
	tfRedis      = "google_redis_instance"
	tfNetwork    = "google_compute_network"
	tfSubnetwork = "google_compute_subnetwork"
	tfFirewall   = "google_compute_firewall"
	tfAddress    = "google_compute_global_address"
)

// tfKinds maps each resource type read from a plan to the inventory kind it becomes.
var tfKinds = map[string]Kind{
	tfRunV2: KindService, tfRunV1: KindService, tfConnector: KindConnector, tfRedis: KindRedis,
	tfNetwork: KindNetwork, tfSubnetwork: KindSubnetwork, tfFirewall: KindFirewall, tfAddress: KindAddress,
}

// ApplyPlan reads a Terraform plan in JSON (terraform show -json PLAN) and applies it to the
// inventory, as described above. path names the plan file in errors and in inv.Sources. An
// unreadable plan is an *InputError (exit 2) naming the file.
func ApplyPlan(inv *Inventory, data []byte, path string) error {
	return ApplyPlanContext(context.Background(), inv, data, path)
}

// Limits on a Terraform plan, for a plan a pull request wrote. A plan of a large project
// (20,000 resources of the types read here) is some tens of MiB and loads in well under a
// second.
const (
	// MaxPlanBytes is the largest plan file read.
	MaxPlanBytes = 256 << 20
	// MaxPlanResources is the most resources of the types vpcdoctor reads in one plan.
	MaxPlanResources = 200_000
	// maxReferenceDepth bounds how many module outputs and variables one reference may pass
	// through (each is resolved once; this only bounds the stack).
	maxReferenceDepth = 1000
)

// ApplyPlanContext is ApplyPlan bounded by ctx: when it is done first (--timeout), loading
// stops with an *InputError saying so.
func ApplyPlanContext(ctx context.Context, inv *Inventory, data []byte, path string) error {
	if len(data) > MaxPlanBytes {
		return &InputError{Path: path, Msg: fmt.Sprintf("plan is larger than the limit of %d MiB", MaxPlanBytes>>20)}
	}
	plan, err := decodePlan(data, path)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return &InputError{Path: path, Msg: "reading the plan took longer than --timeout"}
	}
	p := newPlanReader(plan, path)
	if err := p.collect(); err != nil {
		return err
	}
	if err := p.identify(); err != nil {
		return err
	}
	ix := newApplyIndex(inv)
	for i, r := range p.ordered {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return p.timeoutError(err)
			}
		}
		if r.typ == tfServiceNetworking {
			continue // applied to its network below, once every network is in place
		}
		if err := p.apply(inv, ix, r); err != nil {
			return err
		}
		if p.err != nil {
			return p.err
		}
	}
	ix.compact(inv)
	inv.resetIndex()
	p.applyServiceNetworking(inv)
	inv.resetIndex()
	p.markPeerings(inv)
	inv.resetIndex()
	return nil
}

func decodePlan(data []byte, path string) (*tfjson.Plan, error) {
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0:
		return nil, &InputError{Path: path, Msg: "file is empty (give the output of terraform show -json PLAN)"}
	case bytes.HasPrefix(trimmed, []byte("PK")):
		return nil, &InputError{Path: path, Msg: "is a binary plan file; convert it with terraform show -json PLAN > plan.json"}
	case trimmed[0] != '{':
		return nil, &InputError{Path: path, Msg: "not a Terraform plan in JSON (give the output of terraform show -json PLAN)"}
	}
	// The plan library's decoder stops after the first JSON value; anything after it (a
	// second document, a truncated append) is not a plan either. A RawMessage validates the
	// whole input without building it, and its error carries the offset for the line.
	if !json.Valid(trimmed) {
		var whole json.RawMessage
		return nil, jsonInputError(path, data, json.Unmarshal(trimmed, &whole))
	}
	// One decoding pass for a plan that is one; the probe below, which gives the precise
	// message for what is not, runs only then.
	var plan tfjson.Plan
	plan.UseJSONNumber(true)
	err := plan.UnmarshalJSON(trimmed)
	if err == nil && (plan.PlannedValues != nil || len(plan.ResourceChanges) > 0) {
		return &plan, nil
	}
	var probe struct {
		FormatVersion *string         `json:"format_version"`
		PlannedValues json.RawMessage `json:"planned_values"`
		Values        json.RawMessage `json:"values"`
	}
	if err := json.Unmarshal(trimmed, &probe); err != nil {
		return nil, jsonInputError(path, data, err)
	}
	switch {
	case probe.FormatVersion == nil:
		return nil, &InputError{Path: path, Msg: "not a Terraform plan: it has no format_version (give the output of terraform show -json PLAN)"}
	case probe.PlannedValues == nil && probe.Values != nil:
		return nil, &InputError{Path: path, Msg: "is a Terraform state, not a plan: run terraform plan -out plan.out, then terraform show -json plan.out"}
	}
	if err != nil {
		var syntax *json.SyntaxError
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &syntax) || errors.As(err, &typeErr) {
			return nil, jsonInputError(path, data, err)
		}
		return nil, &InputError{Path: path, Msg: "not a plan vpcdoctor can read: " + err.Error()}
	}
	return &plan, nil
}

// jsonInputError turns a JSON decoding error into a one-line error with the line number.
func jsonInputError(path string, data []byte, err error) *InputError {
	var offset int64 = -1
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		offset = syntax.Offset
	case errors.As(err, &typeErr):
		offset = typeErr.Offset
	}
	line := 0
	if offset >= 0 && offset <= int64(len(data)) {
		line = bytes.Count(data[:offset], []byte("\n")) + 1
	}
	return &InputError{Path: path, Line: line, Msg: "not valid JSON: " + err.Error()}
}

// planAction is what the plan does to one resource instance, reduced to what matters here.
type planAction int

const (
	planKeep    planAction = iota // no-op, or a data source read: add when absent
	planCreate                    // create, or replace: a new resource replaces the inventory's
	planUpdate                    // in-place update: replaces the inventory's resource
	planDestroy                   // delete: removes it
)

// planResource is one resource instance of a type vpcdoctor reads.
type planResource struct {
	address    string // absolute: module.net.google_compute_network.vpc[0]
	module     string // module address without instance keys: module.net
	configAddr string // address inside its module, without instance key: google_compute_network.vpc
	typ        string
	action     planAction
	value      tfValue
	// Filled by identify.
	project, region, name string
	nameUnknown           bool
}

// planReader holds one decoded plan and what is derived from it.
type planReader struct {
	plan      *tfjson.Plan
	path      string
	byAddress map[string]*planResource
	ordered   []*planResource
	modules   map[string]*tfjson.ConfigModule // module address without instance keys → config
	calls     map[string]*tfjson.ModuleCall   // same key → the call that instantiates it
	defaults  struct{ project, region string }
	// Indexes, so resolving references is linear in the plan.
	byConfig map[string][]*planResource        // module + " " + configAddr → instances
	configs  map[string]*tfjson.ConfigResource // module + " " + address → configuration
	subnets  map[string][]*planResource        // canonical name → subnetworks
	// resolved memoises resolveRef. inProgress holds the references being resolved, each
	// with its position in chain (the references followed to get there), to name a cycle.
	resolved   map[string]*planResource
	inProgress map[string]int
	chain      []string
	// problemKeys indexes inv.Problems[:problemsSeen] by kind and name for hasProblem.
	problemKeys  map[string]bool
	problemsSeen int
	// err is the first error met while resolving references (a cycle), reported by
	// ApplyPlanContext.
	err error
}

func newPlanReader(plan *tfjson.Plan, path string) *planReader {
	p := &planReader{plan: plan, path: path, byAddress: map[string]*planResource{},
		modules: map[string]*tfjson.ConfigModule{}, calls: map[string]*tfjson.ModuleCall{},
		byConfig: map[string][]*planResource{}, configs: map[string]*tfjson.ConfigResource{},
		subnets: map[string][]*planResource{}, resolved: map[string]*planResource{},
		inProgress: map[string]int{}, problemKeys: map[string]bool{}}
	if plan.Config != nil && plan.Config.RootModule != nil {
		p.indexModules("", plan.Config.RootModule)
		// The provider block's project and region are what resources without their own use.
		for _, pc := range plan.Config.ProviderConfigs {
			if pc == nil {
				continue
			}
			if pc.Name != "google" && pc.Name != "google-beta" || pc.Alias != "" {
				continue
			}
			if v, ok := constantString(pc.Expressions["project"]); ok && p.defaults.project == "" {
				p.defaults.project = v
			}
			if v, ok := constantString(pc.Expressions["region"]); ok && p.defaults.region == "" {
				p.defaults.region = v
			}
		}
	}
	return p
}

func (p *planReader) indexModules(address string, m *tfjson.ConfigModule) {
	if _, seen := p.modules[address]; seen {
		return // two calls that strip to one address: the first one's configuration
	}
	p.modules[address] = m
	for _, res := range m.Resources {
		if res == nil {
			continue
		}
		if key := address + " " + res.Address; p.configs[key] == nil {
			p.configs[key] = res
		}
	}
	for name, call := range m.ModuleCalls {
		if call == nil || call.Module == nil {
			continue
		}
		child := joinModule(address, "module."+name)
		p.calls[child] = call
		p.indexModules(child, call.Module)
	}
}

func joinModule(parent, child string) string {
	if parent == "" {
		return child
	}
	return parent + "." + child
}

func constantString(e *tfjson.Expression) (string, bool) {
	if e == nil || e.ExpressionData == nil {
		return "", false
	}
	s, ok := e.ConstantValue.(string)
	return s, ok && s != ""
}

// collect gathers the resources of the types vpcdoctor reads, in a stable order: the
// order of resource_changes, then planned values and data sources it does not list. A null
// entry (terraform never writes one) is an error naming where it is.
func (p *planReader) collect() error {
	var err error
	add := func(r *planResource) {
		if existing, ok := p.byAddress[r.address]; ok {
			// planned_values and resource_changes describe the same instance; the change
			// has the unknown and sensitive markers, planned_values only what is known.
			if existing.value.v == nil {
				existing.value = r.value
			}
			return
		}
		if len(p.ordered) == MaxPlanResources {
			if err == nil {
				err = &InputError{Path: p.path, Msg: fmt.Sprintf("plan has more than the limit of %d resources vpcdoctor reads", MaxPlanResources)}
			}
			return
		}
		p.byAddress[r.address] = r
		p.ordered = append(p.ordered, r)
		key := r.module + " " + r.configAddr
		p.byConfig[key] = append(p.byConfig[key], r)
	}
	for i, rc := range p.plan.ResourceChanges {
		if rc == nil {
			return &InputError{Path: p.path, Msg: fmt.Sprintf("resource_changes[%d] is null (not what terraform show -json writes)", i)}
		}
		if !readsType(rc.Type) || rc.Change == nil || rc.DeposedKey != "" {
			continue
		}
		r := p.newResource(rc.Address, rc.ModuleAddress, rc.Type)
		after := rc.Change.After
		switch {
		case rc.Change.Actions.Delete():
			r.action, after = planDestroy, rc.Change.Before
			r.value = hideSensitive(tfValue{v: after, sensitive: rc.Change.BeforeSensitive})
		case rc.Change.Actions.NoOp() || rc.Change.Actions.Read():
			r.action = planKeep
			r.value = hideSensitive(tfValue{v: after, unknown: rc.Change.AfterUnknown, sensitive: rc.Change.AfterSensitive})
		case rc.Change.Actions.Update():
			r.action = planUpdate
			r.value = hideSensitive(tfValue{v: after, unknown: rc.Change.AfterUnknown, sensitive: rc.Change.AfterSensitive})
		default: // create, delete-then-create, create-then-delete
			r.action = planCreate
			r.value = hideSensitive(tfValue{v: after, unknown: rc.Change.AfterUnknown, sensitive: rc.Change.AfterSensitive})
		}
		add(r)
	}
	var walk func(m *tfjson.StateModule, action planAction, where string)
	walk = func(m *tfjson.StateModule, action planAction, where string) {
		if m == nil || err != nil {
			return
		}
		for i, res := range m.Resources {
			if res == nil {
				err = &InputError{Path: p.path, Msg: fmt.Sprintf("%s.resources[%d] is null (not what terraform show -json writes)", where, i)}
				return
			}
			if !readsType(res.Type) {
				continue
			}
			r := p.newResource(res.Address, moduleOf(res.Address), res.Type)
			r.action = action
			var sensitive any
			if len(res.SensitiveValues) > 0 {
				_ = json.Unmarshal(res.SensitiveValues, &sensitive)
			}
			r.value = hideSensitive(tfValue{v: anyMap(res.AttributeValues), sensitive: sensitive})
			add(r)
		}
		for i, child := range m.ChildModules {
			walk(child, action, fmt.Sprintf("%s.child_modules[%d]", where, i))
		}
	}
	if pv := p.plan.PlannedValues; pv != nil {
		walk(pv.RootModule, planKeep, "planned_values.root_module")
	}
	if ps := p.plan.PriorState; ps != nil && ps.Values != nil {
		walk(ps.Values.RootModule, planKeep, "prior_state.values.root_module")
	}
	return err
}

func anyMap(m map[string]any) any {
	if m == nil {
		return nil
	}
	return m
}

func (p *planReader) newResource(address, module, typ string) *planResource {
	module = stripInstanceKeys(module)
	configAddr := strings.TrimPrefix(stripInstanceKeys(address), joinModule(module, ""))
	configAddr = strings.TrimPrefix(configAddr, ".")
	if module == "" {
		configAddr = stripInstanceKeys(address)
	}
	return &planResource{address: address, module: module, configAddr: configAddr, typ: typ}
}

var instanceKeyRe = regexp.MustCompile(`\[[^\]]*\]`)

// stripInstanceKeys removes count and for_each keys: module.a["x"].t.n[0] → module.a.t.n.
func stripInstanceKeys(address string) string { return instanceKeyRe.ReplaceAllString(address, "") }

// moduleOf is the module part of an absolute resource address.
func moduleOf(address string) string {
	parts := splitAddress(address)
	var module []string
	for i := 0; i+1 < len(parts) && parts[i] == "module"; i += 2 {
		module = append(module, "module", parts[i+1])
	}
	return strings.Join(module, ".")
}

// splitAddress splits an address on the dots outside brackets and quotes.
func splitAddress(address string) []string {
	var parts []string
	depth, start := 0, 0
	inQuote := false
	for i, r := range address {
		switch {
		case r == '"':
			inQuote = !inQuote
		case inQuote:
		case r == '[':
			depth++
		case r == ']':
			depth--
		case r == '.' && depth == 0:
			parts = append(parts, address[start:i])
			start = i + 1
		}
	}
	return append(parts, address[start:])
}

// identify computes every resource's project, region and name: references to it resolve
// to its canonical name even while its id is unknown.
func (p *planReader) identify() error {
	for _, r := range p.ordered {
		if r.typ == tfServiceNetworking {
			continue // no name of its own: it becomes a peering of its network
		}
		v := r.value
		name, state := v.attr("name").str()
		switch state {
		case known:
			r.name = name
		case unknownValue:
			r.nameUnknown = true
			r.name = r.configAddr // stands in for the name in placeholders and messages
		default:
			if r.action == planDestroy || r.value.v == nil {
				continue
			}
			return &InputError{Path: p.path, Msg: fmt.Sprintf("%s has no name in the plan", r.address)}
		}
		r.project = p.defaults.project
		if project, state := v.attr("project").str(); state == known {
			r.project = project
		}
		r.region = p.defaults.region
		for _, key := range []string{"region", "location"} {
			if region, state := v.attr(key).str(); state == known {
				r.region = RegionOf(region)
			}
		}
		if r.project == "" {
			r.project = p.projectFromLinks(v)
		}
		if r.project == "" {
			r.project = Unknown
		}
		if r.region == "" {
			r.region = Unknown
		}
		if r.typ == tfSubnetwork {
			p.subnets[r.canonical()] = append(p.subnets[r.canonical()], r)
		}
	}
	return nil
}

// projectFromLinks takes the project from a self link or id when the plan gives no
// project attribute (a hand-trimmed plan, or an old provider).
func (p *planReader) projectFromLinks(v tfValue) string {
	for _, key := range []string{"self_link", "id", "network"} {
		if s, state := v.attr(key).str(); state == known {
			if project := ProjectOf(s); project != "" {
				return project
			}
		}
	}
	return ""
}

// canonical is the canonical name of a plan resource, as the inventory indexes it.
func (r *planResource) canonical() string {
	switch tfKinds[r.typ] {
	case KindService:
		return LocationRef{Project: r.project, Region: r.region, Collection: "services", Name: r.name}.String()
	case KindConnector:
		return ConnectorRef{Project: r.project, Region: r.region, Name: r.name}.String()
	case KindRedis:
		return LocationRef{Project: r.project, Region: r.region, Collection: "instances", Name: r.name}.String()
	case KindNetwork:
		return NetworkRef{Project: r.project, Name: r.name}.String()
	case KindSubnetwork:
		return SubnetRef{Project: r.project, Region: r.region, Name: r.name}.String()
	case KindFirewall:
		return "projects/" + r.project + "/global/firewalls/" + r.name
	case KindAddress:
		return "projects/" + r.project + "/global/addresses/" + r.name
	}
	return r.address
}

// apply puts one plan resource into the inventory.
func (p *planReader) apply(inv *Inventory, ix *applyIndex, r *planResource) error {
	kind := tfKinds[r.typ]
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

// protoBuilder turns one plan resource into the API's JSON shape and then into the
// official proto, the way snapshot files are read.
type protoBuilder struct {
	p    *planReader
	r    *planResource
	inv  *Inventory
	name string
}

func (b *protoBuilder) build() (proto.Message, error) {
	v := b.r.value
	switch b.r.typ {
	case tfRunV2:
		return b.runV2(v)
	case tfRunV1:
		return b.runV1(v)
	case tfConnector:
		return b.connector(v)
	case tfRedis:
		return b.redis(v)
	case tfNetwork:
		return b.network(v)
	case tfSubnetwork:
		return b.subnetwork(v)
	case tfFirewall:
		return b.firewall(v)
	case tfAddress:
		return b.address(v)
	}
	return nil, fmt.Errorf("unsupported resource type %s", b.r.typ)
}

// unknown records a field of this resource as known only after apply.
func (b *protoBuilder) unknown(field string) {
	b.inv.MarkUnknown(tfKinds[b.r.typ], b.name, field, b.r.address)
}

// set copies a known value into the API object; unknown values are recorded instead.
// A list or object with an unknown element is unknown as a whole.
func (b *protoBuilder) set(obj map[string]any, key string, v tfValue, field string) {
	switch {
	case v.hasSensitive():
		b.inv.NoteGap(tfKinds[b.r.typ], b.name, field, "is sensitive in the Terraform plan, which vpcdoctor does not read", b.r.address)
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
	if err := DecodeResource(obj, msg); err != nil {
		return nil, err
	}
	return msg, nil
}

func (b *protoBuilder) runV2(v tfValue) (proto.Message, error) {
	obj := map[string]any{"name": b.name}
	tmpl := v.attr("template").index(0)
	if tmpl.state() == unknownValue {
		b.unknown("template")
	}
	template := map[string]any{}
	if vpc := tmpl.attr("vpc_access").index(0); vpc.state() == known {
		access := map[string]any{}
		if connector := b.connectorOf(vpc.attr("connector"), "template", 0, "vpc_access", 0, "connector"); connector != "" {
			access["connector"] = connector
		}
		b.set(access, "egress", vpc.attr("egress"), "template.vpcAccess.egress")
		var interfaces []any
		for i, ni := range vpc.attr("network_interfaces").list() {
			item := map[string]any{}
			if network := b.reference(ni.attr("network"), tfNetwork, "template.vpcAccess.networkInterfaces.network", "template", 0, "vpc_access", 0, "network_interfaces", i, "network"); network != "" {
				item["network"] = network
			}
			if subnet := b.reference(ni.attr("subnetwork"), tfSubnetwork, "template.vpcAccess.networkInterfaces.subnetwork", "template", 0, "vpc_access", 0, "network_interfaces", i, "subnetwork"); subnet != "" {
				item["subnetwork"] = subnet
				b.subnetRangeGap(subnet, "template.vpcAccess.networkInterfaces.subnetwork.ipCidrRange")
			}
			b.set(item, "tags", ni.attr("tags"), "template.vpcAccess.networkInterfaces.tags")
			interfaces = append(interfaces, item)
		}
		if vpc.attr("network_interfaces").state() == unknownValue {
			b.unknown("template.vpcAccess.networkInterfaces")
		}
		if len(interfaces) > 0 {
			access["networkInterfaces"] = interfaces
		}
		template["vpcAccess"] = access
	} else if vpc.state() == unknownValue {
		b.unknown("template.vpcAccess")
	}
	if scaling := tmpl.attr("scaling").index(0); scaling.state() == unknownValue {
		b.unknown("template.scaling")
	} else if scaling.state() == known {
		s := map[string]any{}
		b.set(s, "minInstanceCount", scaling.attr("min_instance_count"), "template.scaling.minInstanceCount")
		b.set(s, "maxInstanceCount", scaling.attr("max_instance_count"), "template.scaling.maxInstanceCount")
		template["scaling"] = s
	}
	b.set(template, "serviceAccount", tmpl.attr("service_account"), "template.serviceAccount")
	var containers []any
	if tmpl.attr("containers").state() == unknownValue {
		b.unknown("template.containers")
	}
	for ci, c := range tmpl.attr("containers").list() {
		if c.state() == unknownValue {
			b.unknown("template.containers")
			continue
		}
		container := map[string]any{}
		b.set(container, "image", c.attr("image"), "template.containers.image")
		var env []any
		if c.attr("env").state() == unknownValue {
			b.unknown(EnvField)
		}
		for ei, e := range c.attr("env").list() {
			name, state := e.attr("name").str()
			if e.state() == unknownValue || state == unknownValue {
				b.unknown(EnvField) // a variable the apply names
				continue
			}
			entry := map[string]any{"name": name}
			if e.attr("value_source").hasUnknown() {
				// Whether it comes from a secret, or which, is decided at apply.
				b.unknown(EnvField + "." + name)
			} else if ref := e.attr("value_source").index(0).attr("secret_key_ref").index(0); ref.state() == known {
				secret, _ := ref.attr("secret").str()
				version, _ := ref.attr("version").str()
				entry["valueSource"] = map[string]any{"secretKeyRef": map[string]any{"secret": secret, "version": version}}
			} else {
				b.envValue(entry, e.attr("value"), name, "template", 0, "containers", ci, "env", ei, "value")
			}
			env = append(env, entry)
		}
		if len(env) > 0 {
			container["env"] = env
		}
		containers = append(containers, container)
	}
	if len(containers) > 0 {
		template["containers"] = containers
	}
	obj["template"] = template
	return unmarshalInto(obj, &runpb.Service{})
}

// envValue copies a plain environment value. A value the plan marks sensitive (Terraform
// marks a whole env list when one value is) is kept only in its redacted form, which the
// checks can judge (a plain AUTH string is exactly what the gate must catch) and no output
// can leak. An unknown value leaves the variable without a value and records the gap, so a
// check that reads the environment does not judge an empty value. An unknown value that the configuration
// takes from a Redis instance (REDIS_HOST = google_redis_instance.x.host) names that
// instance in the message. exprPath is where the value's expression sits in the
// configuration.
func (b *protoBuilder) envValue(entry map[string]any, value tfValue, name string, exprPath ...any) {
	field := EnvField + "." + name
	switch {
	case value.state() == unknownValue:
		address := b.r.address
		if target := b.p.resolve(b.r, tfRedis, exprPath...); target != nil {
			address = target.address
			if !target.nameUnknown && target.action != planDestroy {
				// The instance this variable will name: selectRedis can match the service
				// to it although its host is not known yet.
				b.inv.notePlannedEnvRedis(b.name, name, target.canonical())
			}
		}
		b.inv.MarkUnknown(tfKinds[b.r.typ], b.name, field, address)
	case value.isSensitive():
		// Judged through its redacted form (sensitive.go), never shown.
		b.inv.markSensitiveEnv(b.name, name)
		if s, ok := value.v.(string); ok {
			entry["value"] = RedactSensitive(name, s)
		} else if value.state() == known {
			entry["value"] = RedactSensitive(name, fmt.Sprint(value.v))
		}
	case value.state() == known:
		entry["value"] = value.v
	}
}

// connectorOf is a service's connector: its known value; else the canonical name of the
// plan's connector that the configuration expression at exprPath references; else, when
// that connector's name is decided by the apply, a placeholder every lookup of which says
// so. An unknown value that references no connector leaves "" and the field recorded
// unknown: whether the service has a connector at all is decided at apply.
func (b *protoBuilder) connectorOf(v tfValue, exprPath ...any) string {
	if s, state := v.str(); state == known {
		return s
	} else if state == unset {
		return ""
	}
	target := b.p.resolve(b.r, tfConnector, exprPath...)
	switch {
	case target == nil:
		b.unknown("template.vpcAccess.connector")
		return ""
	case !target.nameUnknown:
		return target.canonical()
	}
	ref := ConnectorRef{Project: b.r.project, Region: b.r.region, Name: target.configAddr}
	if !b.hasProblem(KindConnector, ref.String()) {
		b.inv.UnknownResource(KindConnector, ref.String(), b.r.address)
	}
	return target.configAddr
}

// hasProblem reports whether the inventory records a problem of that resource. Problems
// are only added while a plan is applied, so the index catches up with the new ones.
func (b *protoBuilder) hasProblem(kind Kind, name string) bool {
	p := b.p
	for ; p.problemsSeen < len(b.inv.Problems); p.problemsSeen++ {
		q := b.inv.Problems[p.problemsSeen]
		p.problemKeys[string(q.Kind)+" "+q.Name] = true
	}
	return p.problemKeys[string(kind)+" "+name]
}

// runV1 maps google_cloud_run_service (the Knative shape) through the same conversion as a
// service.yaml.
func (b *protoBuilder) runV1(v tfValue) (proto.Message, error) {
	tmpl := v.attr("template").index(0)
	annotations := map[string]string{}
	tmplAnnotations := tmpl.attr("metadata").index(0).attr("annotations")
	for key, value := range tmplAnnotations.entries() {
		if s, state := value.str(); state == known {
			annotations[key] = s
		}
	}
	exprPath := []any{"template", 0, "metadata", 0, "annotations"}
	connector := tmplAnnotations.attr(AnnotationConnector)
	if tmplAnnotations.state() == unknownValue {
		connector = tmplAnnotations
		b.unknown("template.vpcAccess.egress")
		b.unknown("template.vpcAccess.networkInterfaces")
	}
	if connector.state() == unknownValue {
		if name := b.connectorOf(connector, exprPath...); name != "" {
			annotations[AnnotationConnector] = name
		}
	}
	if tmplAnnotations.state() != unknownValue {
		// The annotations become the v2 fields the checks read; record the gaps under those.
		for _, a := range [][2]string{{AnnotationEgress, "template.vpcAccess.egress"}, {AnnotationNetworkInterfaces, "template.vpcAccess.networkInterfaces"}} {
			if tmplAnnotations.attr(a[0]).state() == unknownValue {
				b.unknown(a[1])
			}
		}
	}
	svc := &runv1.Service{
		Metadata: &runv1.ObjectMeta{Name: b.r.name, Namespace: b.r.project,
			Labels: map[string]string{LabelLocation: b.r.region}},
		Spec: &runv1.ServiceSpec{Template: &runv1.RevisionTemplate{
			Metadata: &runv1.ObjectMeta{Annotations: annotations},
			Spec:     &runv1.RevisionSpec{},
		}},
	}
	spec := tmpl.attr("spec").index(0)
	if account, state := spec.attr("service_account_name").str(); state == known {
		svc.Spec.Template.Spec.ServiceAccountName = account
	}
	// The environment's gaps are recorded as runV2 records them: a list or a name the
	// apply decides leaves the whole environment unknown, a value only its variable.
	if spec.attr("containers").state() == unknownValue {
		b.unknown("template.containers")
	}
	for ci, c := range spec.attr("containers").list() {
		if c.state() == unknownValue {
			b.unknown("template.containers")
			continue
		}
		container := &runv1.Container{}
		container.Image, _ = c.attr("image").str()
		if c.attr("env").state() == unknownValue {
			b.unknown(EnvField)
		}
		for ei, e := range c.attr("env").list() {
			name, state := e.attr("name").str()
			if e.state() == unknownValue || state == unknownValue {
				b.unknown(EnvField) // a variable the apply names
				continue
			}
			env := &runv1.EnvVar{Name: name}
			if e.attr("value_from").hasUnknown() {
				// Whether it comes from a secret, or which, is decided at apply.
				b.unknown(EnvField + "." + name)
			} else if ref := e.attr("value_from").index(0).attr("secret_key_ref").index(0); ref.state() == known {
				secret, _ := ref.attr("name").str()
				key, _ := ref.attr("key").str()
				env.ValueFrom = &runv1.EnvVarSource{SecretKeyRef: &runv1.SecretKeySelector{Name: secret, Key: key}}
			} else {
				entry := map[string]any{}
				b.envValue(entry, e.attr("value"), name, "template", 0, "spec", 0, "containers", ci, "env", ei, "value")
				env.Value, _ = entry["value"].(string)
			}
			container.Env = append(container.Env, env)
		}
		svc.Spec.Template.Spec.Containers = append(svc.Spec.Template.Spec.Containers, container)
	}
	converted, err := convertKnative(svc)
	if err != nil {
		return nil, err
	}
	converted.Name = b.name
	return converted, nil
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
			s["name"] = ShortName(name)
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
		b.inv.NoteGap(KindConnector, b.name, ConnectorFirewallRules, "are created by Google with the connector during terraform apply, so the plan does not show them", b.r.address)
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
	ref, err := ParseSubnet(subnet, defaultProject, b.r.region)
	if err != nil {
		return
	}
	for _, r := range b.p.subnets[ref.String()] {
		if r.action != planDestroy && r.value.attr("ip_cidr_range").hasUnknown() {
			b.inv.MarkUnknown(tfKinds[b.r.typ], b.name, field, r.address)
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
	ref, err := ParseNetwork(network, b.r.project)
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
	b.inv.NoteGap(tfKinds[b.r.typ], b.name, "state", "is not in the Terraform plan; add its gcloud describe output to the snapshot", b.r.address)
	return "STATE_UNSPECIFIED"
}

func (b *protoBuilder) redis(v tfValue) (proto.Message, error) {
	obj := map[string]any{"name": b.name}
	switch network := v.attr("authorized_network"); network.state() {
	case unset:
		// The API authorizes the project's default network when none is given.
		obj["authorizedNetwork"] = NetworkRef{Project: b.r.project, Name: "default"}.String()
	default:
		if !b.p.hasExpression(b.r, "authorized_network") && network.state() == unknownValue {
			obj["authorizedNetwork"] = NetworkRef{Project: b.r.project, Name: "default"}.String()
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
func (p *planReader) markPeerings(inv *Inventory) {
	for _, r := range p.ordered {
		if r.typ != tfRedis || r.action != planCreate || r.nameUnknown {
			continue
		}
		if mode, state := r.value.attr("connect_mode").str(); state == unknownValue || mode == "PRIVATE_SERVICE_ACCESS" {
			continue
		}
		name := r.canonical()
		ref, err := ParseLocation(name, "instances")
		if err != nil {
			continue
		}
		instance, problem := inv.Redis(ref)
		if problem != nil {
			continue
		}
		net, err := ParseNetwork(instance.GetAuthorizedNetwork(), r.project)
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
			inv.NoteGap(KindRedis, name, RedisPeering, "is set up by Memorystore when it creates the instance during terraform apply, so network "+net.Name+" has none yet", r.address)
		}
	}
}

func (b *protoBuilder) network(v tfValue) (proto.Message, error) {
	obj := map[string]any{"kind": "compute#network", "name": b.r.name,
		"selfLink": "https://www.googleapis.com/compute/v1/" + b.name}
	b.set(obj, "autoCreateSubnetworks", v.attr("auto_create_subnetworks"), "autoCreateSubnetworks")
	if mode := v.attr("routing_mode"); mode.state() == known {
		obj["routingConfig"] = map[string]any{"routingMode": mode.v}
	}
	return unmarshalInto(obj, &computepb.Network{})
}

func (b *protoBuilder) subnetwork(v tfValue) (proto.Message, error) {
	obj := map[string]any{"kind": "compute#subnetwork", "name": b.r.name,
		"selfLink": "https://www.googleapis.com/compute/v1/" + b.name,
		"region":   "https://www.googleapis.com/compute/v1/projects/" + b.r.project + "/regions/" + b.r.region}
	if network := b.reference(v.attr("network"), tfNetwork, "network", "network"); network != "" {
		obj["network"] = selfLinkOf(network, b.r.project, "networks")
	}
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
	obj := map[string]any{"kind": "compute#firewall", "name": b.r.name,
		"selfLink": "https://www.googleapis.com/compute/v1/" + b.name}
	if network := b.reference(v.attr("network"), tfNetwork, "network", "network"); network != "" {
		obj["network"] = selfLinkOf(network, b.r.project, "networks")
	}
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
	obj := map[string]any{"kind": "compute#address", "name": b.r.name,
		"selfLink": "https://www.googleapis.com/compute/v1/" + b.name}
	if network := b.reference(v.attr("network"), tfNetwork, "network", "network"); network != "" {
		obj["network"] = selfLinkOf(network, b.r.project, "networks")
	}
	b.setAll(obj, v, "address", "address", "prefix_length", "prefixLength", "purpose", "purpose", "address_type", "addressType")
	return unmarshalInto(obj, &computepb.Address{})
}

// selfLinkOf spells a compute resource as the self link the Compute API returns.
func selfLinkOf(name, defaultProject, collection string) string {
	if strings.HasPrefix(name, "https://") {
		return name
	}
	if collection == "networks" {
		if ref, err := ParseNetwork(name, defaultProject); err == nil {
			return "https://www.googleapis.com/compute/v1/" + ref.String()
		}
	}
	return name
}

// hasExpression reports whether the resource's configuration sets an attribute at all.
func (p *planReader) hasExpression(r *planResource, attribute string) bool {
	cfg := p.configResource(r)
	if cfg == nil {
		return true // no configuration in the plan: assume it does, and stay unknown
	}
	_, ok := cfg.Expressions[attribute]
	return ok
}

// configResource finds a resource's configuration block.
func (p *planReader) configResource(r *planResource) *tfjson.ConfigResource {
	return p.configs[r.module+" "+r.configAddr]
}

// resolve finds the plan resource of type wantType that the configuration expression at
// path (attribute names and block indexes) of r references.
func (p *planReader) resolve(r *planResource, wantType string, path ...any) *planResource {
	cfg := p.configResource(r)
	if cfg == nil {
		return nil
	}
	block := cfg.Expressions
	var expr *tfjson.Expression
	for _, step := range path {
		switch s := step.(type) {
		case string:
			if block == nil {
				// Inside an attribute's value (a map such as annotations): the expression's
				// references cover all of it.
				return p.resolveRefs(r.module, expr.References, wantType, 0)
			}
			expr, block = block[s], nil
			if expr == nil || expr.ExpressionData == nil {
				return nil
			}
		case int:
			if s >= len(expr.NestedBlocks) {
				// A list built by an expression rather than written as blocks.
				return p.resolveRefs(r.module, expr.References, wantType, 0)
			}
			block = expr.NestedBlocks[s]
		}
	}
	if expr == nil || block != nil {
		return nil
	}
	return p.resolveRefs(r.module, expr.References, wantType, 0)
}

// resolveRefs follows references in a module to the one resource of wantType they name.
// References to module outputs and to module variables are followed; locals and functions
// are opaque in the plan JSON. Each reference is resolved once (memoised), so resolving is
// linear in the configuration; a reference that leads back to itself through outputs and
// variables is a cycle, recorded in p.err with the references it passes through.
func (p *planReader) resolveRefs(module string, refs []string, wantType string, depth int) *planResource {
	var found *planResource
	for _, ref := range refs {
		target := p.resolveRef(module, ref, wantType, depth)
		if target == nil {
			continue
		}
		if found != nil && found != target {
			return nil // several candidates: do not guess
		}
		found = target
	}
	return found
}

// resolveRef resolves one reference of a module, memoised.
func (p *planReader) resolveRef(module, ref, wantType string, depth int) *planResource {
	if p.err != nil {
		return nil
	}
	key := module + "\x00" + ref + "\x00" + wantType
	if target, done := p.resolved[key]; done {
		return target
	}
	if at, ok := p.inProgress[key]; ok {
		chain := append(slices.Clone(p.chain[at:]), referenceText(module, ref))
		p.err = &InputError{Path: p.path, Msg: "references form a cycle through module outputs and variables: " + strings.Join(chain, " → ")}
		return nil
	}
	if depth > maxReferenceDepth {
		p.err = &InputError{Path: p.path, Msg: fmt.Sprintf("reference %s passes through more than %d module outputs and variables", referenceText(module, ref), maxReferenceDepth)}
		return nil
	}
	p.inProgress[key] = len(p.chain)
	p.chain = append(p.chain, referenceText(module, ref))
	target := p.followRef(module, ref, wantType, depth)
	p.chain = p.chain[:len(p.chain)-1]
	delete(p.inProgress, key)
	if p.err != nil {
		return nil
	}
	p.resolved[key] = target
	return target
}

// referenceText names a reference with its module, as a user finds it in the configuration.
func referenceText(module, ref string) string {
	if module == "" {
		return ref
	}
	return module + "." + ref
}

// followRef resolves one reference: a resource of wantType, or through a module output or
// a module variable to what they reference.
func (p *planReader) followRef(module, ref, wantType string, depth int) *planResource {
	parts := splitAddress(ref)
	switch {
	case len(parts) >= 3 && parts[0] == "module":
		call := joinModule(module, "module."+stripInstanceKeys(parts[1]))
		child := p.modules[call]
		if child == nil {
			return nil
		}
		if out := child.Outputs[parts[2]]; out != nil && out.Expression != nil && out.Expression.ExpressionData != nil {
			return p.resolveRefs(call, out.Expression.References, wantType, depth+1)
		}
	case len(parts) >= 2 && parts[0] == "var":
		call := p.calls[module]
		if call == nil {
			return nil // a root variable is a constant: the value is already known
		}
		if e := call.Expressions[parts[1]]; e != nil && e.ExpressionData != nil {
			return p.resolveRefs(moduleParent(module), e.References, wantType, depth+1)
		}
	case len(parts) >= 2 && parts[0] == wantType:
		return p.lookup(module, parts[0]+"."+parts[1])
	case len(parts) >= 3 && parts[0] == "data" && parts[1] == wantType:
		return p.lookup(module, "data."+parts[1]+"."+parts[2])
	}
	return nil
}

func moduleParent(module string) string {
	parts := splitAddress(module)
	if len(parts) <= 2 {
		return ""
	}
	return strings.Join(parts[:len(parts)-2], ".")
}

// lookup finds the resource with a module-relative address (which may carry an instance
// key: a reference to one instance of a counted resource). Without a key, the resource
// must have exactly one instance.
func (p *planReader) lookup(module, address string) *planResource {
	want := stripInstanceKeys(address)
	if strings.Contains(address, "[") {
		if r := p.byAddress[joinModule(module, address)]; r != nil && r.module == module && r.configAddr == want {
			return r
		}
	}
	var match []*planResource
	for _, r := range p.byConfig[module+" "+want] {
		if strings.Contains(address, "[") && !strings.HasSuffix(r.address, address) {
			continue
		}
		match = append(match, r)
	}
	if len(match) != 1 {
		return nil
	}
	return match[0]
}

// valueState says whether a plan value is known, unknown until apply, or not set.
type valueState int

const (
	unset valueState = iota
	known
	unknownValue
)

// tfValue is one value of a resource in a plan with its after_unknown and after_sensitive
// markers, navigated in step: a marker of true covers everything below it.
type tfValue struct {
	v         any
	unknown   any
	sensitive any
}

func (t tfValue) attr(key string) tfValue {
	next := tfValue{unknown: t.unknown, sensitive: t.sensitive}
	if m, ok := t.v.(map[string]any); ok {
		next.v = m[key]
	}
	if m, ok := t.unknown.(map[string]any); ok {
		next.unknown = m[key]
	}
	if m, ok := t.sensitive.(map[string]any); ok {
		next.sensitive = m[key]
	}
	return next
}

func (t tfValue) index(i int) tfValue {
	next := tfValue{unknown: t.unknown, sensitive: t.sensitive}
	if l, ok := t.v.([]any); ok && i < len(l) {
		next.v = l[i]
	}
	if l, ok := t.unknown.([]any); ok {
		next.unknown = nil
		if i < len(l) {
			next.unknown = l[i]
		}
	}
	if l, ok := t.sensitive.([]any); ok {
		next.sensitive = nil
		if i < len(l) {
			next.sensitive = l[i]
		}
	}
	return next
}

func (t tfValue) list() []tfValue {
	l, _ := t.v.([]any)
	out := make([]tfValue, 0, len(l))
	for i := range l {
		out = append(out, t.index(i))
	}
	return out
}

func (t tfValue) entries() map[string]tfValue {
	out := map[string]tfValue{}
	if m, ok := t.v.(map[string]any); ok {
		for key := range m {
			out[key] = t.attr(key)
		}
	}
	if m, ok := t.unknown.(map[string]any); ok {
		for key := range m {
			out[key] = t.attr(key)
		}
	}
	return out
}

func (t tfValue) state() valueState {
	switch {
	case t.unknown == true:
		return unknownValue
	case t.v == nil:
		return unset
	}
	return known
}

func (t tfValue) isSensitive() bool { return t.sensitive == true }

// hasSensitive reports whether the value, or anything inside it, is sensitive.
func (t tfValue) hasSensitive() bool {
	switch s := t.sensitive.(type) {
	case bool:
		return s
	case map[string]any:
		for _, x := range s {
			if (tfValue{sensitive: x}).hasSensitive() {
				return true
			}
		}
	case []any:
		for _, x := range s {
			if (tfValue{sensitive: x}).hasSensitive() {
				return true
			}
		}
	}
	return false
}

// hideSensitive drops every part of a plan value that after_sensitive (or
// sensitive_values) marks, and marks it unknown instead, so that no sensitive value is
// kept past loading: whatever reads the value finds a gap, never the secret. An
// environment entry's value is the exception: it is kept in its redacted form (see
// RedactSensitive), which is what the env checks judge. The
// sensitive markers stay, so the gap can say "sensitive" rather than "after apply".
func hideSensitive(t tfValue) tfValue {
	t.v, t.unknown = hideSensitiveParts(t.v, t.unknown, t.sensitive)
	return t
}

func hideSensitiveParts(v, unknown, sensitive any) (any, any) {
	switch s := sensitive.(type) {
	case bool:
		if !s {
			return v, unknown
		}
		// A sensitive list or object (Terraform marks a whole env list when one value is)
		// is hidden part by part, so that an environment entry keeps its redacted value.
		switch x := v.(type) {
		case map[string]any:
			marks := make(map[string]any, len(x))
			for key := range x {
				marks[key] = true
			}
			return hideSensitiveParts(v, unknown, marks)
		case []any:
			marks := make([]any, len(x))
			for i := range marks {
				marks[i] = true
			}
			return hideSensitiveParts(v, unknown, marks)
		}
		return nil, true
	case map[string]any:
		values, _ := v.(map[string]any)
		unknowns, _ := unknown.(map[string]any)
		if len(s) == 0 || values == nil {
			return v, unknown
		}
		outValues := make(map[string]any, len(values))
		outUnknown := make(map[string]any, len(unknowns)+len(s))
		for key, item := range values {
			outValues[key] = item
		}
		for key, item := range unknowns {
			outUnknown[key] = item
		}
		for key, mark := range s {
			if redacted, ok := redactedEnvValue(values, key, mark); ok {
				outValues[key] = redacted
				continue
			}
			newValue, newUnknown := hideSensitiveParts(values[key], unknowns[key], mark)
			if _, present := values[key]; present {
				outValues[key] = newValue
			}
			if newUnknown != nil {
				outUnknown[key] = newUnknown
			}
		}
		return outValues, outUnknown
	case []any:
		values, _ := v.([]any)
		unknowns, _ := unknown.([]any)
		if len(s) == 0 || values == nil {
			return v, unknown
		}
		outValues := append([]any(nil), values...)
		outUnknown := make([]any, len(values))
		copy(outUnknown, unknowns)
		for i := range values {
			if i < len(s) {
				outValues[i], outUnknown[i] = hideSensitiveParts(values[i], outUnknown[i], s[i])
			}
		}
		return outValues, outUnknown
	}
	return v, unknown
}

// redactedEnvValue is the form an environment entry's sensitive value ({name, value}) is
// kept in: RedactSensitive's, which the env checks can judge and no output can leak.
// The entry's name and secret reference (value_source: a secret's name and version, not
// its value) stay as they are: they are what the checks look up, and Terraform marks them
// only because it marks the whole list.
func redactedEnvValue(entry map[string]any, key string, mark any) (any, bool) {
	if mark != true {
		return "", false
	}
	name, nameOK := entry["name"].(string)
	_, hasValue := entry["value"]
	if !nameOK || !hasValue {
		return "", false
	}
	switch key {
	case "name":
		return name, true
	case "value_source", "value_from":
		return entry[key], true
	case "value":
		if value, ok := entry["value"].(string); ok {
			return RedactSensitive(name, value), true
		}
	}
	return "", false
}

// hasUnknown reports whether the value, or anything inside it, is unknown: after_unknown
// mirrors the value's shape down to each unknown part.
func (t tfValue) hasUnknown() bool {
	switch u := t.unknown.(type) {
	case bool:
		return u
	case map[string]any:
		for _, x := range u {
			if (tfValue{unknown: x}).hasUnknown() {
				return true
			}
		}
	case []any:
		for _, x := range u {
			if (tfValue{unknown: x}).hasUnknown() {
				return true
			}
		}
	}
	return false
}

func (t tfValue) str() (string, valueState) {
	st := t.state()
	if st != known {
		return "", st
	}
	switch s := t.v.(type) {
	case string:
		if s == "" {
			return "", unset
		}
		return s, known
	case json.Number:
		return s.String(), known
	}
	return fmt.Sprint(t.v), known
}
