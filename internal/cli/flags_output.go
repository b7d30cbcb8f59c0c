package cli

import (
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/mattn/go-isatty"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/report"
)

// outputFlags are shared by every command that prints findings: check, demo and probe.
func outputFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "format", Value: "text", Usage: "the report on stdout: " + report.FormatNames() + " (text streams as checks finish; --output writes several)"},
		&cli.StringFlag{Name: "color", Value: "auto", Usage: "color the text report: auto, always or never (auto: only on a terminal, never with NO_COLOR)"},
		&cli.StringFlag{Name: "fail-on", Value: "fail", Usage: "exit 1 when a finding is at or above this status: fail or warn"},
		&cli.StringSliceFlag{Name: "ignore", Usage: "check IDs to ignore: reported, marked ignored, not counted for the exit code (repeatable or comma-separated)"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "text report: only the verdict, the path and what did not pass"},
	}
}

// outputListFlag is --output, which check adds to the output flags: several reports, to
// files or to stdout, in place of --format.
func outputListFlag() cli.Flag {
	return &cli.StringSliceFlag{Name: "output", Usage: "FORMAT[=PATH], repeatable: a report in " + report.FormatNames() + ", to PATH or (without =PATH) to stdout, where only text and github can share; replaces --format"}
}

// outputOptions are the validated output flags.
type outputOptions struct {
	// format is the one report streamed or written to stdout; "" when --output lists the
	// reports instead and none of them is text on stdout (then nothing streams and every
	// report is written at the end).
	format string
	// outputs are the reports --output asks for, but the text on stdout, which streams.
	outputs []outputSpec
	color   bool
	failOn  checks.Status
	ignore  map[string]bool
	// terraformPlan is the --terraform-plan file, whose resources are located on the .tf
	// files beside it when they declare them.
	terraformPlan string
	// width is the text report's line width: the terminal's, else $COLUMNS, else 100.
	width int
	quiet bool
}

// textOptions are the text report's options.
func (o outputOptions) textOptions() report.TextOptions {
	return report.TextOptions{Color: o.color, Width: o.width, Quiet: o.quiet}
}

// outputOptionsFrom reads and validates the output flags (and --output, when the command
// declares it). --ignore takes the IDs of the program's catalogue and of the probe steps.
func (prog program) outputOptionsFrom(c *cli.Context) (outputOptions, error) {
	stdout := c.App.Writer
	opts := outputOptions{format: c.String("format"), ignore: map[string]bool{}, width: textWidth(stdout), quiet: c.Bool("quiet")}
	if _, ok := report.LookupFormat(opts.format); !ok {
		return opts, usage("--format %q: want one of %s%s", opts.format, report.FormatNames(), didYouMean(opts.format, formatNames()))
	}
	switch c.String("color") {
	case "always":
		opts.color = true
	case "never":
	case "auto":
		opts.color = isTerminal(stdout) && os.Getenv("NO_COLOR") == ""
	default:
		return opts, usage("--color %q: want auto, always or never", c.String("color"))
	}
	switch c.String("fail-on") {
	case "fail":
		opts.failOn = checks.Fail
	case "warn":
		opts.failOn = checks.Warn
	default:
		return opts, usage("--fail-on %q: want fail or warn", c.String("fail-on"))
	}
	known := map[string]bool{}
	for _, check := range prog.catalogue {
		known[check.ID] = true
	}
	for _, value := range c.StringSlice("ignore") {
		for _, id := range strings.Split(value, ",") {
			id = strings.TrimSpace(id)
			if id == "" {
				continue
			}
			if !known[id] && !strings.HasPrefix(id, "probe.") {
				return opts, usage("--ignore %s: no such check (see `vpcdoctor checks`)", id)
			}
			opts.ignore[id] = true
		}
	}
	if !c.IsSet("output") {
		return opts, nil
	}
	outputs, err := parseOutputs(c, opts)
	if err != nil {
		return opts, err
	}
	// The text report to stdout streams as the checks run, before the other reports, which
	// are written once every finding is known.
	opts.format = ""
	for _, spec := range outputs {
		if spec.format == "text" && spec.path == "" {
			opts.format = "text"
			continue
		}
		opts.outputs = append(opts.outputs, spec)
	}
	return opts, nil
}

// parseOutputs reads the repeatable --output FORMAT[=PATH] flag, with the color, width and
// quiet of the validated output flags for the reports to stdout. Without it, it returns
// none: the report is then the one --format names, streamed to stdout as the checks run.
//
// Several reports may go to stdout when they are all line-oriented logs (text and github,
// as golangci-lint does): a GitHub job then has the human report and the annotations in one
// log. A document format (json, sarif, junit, ...) must be alone on stdout, or what reads
// it (`> report.json`) would get two documents; it takes a path instead. No two reports may
// go to the same file.
func parseOutputs(c *cli.Context, opts outputOptions) ([]outputSpec, error) {
	values := c.StringSlice("output")
	if len(values) == 0 {
		return nil, nil
	}
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
		spec := outputSpec{format: format, path: path, width: report.DefaultWidth, quiet: opts.quiet}
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
			spec.color, spec.width = opts.color, opts.width
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

// textWidth is the width the text report fits: the terminal's when w is one, else
// $COLUMNS when set (as shells export it), else report.DefaultWidth.
func textWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok && isTerminal(w) {
		if width, _, err := term.GetSize(int(f.Fd())); err == nil && width > 0 {
			return width
		}
	}
	if columns, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && columns > 0 {
		return columns
	}
	return report.DefaultWidth
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}
