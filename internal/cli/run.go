package cli

import (
	"io"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/finding"
	"github.com/vpcdoctor/vpcdoctor/internal/sanitize"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/report"
)

// checkInventory selects the paths, runs the catalogue on each and reports. It returns the
// exit status as a cli.ExitCoder (nil for 0).
func (prog program) checkInventory(stdout io.Writer, inv *inventory.Inventory, sel inventory.Selector, target report.Target, opts outputOptions, probing *probeSettings) error {
	paths, err := inventory.Select(inv, sel)
	if err != nil {
		return inputError(err)
	}
	if len(paths) == 0 {
		return usage("no Cloud Run service in %s has VPC egress or a Redis-looking env; name one with --service", sel.Region)
	}
	fillTarget(&target, paths)
	findings := prog.runPaths(stdout, paths, target, opts, probing)
	locateFindings(findings, opts.terraformPlan)
	shapes := make([]finding.PathShape, 0, len(paths))
	for _, p := range paths {
		shapes = append(shapes, checks.ShapeOf(p))
	}
	return prog.finishReport(stdout, findings, shapes, target, opts)
}

// finishReport writes the buffered reports (the --output list, or the --format report
// when it is not the streamed text) once every finding is known, and returns the exit
// status of the findings. Text has streamed already.
func (prog program) finishReport(stdout io.Writer, findings []checks.Finding, shapes []finding.PathShape, target report.Target, opts outputOptions) error {
	doc := prog.newDocument(target, findings, opts.failOn)
	doc.Paths = shapes
	switch {
	case len(opts.outputs) > 0:
		if err := writeOutputs(opts.outputs, stdout, doc); err != nil {
			return err
		}
	case opts.format != "" && opts.format != "text":
		if err := writeOutputs([]outputSpec{{format: opts.format}}, stdout, doc); err != nil {
			return err
		}
	}
	if doc.ExitCode != exitOK {
		return cli.Exit("", doc.ExitCode)
	}
	return nil
}

// newDocument is the report of a run: the findings, the gate's outcome, when it was made,
// this build, and the catalogue's rules for the formats that list them.
func (prog program) newDocument(target report.Target, findings []checks.Finding, failOn checks.Status) *report.Document {
	doc := report.NewDocument(toolInfo(), target, findings)
	doc.SetGate(failOn)
	doc.SetGeneratedAt(time.Now())
	doc.Rules = prog.rules()
	return doc
}

// rules describes every check of the catalogue for the reports: rules arrive in the
// report package as data.
func (prog program) rules() []report.Rule {
	var rules []report.Rule
	for _, c := range prog.catalogue {
		rules = append(rules, report.Rule{ID: c.ID, Hop: c.Hop, Title: c.Title, Summary: c.Summary,
			Help: checks.Explain(c.ID), HelpURI: checks.DocsBase + "#" + checks.Anchor(c.ID)})
	}
	return rules
}

// runPaths runs the catalogue over every path, streaming text as findings arrive.
func (prog program) runPaths(stdout io.Writer, paths []*inventory.Path, target report.Target, opts outputOptions, probing *probeSettings) []checks.Finding {
	var text *report.Text
	if opts.format == "text" {
		text = report.NewTextWith(stdout, opts.textOptions())
		text.Begin(target)
	}
	var all []checks.Finding
	var current *inventory.Path
	observe := func(f checks.Finding) {
		if opts.ignore[f.ID] {
			f.Ignored = true
		}
		f.Source = sanitize.Line(findingSource(current, target, f))
		if text != nil {
			text.Finding(f)
		}
	}
	for _, path := range paths {
		current = path
		if text != nil {
			text.Path(checks.ShapeOf(path))
		}
		found := checks.Run(prog.catalogue, path, observe)
		if probing != nil {
			found = append(found, probePath(path, probing, observe)...)
		}
		for i := range found {
			found[i].Source = sanitize.Line(findingSource(path, target, found[i]))
		}
		all = append(all, found...)
	}
	for i := range all {
		all[i].Ignored = opts.ignore[all[i].ID]
	}
	if text != nil {
		text.End()
	}
	return all
}

// findingSource is the input file a finding's resource was read from, for reports that
// point at files (SARIF locations, GitHub annotations). Sources is keyed by canonical name,
// which is what findings carry, except for a service read from gcloud's Knative output or a
// service.yaml: that one is keyed by its own name, whose project is a number. The demo's
// scenarios are embedded in the binary: no file to point at.
func findingSource(path *inventory.Path, target report.Target, f checks.Finding) string {
	if path == nil || f.Resource == "" || target.Source == "demo" {
		return ""
	}
	if source := path.Inv.Sources[f.Resource]; source != "" {
		return source
	}
	if f.Resource == path.ServiceRef.String() {
		return path.Inv.Sources[path.Service.GetName()]
	}
	return ""
}

func fillTarget(target *report.Target, paths []*inventory.Path) {
	var redis []string
	for _, p := range paths {
		target.Services = append(target.Services, p.ServiceRef.Name)
		if target.Project == "" {
			target.Project = p.Project()
		}
		if target.Region == "" {
			target.Region = p.Region()
		}
		if p.RedisRef.Name != "" {
			redis = append(redis, p.RedisRef.Name)
		}
	}
	if len(redis) > 0 {
		target.Redis = strings.Join(dedupe(redis), ",")
	}
	// The names come from input, like the findings' strings: one printable line each.
	target.Project, target.Region, target.Redis, target.Input = sanitize.Line(target.Project), sanitize.Line(target.Region), sanitize.Line(target.Redis), sanitize.Line(target.Input)
	for i, name := range target.Services {
		target.Services[i] = sanitize.Line(name)
	}
}

func dedupe(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// exitCode applies the contract: 1 when a finding not ignored is at or above failOn;
// otherwise 3 when something could not be evaluated; otherwise 0 (report.Gate, which the
// JSON report's outcome and exitCode come from too).
func exitCode(findings []checks.Finding, failOn checks.Status) int {
	_, code := report.Gate(findings, failOn)
	return code
}
