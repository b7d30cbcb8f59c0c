package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/finding"
	"github.com/vpcdoctor/vpcdoctor/fixtures"
	"github.com/vpcdoctor/vpcdoctor/internal/sanitize"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/probe"
	"github.com/vpcdoctor/vpcdoctor/report"
)

func selectorFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "service", Usage: "Cloud Run service to check (short or full name); required when there are several"},
		&cli.StringFlag{Name: "redis", Usage: "Memorystore for Redis instance the service should reach (default: the one its env points at)"},
		&cli.StringFlag{Name: "region", Usage: "the service's region (required for a service.yaml that was never deployed)"},
		&cli.StringFlag{Name: "project", Usage: "the service's project"},
		&cli.StringFlag{Name: "connector", Usage: "check this connector instead of the service's own (what-if)"},
		&cli.BoolFlag{Name: "all", Usage: "with --from: check every service (of --region, if given) that has VPC egress or a Redis-looking env, in one report, as a live run without --service does"},
	}
}

func selectorFrom(c *cli.Context) inventory.Selector {
	return inventory.Selector{
		Project:   c.String("project"),
		Region:    c.String("region"),
		Service:   c.String("service"),
		Redis:     c.String("redis"),
		Connector: c.String("connector"),
		All:       c.Bool("all") && c.String("service") == "",
	}
}

func checkCommand() *cli.Command {
	return &cli.Command{
		Name:  "check",
		Usage: "check the path from a Cloud Run service to its Redis instance",
		UsageText: "vpcdoctor check --from DIR [--service NAME] [--redis NAME] [--region R] [--format FORMAT | --output FORMAT[=PATH]...] [--color auto|always|never] [--fail-on fail|warn]\n" +
			"vpcdoctor check --project P --region R [--service S] [--redis I] [--connector C] [--timeout 30s]   (live, Application Default Credentials)",
		Flags: append(append(append(append([]cli.Flag{
			&cli.StringFlag{Name: "from", Usage: "snapshot directory: gcloud describe/list output, YAML or JSON, any file names (without it: the live APIs)"},
			&cli.DurationFlag{Name: "timeout", Value: defaultLiveTimeout, Usage: "bound on the whole live run, and on the probe's run with --probe"},
		}, selectorFlags()...), outputFlags()...), probeCheckFlags()...), ciFlags()...),
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usage("check takes no arguments (got %q); use --service / --redis", c.Args().First())
			}
			opts, err := parseOutputOptions(c, c.App.Writer)
			if err != nil {
				return err
			}
			if opts.outputs, err = parseOutputs(c); err != nil {
				return err
			}
			if c.IsSet("output") {
				opts.format = ""
				var streamed bool
				if opts.outputs, streamed, opts.color = streamedText(opts.outputs); streamed {
					opts.format = "text"
				}
			}
			opts.terraformPlan = c.String("terraform-plan")
			probing, err := probeSettingsFrom(c)
			if err != nil {
				return err
			}
			sel := selectorFrom(c)
			var inv *inventory.Inventory
			var target report.Target
			if dir := c.String("from"); dir != "" {
				if inv, err = inventory.LoadDir(dir); err != nil {
					return inputError(err)
				}
				target = report.Target{Source: "snapshot", Input: dir}
			} else {
				if c.Duration("timeout") <= 0 {
					return usage("--timeout must be positive, e.g. 30s")
				}
				live, err := liveOptionsFrom(c)
				if err != nil {
					return err
				}
				if inv, err = inventory.LoadLive(c.Context, live); err != nil {
					return liveError(err)
				}
				sel.Project, sel.Region = live.Project, live.Region
				sel.All = sel.Service == ""
				target = report.Target{Source: "live"}
			}
			if err := applyCIInputs(c, inv); err != nil {
				return err
			}
			ciTarget(c, &target)
			return checkInventory(c.App.Writer, inv, sel, target, opts, probing)
		},
	}
}

