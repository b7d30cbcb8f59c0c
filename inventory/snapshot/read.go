package snapshot

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/knative"
)

// AddFile adds every resource in one file's content (YAML or JSON, any number of
// documents) to the inventory; path names the file in errors and in inv.Sources. A file
// that is not one vpcdoctor reads is an *inventory.InputError naming it.
func AddFile(inv *inventory.Inventory, path string, data []byte) error {
	docs, err := decodeDocuments(data)
	if err != nil {
		// Documentation pages quote gcloud output indented as a code block: try once more
		// without the common indentation before giving up.
		if retry, retryErr := decodeDocuments(dedent(data)); retryErr == nil {
			docs, err = retry, nil
		}
	}
	if err != nil {
		return &inventory.InputError{Path: path, Line: lineOf(err.Error()), Msg: "not valid YAML or JSON: " + stripLine(err.Error())}
	}
	if len(docs) == 0 {
		return &inventory.InputError{Path: path, Msg: "file is empty"}
	}
	r := &reader{inv: inv, path: path, kinds: inventory.Kinds()}
	for _, doc := range docs {
		if err := r.addValue(doc.line, doc.value); err != nil {
			return err
		}
	}
	return nil
}

var lineRe = regexp.MustCompile(`^line (\d+): `)

func lineOf(msg string) int {
	m := lineRe.FindStringSubmatch(msg)
	if m == nil {
		return 0
	}
	var n int
	fmt.Sscanf(m[1], "%d", &n)
	return n
}

func stripLine(msg string) string { return lineRe.ReplaceAllString(msg, "") }

// reader adds the values of one file to an inventory.
type reader struct {
	inv  *inventory.Inventory
	path string
	// kinds is the table of resource kinds, read once per file.
	kinds []inventory.KindInfo
}

// inputError is bad input at a line of the file.
func (r *reader) inputError(line int, msg string) error {
	return &inventory.InputError{Path: r.path, Line: line, Msg: msg}
}

