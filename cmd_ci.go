package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/vpcdoctor/vpcdoctor/internal/sanitize"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/snapshot"
	"github.com/vpcdoctor/vpcdoctor/inventory/terraform"
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
		&cli.StringSliceFlag{Name: "output", Usage: "FORMAT[=PATH], repeatable: a report in " + report.FormatNames() + ", to PATH or (without =PATH) to stdout, where only text and github can share; replaces --format"},
	}
}

// applyCIInputs puts the deploy described by --terraform-plan and --service-file into the
// inventory, before any check reads it. The plan goes first, so a service file (the most
// specific description of what is deployed) wins over the plan's service. A bad file is a
// one-line error naming it, exit 2.
func applyCIInputs(c *cli.Context, inv *inventory.Inventory) error {
	if path := c.String("terraform-plan"); path != "" {
		data, err := readInput(path, terraform.MaxPlanBytes)
		if err != nil {
			return err
		}
		// --timeout bounds reading the plan too (a plan is data from a pull request).
		ctx, cancel := context.WithTimeout(c.Context, planTimeout(c))
		err = terraform.ApplyPlanContext(ctx, inv, data, path)
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
		if err := snapshot.AddFile(file, path, data); err != nil {
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

// parseOutputs reads the repeatable --output FORMAT[=PATH] flag. Without it, it returns
// none: the report is then the one --format names, streamed to stdout as the checks run
// (checkInventory writes outputs only when there are some).
//
// Several reports may go to stdout when they are all line-oriented logs (text and github,
// as golangci-lint does): a GitHub job then has the human report and the annotations in one
// log. A document format (json, sarif, junit, ...) must be alone on stdout, or what reads
// it (`> report.json`) would get two documents; it takes a path instead. No two reports may
// go to the same file.
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
	var toStdout []string
	documentOnStdout := ""
	for _, value := range values {
		format, path, hasPath := strings.Cut(strings.TrimSpace(value), "=")
		format = strings.ToLower(strings.TrimSpace(format))
		registered, ok := report.LookupFormat(format)
		if !ok {
			return nil, usage("--output %s: unknown format %q%s (want one of %s, optionally =PATH)", value, format, didYouMean(format, formatNames()), report.FormatNames())
		}
		if hasPath && path == "" {
			return nil, usage("--output %s: empty path after '='", value)
		}
		if !hasPath {
			toStdout = append(toStdout, format)
			if seen["stdout:"+format] {
				return nil, usage("--output %s: that report already goes to stdout", value)
			}
			seen["stdout:"+format] = true
			if !registered.Stream {
				documentOnStdout = format
			}
			if documentOnStdout != "" && len(toStdout) > 1 {
				return nil, usage("--output %s: only text and github can share stdout; give %s a path (%s=PATH)", value, documentOnStdout, documentOnStdout)
			}
		} else {
			if seen[path] {
				return nil, usage("--output %s: two reports would be written to %s", value, path)
			}
			seen[path] = true
			// Refused before any check runs, so that a path that cannot take the report is
			// a usage error with nothing on stdout, not a failure after the text report.
			if err := checkOutputPath(path); err != nil {
				return nil, usage("--output %s: %s", value, err)
			}
		}
		spec := outputSpec{format: format, path: path, width: report.DefaultWidth, quiet: c.Bool("quiet")}
		if !hasPath {
			spec.color = color
			spec.width = textWidth(c.App.Writer)
		}
		specs = append(specs, spec)
	}
	return specs, nil
}

func formatNames() []string {
	var names []string
	for _, f := range report.Formats() {
		names = append(names, f.Name)
	}
	return names
}

// streamedText takes the text report to stdout out of specs: it streams as the checks run,
// before the other reports, which are written once every finding is known.
func streamedText(specs []outputSpec) (rest []outputSpec, streamed bool, color bool) {
	for _, spec := range specs {
		if spec.format == "text" && spec.path == "" {
			streamed, color = true, spec.color
			continue
		}
		rest = append(rest, spec)
	}
	return rest, streamed, color
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
	format, ok := report.LookupFormat(spec.format)
	if !ok {
		return fmt.Errorf("unknown format %q", spec.format)
	}
	return format.Write(w, doc)
}

// checkOutputPath says why a report cannot be written to path: it is a symbolic link (never
// written through; see writeFile), a directory, or in a directory that does not exist.
func checkOutputPath(path string) error {
	info, err := os.Lstat(path)
	switch {
	case err == nil && info.Mode()&fs.ModeSymlink != 0:
		return errors.New("is a symbolic link; reports are never written through one (remove it, or name another file)")
	case err == nil && info.IsDir():
		return errors.New("is a directory")
	case err == nil:
		return nil
	}
	if dir, err := os.Stat(filepath.Dir(path)); err != nil || !dir.IsDir() {
		return errors.New("no such directory: " + sanitize.Line(filepath.Dir(path)))
	}
	return nil
}

// writeFile writes a report file whole, truncating it; except GitHub's job summary file
// ($GITHUB_STEP_SUMMARY), which it appends to, as GitHub asks of every writer of that file,
// so that a summary written earlier in the step is kept.
//
// It never writes through a symbolic link: in CI the working tree is a pull request's, and
// a link committed under the report's name (vpcdoctor.sarif -> ~/.bashrc) would otherwise
// have the gate overwrite whatever it points at. The Lstat refuses the link with a clear
// message; openNoFollow closes the window between that check and the open where the
// platform has O_NOFOLLOW.
func writeFile(path, content string) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if summary := os.Getenv("GITHUB_STEP_SUMMARY"); summary != "" && filepath.Clean(summary) == filepath.Clean(path) {
		flags = os.O_WRONLY | os.O_CREATE | os.O_APPEND
	}
	if err := checkOutputPath(path); err != nil {
		return err
	}
	f, err := os.OpenFile(path, flags|openNoFollow, 0o644)
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
