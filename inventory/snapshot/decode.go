package snapshot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Limits on what one YAML document may expand to. gcloud and the APIs never write anchors or
// aliases, and a hand-written service.yaml uses a few; these limits stop an alias bomb (a
// few hundred bytes that expand to gigabytes) and an alias cycle (`a: &a [*a]`) before they
// cost memory or stack, with an error naming the line.
const (
	// MaxYAMLAliasNodes bounds the nodes (mappings, lists, scalars) that aliases may add to
	// one file when they are expanded.
	MaxYAMLAliasNodes = 100_000
	// MaxYAMLAliasBytes bounds the scalar text that aliases may add to one file.
	MaxYAMLAliasBytes = 4 << 20
	// MaxYAMLDepth bounds the nesting of mappings and lists in one document, aliases
	// expanded. Google Cloud resources nest a few levels deep.
	MaxYAMLDepth = 256
	// MaxValues bounds the values (mappings, lists, scalars) of one file, estimated from
	// its lines and separators before it is parsed: a parsed YAML value takes some hundred
	// bytes, so a 64 MiB file of one-character list items would need gigabytes. The
	// subnetworks of a 10,000-subnet project are well under a million.
	MaxValues = 2_000_000
)

// valueEstimate is an upper estimate of the values in a YAML or JSON text: every value
// but the first needs a new line or a separator.
func valueEstimate(data []byte) int {
	n := 1
	for _, sep := range []byte{'\n', ',', '[', '{', ':', '-'} {
		n += bytes.Count(data, []byte{sep})
	}
	return n
}

// document is one decoded YAML or JSON document in JSON-compatible form, with the line
// it starts on (for error messages).
type document struct {
	value any
	line  int
}

// decodeDocuments reads YAML (any number of "---"-separated documents) or JSON. YAML is a
// superset of JSON, so one decoder covers both; scalars keep their YAML type only when it is
// a number, boolean or null, so timestamps and ids stay the strings the APIs send.
func decodeDocuments(data []byte) ([]document, error) {
	if n := valueEstimate(data); n > MaxValues {
		return nil, fmt.Errorf("the file holds about %d values, more than the limit of %d (split it into several files)", n, MaxValues)
	}
	if looksLikeJSON(data) {
		if docs, err := decodeJSON(data); err == nil {
			return docs, nil
		}
		// Not valid JSON after all (YAML flow style also starts with "{"): let YAML try.
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []document
	// The alias budget is per file: a bomb split over many documents is still one file.
	conv := &nodeConverter{expanding: map[*yaml.Node]bool{}}
	for {
		var node yaml.Node
		err := dec.Decode(&node)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s", oneLineText(strings.TrimPrefix(err.Error(), "yaml: ")))
		}
		value, err := conv.value(&node, 0)
		if err != nil {
			return nil, err
		}
		if value == nil {
			continue // an empty document, e.g. a trailing "---"
		}
		docs = append(docs, document{value: value, line: node.Line})
	}
	return docs, nil
}

// oneLineText keeps the first line of a parser message: errors are one line.
func oneLineText(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return s
}

// nodeConverter converts YAML nodes into the values encoding/json produces, counting what
// aliases expand to against the limits above.
type nodeConverter struct {
	aliasNodes, aliasBytes int
	// aliasDepth is how many aliases enclose the node being converted: what is converted
	// inside an alias counts against the alias budget.
	aliasDepth int
	// expanding holds the anchored nodes whose alias is being expanded: meeting one again
	// inside itself is a cycle.
	expanding map[*yaml.Node]bool
}

func (c *nodeConverter) count(n *yaml.Node) error {
	if c.aliasDepth == 0 {
		return nil // the file's own nodes: bounded by the file size limit
	}
	c.aliasNodes++
	c.aliasBytes += len(n.Value)
	if c.aliasNodes > MaxYAMLAliasNodes || c.aliasBytes > MaxYAMLAliasBytes {
		return fmt.Errorf("line %d: YAML aliases expand to more than %d nodes or %d MiB (an alias bomb?); write the values out instead", n.Line, MaxYAMLAliasNodes, MaxYAMLAliasBytes>>20)
	}
	return nil
}

