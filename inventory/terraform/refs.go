package terraform

import (
	"fmt"
	"slices"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// Resolving a reference-valued field through the plan's configuration: the expression's
// references, followed through module outputs and module variables, to one plan resource.

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
		p.err = &inventory.InputError{Path: p.path, Msg: "references form a cycle through module outputs and variables: " + strings.Join(chain, " → ")}
		return nil
	}
	if depth > maxReferenceDepth {
		p.err = &inventory.InputError{Path: p.path, Msg: fmt.Sprintf("reference %s passes through more than %d module outputs and variables", referenceText(module, ref), maxReferenceDepth)}
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
