package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/report"
)

// The CI gate: `check` reads what a pipeline is about to deploy (a service file, a Terraform
// plan) on top of the snapshot or live inventory, and writes one or more reports in the
// formats CI systems render natively. docs/ci.md is the user's guide to it.

// ciFlags are the flags check adds for CI: the inputs that describe the deploy and the
// report outputs.
func ciFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "service-file", Usage: "the Cloud Run service about to be deployed: a service.yaml (Knative) or Cloud Run v2 JSON; it replaces the snapshot's or live service"},
		&cli.StringFlag{Name: "terraform-plan", Usage: "the output of `terraform show -json PLAN`: what the plan creates or changes replaces the snapshot's or live resources"},
		&cli.StringSliceFlag{Name: "output", Usage: "FORMAT[=PATH], repeatable: a report in text, json, junit, sarif, github, markdown or html, to PATH or (without =PATH) to stdout; replaces --format"},
	}
}

// applyCIInputs puts the deploy described by --terraform-plan and --service-file into the
// inventory, before any check reads it. The plan goes first, so a service file (the most
// specific description of what is deployed) wins over the plan's service. A bad file is a
// one-line error naming it, exit 2.
func applyCIInputs(c *cli.Context, inv *inventory.Inventory) error {
	if path := c.String("terraform-plan"); path != "" {
		data, err := readInput(path, inventory.MaxPlanBytes)
		if err != nil {
			return err
		}
		// --timeout bounds reading the plan too (a plan is data from a pull request).
		ctx, cancel := context.WithTimeout(c.Context, planTimeout(c))
		err = inventory.ApplyPlanContext(ctx, inv, data, path)
		cancel()
		if err != nil {
			return inputError(err)
		}
	}
	if path := c.String("service-file"); path != "" {
		data, err := readInput(path, inventory.MaxFileBytes)
		if err != nil {
			return err
		}
		file := &inventory.Inventory{}
		if err := file.AddFile(path, data); err != nil {
			return inputError(err)
		}
		if len(file.Services) == 0 {
			return usage("%s: holds no Cloud Run service (give the service.yaml or Cloud Run v2 JSON you deploy)", path)
		}
		if len(file.Services) > 1 {
			return usage("%s: holds %d Cloud Run services; give the one you deploy", path, len(file.Services))
		}
		// The file is what will run: it replaces every service of the snapshot or live
		// inventory, so the check is about it without --service.
		inv.Services = file.Services
		inv.MarkListed(inventory.KindService)
		if inv.Sources == nil {
			inv.Sources = map[string]string{}
		}
		for name, source := range file.Sources {
			inv.Sources[name] = source
		}
	}
	return nil
}

// planTimeout is the bound on reading a plan: --timeout when it is positive, else the
// default.
func planTimeout(c *cli.Context) time.Duration {
	if d := c.Duration("timeout"); d > 0 {
		return d
	}
	return defaultLiveTimeout
}

// ciTarget marks the report target as a check of a deploy described by a file: results are
// then located on that file (SARIF locations, GitHub annotations). The service file is the
// more precise location when both are given.
func ciTarget(c *cli.Context, target *report.Target) {
	for _, flag := range []string{"service-file", "terraform-plan"} {
		if path := c.String(flag); path != "" {
			target.Source, target.Input = "plan", path
			return
		}
	}
}

// readInput reads a file named by a flag: a regular file of at most limit bytes, or a
// one-line usage error naming it (exit 2).
func readInput(path string, limit int64) ([]byte, error) {
	data, err := inventory.ReadInputFile(path, limit)
	if err != nil {
		return nil, inputError(err)
	}
	return data, nil
}

// outputSpec is one report to write: a format and where (path "" is stdout).
type outputSpec struct {
	format string
	path   string
	// color applies to the text format on stdout only: a file never gets ANSI codes.
	color bool
	// width and quiet shape the text format (width: the terminal's on stdout).
	width int
	quiet bool
}

