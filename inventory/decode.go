package inventory

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
	if looksLikeJSON(data) {
		if docs, err := decodeJSON(data); err == nil {
			return docs, nil
		}
		// Not valid JSON after all (YAML flow style also starts with "{"): let YAML try.
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []document
	for {
		var node yaml.Node
		err := dec.Decode(&node)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "yaml: "))
		}
		value, err := nodeValue(&node)
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

// nodeValue converts a YAML node into the values encoding/json produces.
func nodeValue(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return nodeValue(n.Content[0])
	case yaml.AliasNode:
		return nodeValue(n.Alias)
	case yaml.SequenceNode:
		list := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := nodeValue(c)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		return list, nil
	case yaml.MappingNode:
		obj := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i]
			if key.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: a mapping key must be a plain value", key.Line)
			}
			if key.Value == "<<" { // merge key: copy the referenced mapping's entries
				v, err := nodeValue(n.Content[i+1])
				if err != nil {
					return nil, err
				}
				if m, ok := v.(map[string]any); ok {
					for k, mv := range m {
						if _, exists := obj[k]; !exists {
							obj[k] = mv
						}
					}
				}
				continue
			}
			v, err := nodeValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			obj[key.Value] = v
		}
		return obj, nil
	case yaml.ScalarNode:
		return scalarValue(n)
	}
	return nil, fmt.Errorf("line %d: unsupported YAML node", n.Line)
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