func (r *reader) addValue(line int, value any) error {
	switch v := value.(type) {
	case []any:
		for _, item := range v {
			if err := r.addValue(line, item); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		return r.addObject(line, v)
	}
	return r.inputError(line, "not a Google Cloud resource: expected a mapping or a list, found a plain value")
}

// addObject recognises one mapping: a resource by its "kind" (Compute) or the shape of its
// name (the other APIs), a list answer by its "kind" or its envelope key, or one of the
// answers that are not resources (effective firewalls, IAM policies, project
// descriptions, the problems `vpcdoctor snapshot` recorded).
func (r *reader) addObject(line int, obj map[string]any) error {
	kind, _ := obj["kind"].(string)
	name, _ := obj["name"].(string)
	if kind != "" {
		for _, info := range r.kinds {
			switch kind {
			case info.ItemKind:
				return r.addProto(line, obj, info)
			case info.ListKind:
				r.inv.MarkListed(info.Kind)
				return r.addValue(line, emptyIfNil(obj["items"]))
			case info.AggregatedKind:
				return r.addAggregated(line, obj, info)
			}
		}
	}
	switch {
	case strings.HasPrefix(kind, "compute#") && strings.HasSuffix(kind, "List"), kind == "List":
		return r.addValue(line, emptyIfNil(obj["items"]))
	case kind == "Service" || (kind == "" && isKnativeShape(obj)):
		svc, err := knative.Service(obj)
		if err != nil {
			return r.inputError(line, err.Error())
		}
		return r.add(line, inventory.KindService, svc)
	case kind == "Revision":
		rev, err := knative.Revision(obj)
		if err != nil {
			return r.inputError(line, err.Error())
		}
		return r.add(line, inventory.KindRevision, rev)
	case kind == ProblemsKind:
		return r.addProblems(line, obj)
	}
	for _, info := range r.kinds {
		if info.NameShape != nil && info.NameShape.MatchString(name) {
			return r.addProto(line, obj, info)
		}
	}
	switch {
	case isEffectiveFirewalls(kind, obj):
		return r.addEffectiveFirewalls(line, obj)
	case isIAMPolicy(obj):
		return r.addIAMPolicy(line, obj)
	case isProjectDescription(obj):
		return r.addProjectDescription(line, obj)
	}
	if list, ok := obj["items"].([]any); ok {
		return r.addValue(line, list)
	}
	for _, info := range r.kinds {
		if info.BareKey == "" {
			continue
		}
		if list, ok := obj[info.BareKey].([]any); ok {
			if err := r.addValue(line, list); err != nil {
				return err
			}
			if info.BareKeyMarksListed {
				r.inv.MarkListed(info.Kind)
			}
			return nil
		}
	}
	return r.inputError(line, unrecognised(kind, name))
}

// addAggregated reads a Compute aggregated list: {"items": {"regions/R": {"KEY": [...]}}},
// every scope's list, a complete listing of the kind.
func (r *reader) addAggregated(line int, obj map[string]any, info inventory.KindInfo) error {
	r.inv.MarkListed(info.Kind)
	items, _ := obj["items"].(map[string]any)
	for _, scoped := range items {
		if scopedMap, ok := scoped.(map[string]any); ok {
			if err := r.addValue(line, emptyIfNil(scopedMap[info.BareKey])); err != nil {
				return err
			}
		}
	}
	return nil
}

func unrecognised(kind, name string) string {
	switch {
	case kind != "":
		return fmt.Sprintf("unrecognised resource kind %q (vpcdoctor reads Cloud Run services, VPC connectors, Redis instances, networks, subnetworks, firewall rules, global addresses and Cloud Routers)", kind)
	case name != "":
		return fmt.Sprintf("unrecognised resource %q: expected a full name such as projects/P/locations/R/connectors/C or .../instances/I, or a compute resource with its kind", name)
	}
	return "not a recognisable Google Cloud resource: no kind and no full resource name (save the output of gcloud ... describe --format yaml)"
}

func emptyIfNil(v any) any {
	if v == nil {
		return []any{}
	}
	return v
}

// isKnativeShape recognises a Cloud Run service.yaml that lost its kind line.
func isKnativeShape(obj map[string]any) bool {
	spec, ok := obj["spec"].(map[string]any)
	if !ok {
		return false
	}
	_, hasTemplate := spec["template"]
	_, hasMeta := obj["metadata"]
	return hasTemplate && hasMeta
}

// addProto reads one resource in the APIs' JSON form as the kind's proto type.
func (r *reader) addProto(line int, obj map[string]any, info inventory.KindInfo) error {
	msg := info.NewMessage()
	if err := inventory.DecodeResource(obj, msg); err != nil {
		return r.inputError(line, fmt.Sprintf("not a valid %s: %v", info.Kind, err))
	}
	if err := inventory.Validate(msg); err != nil {
		return r.inputError(line, fmt.Sprintf("not a valid %s: %v", info.Kind, err))
	}
	return r.add(line, info.Kind, msg)
}

// add puts a resource into the inventory with the file as its source.
func (r *reader) add(line int, kind inventory.Kind, msg proto.Message) error {
	if err := r.inv.Add(kind, msg, r.path); err != nil {
		return r.inputError(line, err.Error())
	}
	return nil
}

// ProblemsKind marks the file in which `vpcdoctor snapshot` records the resources it could
// not read, so a snapshot reproduces a live run's error findings too.
const ProblemsKind = "vpcdoctor#problems"

func (r *reader) addProblems(line int, obj map[string]any) error {
	data, err := json.Marshal(obj["problems"])
	if err != nil {
		return r.inputError(line, err.Error())
	}
	var problems []*inventory.Problem
	if err := json.Unmarshal(data, &problems); err != nil {
		return r.inputError(line, "not a valid problems list: "+err.Error())
	}
	for i, p := range problems {
		if p == nil {
			return r.inputError(line, fmt.Sprintf("problems[%d] is null", i))
		}
		r.inv.AddProblem(p)
	}
	return nil
}