// value converts one node; depth is its nesting with aliases expanded.
func (c *nodeConverter) value(n *yaml.Node, depth int) (any, error) {
	if depth > MaxYAMLDepth {
		return nil, fmt.Errorf("line %d: YAML nested more than %d levels deep", n.Line, MaxYAMLDepth)
	}
	if err := c.count(n); err != nil {
		return nil, err
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.value(n.Content[0], depth)
	case yaml.AliasNode:
		target := n.Alias
		if target == nil {
			return nil, fmt.Errorf("line %d: alias *%s names no anchor", n.Line, n.Value)
		}
		if c.expanding[target] {
			return nil, fmt.Errorf("line %d: alias *%s refers to the node that contains it (a cycle)", n.Line, n.Value)
		}
		c.expanding[target] = true
		c.aliasDepth++
		v, err := c.value(target, depth)
		c.aliasDepth--
		delete(c.expanding, target)
		return v, err
	case yaml.SequenceNode:
		list := make([]any, 0, len(n.Content))
		for _, item := range n.Content {
			v, err := c.value(item, depth+1)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		return list, nil
	case yaml.MappingNode:
		return c.mapping(n, depth)
	case yaml.ScalarNode:
		return scalarValue(n)
	}
	return nil, fmt.Errorf("line %d: unsupported YAML node", n.Line)
}

// mapping converts a mapping node, honouring merge keys: `<<: *base` copies the entries of
// one mapping and `<<: [*a, *b]` of several, earlier ones first; the mapping's own keys
// win over merged ones, wherever they are written (YAML merge key type).
func (c *nodeConverter) mapping(n *yaml.Node, depth int) (any, error) {
	obj := make(map[string]any, len(n.Content)/2)
	merged := map[string]bool{} // keys that came from a merge, which an own key replaces
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := n.Content[i]
		if key.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("line %d: a mapping key must be a plain value", key.Line)
		}
		if key.Value == "<<" && key.Style == 0 && (key.Tag == "" || key.ShortTag() == "!!merge") {
			v, err := c.value(n.Content[i+1], depth+1)
			if err != nil {
				return nil, err
			}
			sources := []any{v}
			if list, ok := v.([]any); ok {
				sources = list
			}
			for _, source := range sources {
				m, ok := source.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("line %d: merge key << wants a mapping or a list of mappings", key.Line)
				}
				for k, mv := range m {
					if _, exists := obj[k]; !exists {
						obj[k] = mv
						merged[k] = true
					}
				}
			}
			continue
		}
		v, err := c.value(n.Content[i+1], depth+1)
		if err != nil {
			return nil, err
		}
		if _, exists := obj[key.Value]; exists && !merged[key.Value] {
			return nil, fmt.Errorf("line %d: mapping key %q is defined twice", key.Line, key.Value)
		}
		obj[key.Value] = v
		delete(merged, key.Value)
	}
	return obj, nil
}

func scalarValue(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		b, err := strconv.ParseBool(strings.ToLower(n.Value))
		if err != nil {
			return n.Value, nil
		}
		return b, nil
	case "!!int":
		if i, err := strconv.ParseInt(n.Value, 0, 64); err == nil {
			return json.Number(strconv.FormatInt(i, 10)), nil
		}
		return n.Value, nil
	case "!!float":
		if _, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return json.Number(n.Value), nil
		}
		return n.Value, nil
	}
	return n.Value, nil
}

// dedent removes the indentation shared by every non-blank, non-comment line. Documentation
// pages often quote gcloud output indented as a code block; YAML would read that as fine but
// a comment at column 0 before it confuses the block structure, so normalise it.
func dedent(data []byte) []byte {
	lines := strings.Split(string(data), "\n")
	common := -1
	for _, line := range lines {
		trimmed := strings.TrimLeft(line, " ")
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		indent := len(line) - len(trimmed)
		if common < 0 || indent < common {
			common = indent
		}
	}
	if common <= 0 {
		return data
	}
	for i, line := range lines {
		if len(line) >= common && strings.TrimSpace(line[:common]) == "" {
			lines[i] = line[common:]
		} else {
			lines[i] = strings.TrimLeft(line, " ")
		}
	}
	return []byte(strings.Join(lines, "\n"))
}

// looksLikeJSON reports whether the content starts like a JSON document. JSON is decoded by
// encoding/json, several times faster than a YAML parser on the large listings the APIs
// return.
func looksLikeJSON(data []byte) bool {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	return len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[')
}

// decodeJSON reads one or more concatenated JSON values, keeping numbers exact.
func decodeJSON(data []byte) ([]document, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var docs []document
	for {
		var value any
		err := dec.Decode(&value)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		docs = append(docs, document{value: value, line: 1})
	}
}
