package terraform

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// Reading a plan: the resources of the types read, their addresses and canonical names.

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
	kind       inventory.Kind // the inventory kind it becomes ("" for the Service Networking connection)
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
				err = &inventory.InputError{Path: p.path, Msg: fmt.Sprintf("plan has more than the limit of %d resources vpcdoctor reads", MaxPlanResources)}
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
			return &inventory.InputError{Path: p.path, Msg: fmt.Sprintf("resource_changes[%d] is null (not what terraform show -json writes)", i)}
		}
		if !reads(rc.Type) || rc.Change == nil || rc.DeposedKey != "" {
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
				err = &inventory.InputError{Path: p.path, Msg: fmt.Sprintf("%s.resources[%d] is null (not what terraform show -json writes)", where, i)}
				return
			}
			if !reads(res.Type) {
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
	return &planResource{address: address, module: module, configAddr: configAddr, typ: typ, kind: planTypes[typ].kind}
}

// reads reports whether a plan resource type is one the reader collects (planTypes).
func reads(typ string) bool {
	_, ok := planTypes[typ]
	return ok
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
			return &inventory.InputError{Path: p.path, Msg: fmt.Sprintf("%s has no name in the plan", r.address)}
		}
		r.project = p.defaults.project
		if project, state := v.attr("project").str(); state == known {
			r.project = project
		}
		r.region = p.defaults.region
		for _, key := range []string{"region", "location"} {
			if region, state := v.attr(key).str(); state == known {
				r.region = inventory.RegionOf(region)
			}
		}
		if r.project == "" {
			r.project = p.projectFromLinks(v)
		}
		if r.project == "" {
			r.project = inventory.Unknown
		}
		if r.region == "" {
			r.region = inventory.Unknown
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
			if project := inventory.ProjectOf(s); project != "" {
				return project
			}
		}
	}
	return ""
}

// canonical is the canonical name of a plan resource, as the inventory indexes it.
func (r *planResource) canonical() string {
	switch r.kind {
	case inventory.KindService:
		return inventory.LocationRef{Project: r.project, Region: r.region, Collection: "services", Name: r.name}.String()
	case inventory.KindConnector:
		return inventory.ConnectorRef{Project: r.project, Region: r.region, Name: r.name}.String()
	case inventory.KindRedis:
		return inventory.LocationRef{Project: r.project, Region: r.region, Collection: "instances", Name: r.name}.String()
	case inventory.KindNetwork:
		return inventory.NetworkRef{Project: r.project, Name: r.name}.String()
	case inventory.KindSubnetwork:
		return inventory.SubnetRef{Project: r.project, Region: r.region, Name: r.name}.String()
	case inventory.KindFirewall:
		return "projects/" + r.project + "/global/firewalls/" + r.name
	case inventory.KindAddress:
		return "projects/" + r.project + "/global/addresses/" + r.name
	case inventory.KindRouter:
		return "projects/" + r.project + "/regions/" + r.region + "/routers/" + r.name
	}
	return r.address
}