func demoCommand() *cli.Command {
	return &cli.Command{
		Name:      "demo",
		Usage:     "run check on a built-in scenario (lists the scenarios without one)",
		UsageText: "vpcdoctor demo [SCENARIO] [--format FORMAT] [--color ...] [--fail-on ...]",
		Flags:     outputFlags(),
		Action: func(c *cli.Context) error {
			if !c.Args().Present() {
				listScenarios(c.App.Writer)
				return nil
			}
			if c.NArg() > 1 {
				return usage("demo takes one scenario name, got %d arguments", c.NArg())
			}
			name := c.Args().First()
			scenario, ok := fixtures.Lookup(name)
			if !ok {
				return usage("no scenario %q; run `vpcdoctor demo` to list them", name)
			}
			opts, err := parseOutputOptions(c, c.App.Writer)
			if err != nil {
				return err
			}
			inv, err := inventory.LoadFS(scenario.FS, "demo/"+name)
			if err != nil {
				return inputError(err)
			}
			return checkInventory(c.App.Writer, inv, inventory.Selector{}, report.Target{Source: "demo", Input: name}, opts, nil)
		},
	}
}

func listScenarios(w io.Writer) {
	fmt.Fprintln(w, "Built-in scenarios (run one with `vpcdoctor demo NAME`):")
	for _, s := range fixtures.Scenarios() {
		fmt.Fprintf(w, "  %-26s %s\n", s.Name, s.Description)
	}
}

// checkInventory selects the paths, runs the catalogue on each and reports. It returns the
// exit status as a cli.ExitCoder (nil for 0).
func checkInventory(stdout io.Writer, inv *inventory.Inventory, sel inventory.Selector, target report.Target, opts outputOptions, probing *probeSettings) error {
	paths, err := inventory.Select(inv, sel)
	if err != nil {
		return inputError(err)
	}
	if len(paths) == 0 {
		return usage("no Cloud Run service in %s has VPC egress or a Redis-looking env; name one with --service", sel.Region)
	}
	fillTarget(&target, paths)
	findings := runPaths(stdout, paths, target, opts, probing)
	locateFindings(findings, opts.terraformPlan)
	shapes := make([]finding.PathShape, 0, len(paths))
	for _, p := range paths {
		shapes = append(shapes, checks.ShapeOf(p))
	}
	return finishReport(stdout, findings, shapes, target, opts)
}

// finishReport writes the buffered reports (the --output list, or the --format report
// when it is not the streamed text) once every finding is known, and returns the exit
// status of the findings. Text has streamed already.
func finishReport(stdout io.Writer, findings []checks.Finding, shapes []finding.PathShape, target report.Target, opts outputOptions) error {
	doc := newDocument(target, findings, opts.failOn)
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
func newDocument(target report.Target, findings []checks.Finding, failOn checks.Status) *report.Document {
	doc := report.NewDocument(toolInfo(), target, findings)
	doc.SetGate(failOn)
	doc.SetGeneratedAt(time.Now())
	doc.Rules = catalogueRules()
	return doc
}

// catalogueRules describes every check of the catalogue for the reports: rules arrive in
// the report package as data.
func catalogueRules() []report.Rule {
	var rules []report.Rule
	for _, c := range checks.Catalogue() {
		rules = append(rules, report.Rule{ID: c.ID, Hop: c.Hop, Title: c.Title, Summary: c.Summary,
			Help: checks.Explain(c.ID), HelpURI: checks.DocsBase + "#" + checks.Anchor(c.ID)})
	}
	return rules
}

// runPaths runs the catalogue over every path, streaming text as findings arrive.
func runPaths(stdout io.Writer, paths []*inventory.Path, target report.Target, opts outputOptions, probing *probeSettings) []checks.Finding {
	var text *report.Text
	if opts.format == "text" {
		text = report.NewTextWith(stdout, opts.textOptions())
		text.Begin(target)
	}
	catalogue := checks.Catalogue()
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
		found := checks.Run(catalogue, path, observe)
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

func catalogueCommand() *cli.Command {
	return &cli.Command{
		Name:  "checks",
		Usage: "list the check catalogue",
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usage("checks takes no arguments (to explain one check: vpcdoctor explain %s)", sanitize.Shell(c.Args().First()))
			}
			w := c.App.Writer
			catalogue := checks.Catalogue()
			for _, hop := range checks.Hops {
				first := true
				for _, check := range catalogue {
					if check.Hop != hop {
						continue
					}
					if first {
						fmt.Fprintf(w, "%s\n", checks.HopTitle(hop))
						first = false
					}
					fmt.Fprintf(w, "  %-24s %s: %s\n", check.ID, check.Title, check.Summary)
				}
			}
			return nil
		},
	}
}