// outputWriters are the buffered writers by format name; text is handled apart because it
// is the streamed reporter replayed.
var outputWriters = map[string]func(io.Writer, *report.Document) error{
	"json":     report.WriteJSON,
	"junit":    report.WriteJUnit,
	"sarif":    report.WriteSARIF,
	"github":   report.WriteGitHub,
	"markdown": report.WriteMarkdown,
	"html":     report.WriteHTML,
}

// outputFormats lists the formats --output accepts, for messages.
func outputFormats() string {
	names := []string{"text"}
	for name := range outputWriters {
		names = append(names, name)
	}
	sort.Strings(names[1:])
	return strings.Join(names, ", ")
}

// parseOutputs reads the repeatable --output FORMAT[=PATH] flag. Without it, it returns
// none: the report is then the one --format names, streamed to stdout as the checks run
// (checkInventory writes outputs only when there are some). At most one report may go to
// stdout (two formats interleaved there would be unreadable), and no two to the same file.
func parseOutputs(c *cli.Context) ([]outputSpec, error) {
	values := c.StringSlice("output")
	if len(values) == 0 {
		return nil, nil
	}
	color := c.String("color") == "always" ||
		(c.String("color") == "auto" && isTerminal(c.App.Writer) && os.Getenv("NO_COLOR") == "")
	if c.IsSet("format") {
		return nil, usage("--format and --output cannot be combined: use --output %s", c.String("format"))
	}
	var specs []outputSpec
	seen := map[string]bool{}
	for _, value := range values {
		format, path, hasPath := strings.Cut(strings.TrimSpace(value), "=")
		format = strings.ToLower(strings.TrimSpace(format))
		if _, ok := outputWriters[format]; !ok && format != "text" {
			return nil, usage("--output %s: unknown format %q (want one of %s, optionally =PATH)", value, format, outputFormats())
		}
		if hasPath && path == "" {
			return nil, usage("--output %s: empty path after '='", value)
		}
		key := path
		if !hasPath {
			key = "(stdout)"
		}
		if seen[key] {
			if !hasPath {
				return nil, usage("--output %s: only one report can go to stdout; give the others a path (FORMAT=PATH)", value)
			}
			return nil, usage("--output %s: two reports would be written to %s", value, path)
		}
		seen[key] = true
		spec := outputSpec{format: format, path: path, width: report.DefaultWidth, quiet: c.Bool("quiet")}
		if !hasPath {
			spec.color = color
			spec.width = textWidth(c.App.Writer)
		}
		specs = append(specs, spec)
	}
	return specs, nil
}

// writeOutputs writes every report of a run. Files are written whole or not at all from
// the reader's point of view: each is created (truncated) only once its report rendered.
func writeOutputs(specs []outputSpec, stdout io.Writer, doc *report.Document) error {
	for _, spec := range specs {
		var buf strings.Builder
		if err := renderOutput(&buf, spec, doc); err != nil {
			return cli.Exit(fmt.Sprintf("write %s report: %v", spec.format, err), exitUsage)
		}
		if spec.path == "" {
			if _, err := io.WriteString(stdout, buf.String()); err != nil {
				return cli.Exit("write report: "+err.Error(), exitUsage)
			}
			continue
		}
		if err := writeFile(spec.path, buf.String()); err != nil {
			return cli.Exit(fmt.Sprintf("--output %s=%s: %s", spec.format, spec.path, err), exitUsage)
		}
	}
	return nil
}

func renderOutput(w io.Writer, spec outputSpec, doc *report.Document) error {
	if spec.format == "text" {
		return report.WriteText(w, doc, report.TextOptions{Color: spec.color, Width: spec.width, Quiet: spec.quiet})
	}
	return outputWriters[spec.format](w, doc)
}

func writeFile(path, content string) error {
	f, err := os.Create(path)
	if err != nil {
		var pathErr *os.PathError
		if errors.As(err, &pathErr) {
			return pathErr.Err
		}
		return err
	}
	w := bufio.NewWriter(f)
	if _, err := w.WriteString(content); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
