// Package sariftest checks a SARIF log the way its consumers do: against the OASIS SARIF
// 2.1.0 schema, and against the rules GitHub code scanning applies when it ingests an upload
// (the "GitHub ingestion" rules of the SARIF validator, GH1001-GH1005, and what the upload
// itself rejects). Tests of the report package and of the CLI share it.
package sariftest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Schema compiles the SARIF 2.1.0 schema at path (report/testdata/sarif-schema-2.1.0.json).
func Schema(path string) (*jsonschema.Schema, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read SARIF schema: %w", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("parse SARIF schema: %w", err)
	}
	compiler := jsonschema.NewCompiler()
	compiler.AssertFormat() // the schema uses "format": "uri" and friends; hold the log to them
	if err := compiler.AddResource("sarif-schema-2.1.0.json", doc); err != nil {
		return nil, fmt.Errorf("add SARIF schema: %w", err)
	}
	schema, err := compiler.Compile("sarif-schema-2.1.0.json")
	if err != nil {
		return nil, fmt.Errorf("compile SARIF schema: %w", err)
	}
	return schema, nil
}

// log is the part of a SARIF log GitHub's ingestion rules read.
type log struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Name  string
				Rules []struct {
					ID               string
					ShortDescription *struct{ Text string }
					Help             *struct{ Text string }
				}
			}
		}
		Results []struct {
			RuleID    string
			RuleIndex *int
			Message   struct{ Text string }
			Locations []struct {
				PhysicalLocation *struct {
					ArtifactLocation *struct{ URI string }
					Region           *struct{ StartLine int }
				}
			}
			PartialFingerprints map[string]string
		}
	}
}

// Check validates data against the schema (when not nil) and GitHub's ingestion rules, and
// returns every problem found.
func Check(data []byte, schema *jsonschema.Schema) []error {
	var errs []error
	if schema != nil {
		instance, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return []error{fmt.Errorf("not JSON: %w", err)}
		}
		if err := schema.Validate(instance); err != nil {
			errs = append(errs, fmt.Errorf("SARIF schema: %w", err))
		}
	}
	var l log
	if err := json.Unmarshal(data, &l); err != nil {
		return append(errs, fmt.Errorf("not a SARIF log: %w", err))
	}
	if len(l.Runs) == 0 {
		errs = append(errs, fmt.Errorf("no run"))
	}
	for r, run := range l.Runs {
		rules := map[string]bool{}
		for _, rule := range run.Tool.Driver.Rules {
			rules[rule.ID] = true
			if rule.ShortDescription == nil || rule.ShortDescription.Text == "" {
				errs = append(errs, fmt.Errorf("run %d rule %s: no shortDescription", r, rule.ID))
			}
			if rule.Help == nil || rule.Help.Text == "" {
				errs = append(errs, fmt.Errorf("run %d rule %s: no help text", r, rule.ID))
			}
		}
		for i, res := range run.Results {
			where := fmt.Sprintf("run %d result %d (%s)", r, i, res.RuleID)
			if res.RuleID == "" || !rules[res.RuleID] {
				errs = append(errs, fmt.Errorf("%s: ruleId names no rule of the driver", where))
			}
			if res.RuleIndex != nil && (*res.RuleIndex < 0 || *res.RuleIndex >= len(run.Tool.Driver.Rules) || run.Tool.Driver.Rules[*res.RuleIndex].ID != res.RuleID) {
				errs = append(errs, fmt.Errorf("%s: ruleIndex does not point at its rule", where))
			}
			if res.Message.Text == "" {
				errs = append(errs, fmt.Errorf("%s: empty message", where))
			}
			if len(res.PartialFingerprints) == 0 {
				errs = append(errs, fmt.Errorf("%s: no partialFingerprints", where))
			}
			// GH1001 and the upload's "expected at least one location".
			if len(res.Locations) == 0 {
				errs = append(errs, fmt.Errorf("%s: no location", where))
			}
			for j, loc := range res.Locations {
				at := fmt.Sprintf("%s location %d", where, j)
				if loc.PhysicalLocation == nil || loc.PhysicalLocation.ArtifactLocation == nil || loc.PhysicalLocation.ArtifactLocation.URI == "" {
					errs = append(errs, fmt.Errorf("%s: no physicalLocation.artifactLocation.uri", at))
					continue
				}
				// GH1003: a region with a startLine.
				if loc.PhysicalLocation.Region == nil || loc.PhysicalLocation.Region.StartLine < 1 {
					errs = append(errs, fmt.Errorf("%s: no region.startLine", at))
				}
				// GH1005: a relative URI or a file: URI.
				u, err := url.Parse(loc.PhysicalLocation.ArtifactLocation.URI)
				if err != nil {
					errs = append(errs, fmt.Errorf("%s: uri: %w", at, err))
				} else if u.IsAbs() && u.Scheme != "file" {
					errs = append(errs, fmt.Errorf("%s: uri %q is not a file path", at, u))
				}
			}
		}
	}
	return errs
}