func explainCommand() *cli.Command {
	return &cli.Command{
		Name:      "explain",
		Usage:     "explain what a check verifies and how to fix it",
		UsageText: "vpcdoctor explain ID",
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usage("explain takes one check ID (see `vpcdoctor checks`)")
			}
			id := c.Args().First()
			if title, ok := probe.StepTitle(id); ok {
				fmt.Fprintf(c.App.Writer, "%s — %s\n\n%s\n", id, title, probeExplanation)
				return nil
			}
			check, ok := checks.Lookup(checks.Catalogue(), id)
			if !ok {
				return usage("no check %q%s", id, suggestIDs(id))
			}
			fmt.Fprintf(c.App.Writer, "%s — %s\n\n%s\n", check.ID, check.Title, checks.Explain(check.ID))
			return nil
		},
	}
}

// probeExplanation is what `explain` says of a probe step: the steps share one document,
// organised by failure cause.
const probeExplanation = `A data-plane probe step (vpcdoctor probe, vpcdoctor check --probe): it connects to Redis
from where vpcdoctor runs, on one connection, in the order probe.tcp, probe.tls, probe.auth,
probe.ping, probe.latency; a failed step skips the later ones. Every failure carries a cause
code (the anchor of the finding's docs link) with the exact error strings, why it happens,
the configuration check that usually explains it, and the fix; how to run the probe as a
Cloud Run job on the service's connector is in the same document:
https://github.com/vpcdoctor/vpcdoctor/blob/main/docs/probe.md`

// suggestIDs lists catalogue IDs close to a mistyped one.
func suggestIDs(id string) string {
	var close []string
	for _, check := range checks.Catalogue() {
		if strings.Contains(check.ID, id) || strings.Contains(id, check.ID) || editDistance(id, check.ID) <= 3 ||
			strings.SplitN(check.ID, ".", 2)[0] == strings.SplitN(id, ".", 2)[0] {
			close = append(close, check.ID)
		}
	}
	if len(close) == 0 {
		return "; see `vpcdoctor checks`"
	}
	return "; did you mean: " + strings.Join(close, ", ")
}

// editDistance is the Levenshtein distance between two short strings.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// renderProbe reports the probe's findings, which arrive all at once, in the format the
// output flags ask for, and returns the exit status.
func renderProbe(c *cli.Context, findings []checks.Finding, address string) error {
	opts, err := parseOutputOptions(c, c.App.Writer)
	if err != nil {
		return err
	}
	target := report.Target{Source: "probe", Input: address}
	for i := range findings {
		findings[i].Ignored = opts.ignore[findings[i].ID]
	}
	if opts.format == "text" {
		doc := report.NewDocument(report.Tool{Name: "vpcdoctor", Version: toolVersion()}, target, findings)
		if err := report.WriteText(c.App.Writer, doc, opts.textOptions()); err != nil {
			return cli.Exit("write report: "+err.Error(), exitUsage)
		}
	}
	return finishReport(c.App.Writer, findings, nil, target, opts)
}
