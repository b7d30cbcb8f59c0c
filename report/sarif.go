package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/vpcdoctor/vpcdoctor/finding"
)

// SARIF 2.1.0 (OASIS) is what GitHub code scanning and other code-review tools ingest. The
// structs below model only the part of the format vpcdoctor fills; the tests validate the
// output against the official schema (report/testdata/sarif-schema-2.1.0.json). A SARIF
// library was considered: the Go ones marshal required-looking zero values
// (artifactLocation.index 0, region.byteOffset 0, location.id 0) that point at artifacts we
// do not list or contradict the line numbers, so plain structs give a smaller, correct log.
//
// Mapping:
//   - one rule per entry of Document.Rules (the catalogue, passed in as data by the caller),
//     then one per check id a finding carries that the rules do not list (e.g. probes):
//     id, a PascalCase name, shortDescription = title, fullDescription = summary, help = the
//     explain text (else the summary, else the title: every rule has help text, which GitHub
//     shows on the alert), helpUri = the docs link;
//   - one result per finding that asks for attention: fail → level "error", warn →
//     "warning", error (the check could not be evaluated) → "note", so a gap in the input
//     shows up without posing as a defect. pass and skip produce no result: code-scanning
//     tools turn every result into an alert;
//   - an ignored finding keeps its result, with an external suppression ("--ignore"), which
//     is how SARIF says "suppressed outside the analysed artifact";
//   - every result has exactly one location, because GitHub code scanning rejects a whole
//     upload when a result has none ("expected at least one location") or has no artifact
//     URI. It is the file the finding's resource was read from (Finding.Source: a snapshot
//     file, the service file, the Terraform file that declares it) at Finding.Line (else
//     line 1); else, for a check of a deploy (Target.Source "plan"), Target.Input; else (live
//     APIs, built-in scenarios) a pseudo-location: the relative path
//     "gcp/" + the resource's full name (or the service's, or the project's), line 1. It is
//     stable across runs, names the Google Cloud resource, and meets GitHub's ingestion
//     rules (a relative URI and a start line); being no file of the repository, it gets no
//     source snippet. The resource's name is also the location's logicalLocation;
//   - partialFingerprints "vpcdoctorFinding/v1": a hash of check, service and resource, so
//     an alert is the same across runs whatever its wording or line.

// SARIFSchemaURI is the $schema a SARIF log names: the OASIS 2.1.0 schema (errata 01).
const SARIFSchemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

// toolInformationURI is where a SARIF viewer sends users who click on the tool's name.
const toolInformationURI = "https://github.com/vpcdoctor/vpcdoctor"

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool      `json:"tool"`
	Results    []sarifResult  `json:"results"`
	ColumnKind string         `json:"columnKind,omitempty"`
	Properties map[string]any `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string             `json:"id"`
	Name             string             `json:"name"`
	ShortDescription sarifText          `json:"shortDescription"`
	FullDescription  *sarifText         `json:"fullDescription,omitempty"`
	Help             *sarifHelp         `json:"help,omitempty"`
	HelpURI          string             `json:"helpUri,omitempty"`
	Properties       *sarifRuleProperty `json:"properties,omitempty"`
}

type sarifRuleProperty struct {
	Tags []string `json:"tags"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifHelp struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifResult struct {
	RuleID              string               `json:"ruleId"`
	RuleIndex           int                  `json:"ruleIndex"`
	Level               string               `json:"level"`
	Message             sarifText            `json:"message"`
	Locations           []sarifLocation      `json:"locations,omitempty"`
	PartialFingerprints map[string]string    `json:"partialFingerprints"`
	Suppressions        []sarifSuppression   `json:"suppressions,omitempty"`
	Properties          *sarifResultProperty `json:"properties,omitempty"`
}

type sarifResultProperty struct {
	Status      string   `json:"status"`
	Service     string   `json:"service,omitempty"`
	Resource    string   `json:"resource,omitempty"`
	Remediation string   `json:"remediation,omitempty"`
	Commands    []string `json:"commands,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
	LogicalLocations []sarifLogical        `json:"logicalLocations,omitempty"`
}

type sarifLogical struct {
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind,omitempty"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocator `json:"artifactLocation"`
	Region           *sarifRegion         `json:"region,omitempty"`
}

type sarifArtifactLocator struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification,omitempty"`
}

