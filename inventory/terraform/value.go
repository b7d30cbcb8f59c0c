package terraform

import (
	"encoding/json"
	"fmt"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// Plan values with their after_unknown and after_sensitive markers, and hiding what is
// sensitive before anything reads it.

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
func (t tfValue) hasSensitive() bool { return anyMarked(t.sensitive) }

// anyMarked reports whether a marker tree (after_unknown, after_sensitive: the value's
// shape, down to each marked part) marks anything: a true anywhere in it.
func anyMarked(marks any) bool {
	switch m := marks.(type) {
	case bool:
		return m
	case map[string]any:
		for _, x := range m {
			if anyMarked(x) {
				return true
			}
		}
	case []any:
		for _, x := range m {
			if anyMarked(x) {
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
			return inventory.RedactSensitive(name, value), true
		}
	}
	return "", false
}

// hasUnknown reports whether the value, or anything inside it, is unknown: after_unknown
// mirrors the value's shape down to each unknown part.
func (t tfValue) hasUnknown() bool { return anyMarked(t.unknown) }

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