// srcRoot is the uriBaseId of paths relative to where vpcdoctor ran, which in CI is the
// repository checkout: the base GitHub code scanning resolves relative URIs against.
const srcRoot = "%SRCROOT%"

// WriteSARIF writes the document as a SARIF 2.1.0 log with one run.
func WriteSARIF(w io.Writer, doc *Document) error {
	rules, index := sarifRules(doc.Rules, doc.Findings)
	results := []sarifResult{}
	for _, f := range doc.Findings {
		level := sarifLevel(f.Status)
		if level == "" {
			continue
		}
		result := sarifResult{
			RuleID:    f.ID,
			RuleIndex: index[f.ID],
			Level:     level,
			Message:   sarifText{Text: sarifMessage(f)},
			// Identity across runs: the same check on the same service and resource is the same
			// alert, whatever its wording, so code scanning closes it when it is fixed.
			PartialFingerprints: map[string]string{"vpcdoctorFinding/v1": fingerprint(f.ID, f.Service, f.Resource)},
			Properties:          sarifProperties(f),
		}
		loc := sarifLocationFor(doc.Target, f)
		if f.Resource != "" {
			loc.LogicalLocations = []sarifLogical{{FullyQualifiedName: f.Resource, Kind: "resource"}}
		}
		result.Locations = []sarifLocation{loc}
		if f.Ignored {
			result.Suppressions = []sarifSuppression{{Kind: "external", Justification: "ignored with --ignore " + f.ID}}
		}
		results = append(results, result)
	}
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:           nonEmpty(doc.Tool.Name, "vpcdoctor"),
			Version:        doc.Tool.Version,
			InformationURI: toolInformationURI,
			Rules:          rules,
		}},
		Results:    results,
		ColumnKind: "unicodeCodePoints",
		Properties: sarifRunProperties(doc),
	}
	log := sarifLog{Schema: SARIFSchemaURI, Version: "2.1.0", Runs: []sarifRun{run}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(log)
}

// sarifLevel maps a status to a result level; "" means the status produces no result.
func sarifLevel(s finding.Status) string {
	return problemLevel(s, levels{fail: "error", warn: "warning", error: "note"})
}

// sarifRules lists one rule per given rule, in order, then one for any other check id the
// findings carry, and returns each id's index in the list.
func sarifRules(given []Rule, findings []finding.Finding) ([]sarifRule, map[string]int) {
	rules := []sarifRule{}
	index := map[string]int{}
	for _, r := range given {
		if _, ok := index[r.ID]; ok {
			continue
		}
		index[r.ID] = len(rules)
		rules = append(rules, sarifRuleFor(r))
	}
	for _, f := range findings {
		if _, ok := index[f.ID]; ok {
			continue
		}
		index[f.ID] = len(rules)
		rules = append(rules, sarifRuleFor(Rule{ID: f.ID, Hop: f.Hop, Title: f.Title, HelpURI: f.Docs}))
	}
	return rules, index
}

func sarifRuleFor(r Rule) sarifRule {
	rule := sarifRule{
		ID:               r.ID,
		Name:             pascalCase(r.ID),
		ShortDescription: sarifText{Text: nonEmpty(r.Title, r.ID)},
		HelpURI:          r.HelpURI,
		Properties:       &sarifRuleProperty{Tags: []string{"vpcdoctor", string(r.Hop)}},
	}
	if r.Summary != "" {
		rule.FullDescription = &sarifText{Text: sentence(r.Summary)}
	}
	switch {
	case r.Help != "":
		rule.Help = &sarifHelp{Text: r.Help, Markdown: r.Help}
	case r.Summary != "":
		rule.Help = &sarifHelp{Text: sentence(r.Summary)}
	default:
		help := sentence(nonEmpty(r.Title, r.ID))
		if r.HelpURI != "" {
			help += " See " + r.HelpURI
		}
		rule.Help = &sarifHelp{Text: help}
	}
	return rule
}

// sarifMessage is the result's message: the observation, the fix in one sentence, and the
// commands, since code-scanning alerts show the message but not custom properties.
func sarifMessage(f finding.Finding) string {
	var b strings.Builder
	b.WriteString(f.Message)
	if r := f.Remediation; r != nil {
		if r.Text != "" {
			b.WriteString("\n\nFix: " + r.Text)
		}
		for _, cmd := range r.Commands {
			b.WriteString("\n    " + cmd)
		}
	}
	return b.String()
}

func sarifProperties(f finding.Finding) *sarifResultProperty {
	p := &sarifResultProperty{Status: string(f.Status), Service: f.Service, Resource: f.Resource}
	if r := f.Remediation; r != nil {
		p.Remediation = r.Text
		p.Commands = r.Commands
	}
	return p
}

func sarifRunProperties(doc *Document) map[string]any {
	props := map[string]any{"summary": doc.Summary}
	t := doc.Target
	for key, value := range map[string]string{"project": t.Project, "region": t.Region, "redis": t.Redis, "source": t.Source} {
		if value != "" {
			props[key] = value
		}
	}
	if len(t.Services) > 0 {
		props["services"] = t.Services
	}
	return props
}

// findingFile is the file a finding is reported on: the one its resource was read from;
// else, for a check of a deploy (a plan or a service file), that input; else none.
func findingFile(t Target, f finding.Finding) string {
	if f.Source != "" {
		return f.Source
	}
	if t.Source == "plan" {
		return t.Input
	}
	return ""
}

// PseudoLocationPrefix starts the relative path of a result that is on no file (live
// mode, built-in scenarios): the rest is a Google Cloud resource name.
const PseudoLocationPrefix = "gcp/"

// sarifLocationFor is the one location of a finding's result: its file and line, else the
// deploy input, else the pseudo-location of its resource.
func sarifLocationFor(t Target, f finding.Finding) sarifLocation {
	if file := findingFile(t, f); file != "" {
		line := 1
		if f.Source != "" && f.Line > 0 {
			line = f.Line
		}
		return sarifLocation{PhysicalLocation: sarifPhysicalLocation{
			ArtifactLocation: artifactFor(file),
			Region:           &sarifRegion{StartLine: line},
		}}
	}
	return sarifLocation{PhysicalLocation: sarifPhysicalLocation{
		ArtifactLocation: sarifArtifactLocator{URI: (&url.URL{Path: pseudoPath(t, f)}).String()},
		Region:           &sarifRegion{StartLine: 1},
	}}
}

// pseudoPath is the stable stand-in path of a finding on no file: gcp/ and the resource's
// full name; else the service's; else the project's; else the check's id.
func pseudoPath(t Target, f finding.Finding) string {
	name := strings.Trim(f.Resource, "/")
	switch {
	case name != "":
	case f.Service != "" && t.Project != "" && t.Region != "":
		name = "projects/" + t.Project + "/locations/" + t.Region + "/services/" + f.Service
	case t.Project != "":
		name = "projects/" + t.Project
	default:
		name = "checks/" + f.ID
	}
	// A resource name is made of URL-safe segments; anything else (a host:port probed) is
	// kept readable but cannot climb out of the prefix.
	name = strings.ReplaceAll(name, "..", "_")
	name = strings.ReplaceAll(name, ":", "_")
	return PseudoLocationPrefix + name
}

// artifactFor turns a file path into a SARIF artifact location: a relative URI against
// %SRCROOT% for a relative path, a file URI for an absolute one.
func artifactFor(path string) sarifArtifactLocator {
	slashed := filepath.ToSlash(filepath.Clean(path))
	if filepath.IsAbs(path) {
		return sarifArtifactLocator{URI: (&url.URL{Scheme: "file", Path: slashed}).String()}
	}
	slashed = strings.TrimPrefix(slashed, "./")
	return sarifArtifactLocator{URI: (&url.URL{Path: slashed}).String(), URIBaseID: srcRoot}
}

func fingerprint(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:16])
}

// pascalCase makes the SARIF rule name from a check id: "connector.found" → "ConnectorFound".
// The SARIF spec asks for a single Pascal-cased word.
func pascalCase(id string) string {
	var b strings.Builder
	upper := true
	for _, r := range id {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			upper = true
			continue
		}
		if upper {
			r = unicode.ToUpper(r)
			upper = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// sentence ends a summary with a full stop: SARIF descriptions are sentences.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r) + "."
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
