// Package cli is vpcdoctor's command line: one file per command (cmd_*.go), the flag
// groups they share declared and validated once (flags_*.go), and Run, which maps every
// outcome to the exit-code contract.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/mattn/go-isatty"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/internal/sanitize"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/report"
)

// Exit codes: a public contract for CI.
const (
	exitOK         = 0 // nothing at or above --fail-on
	exitFindings   = 1 // a finding at or above --fail-on
	exitUsage      = 2 // usage error or unreadable input
	exitIncomplete = 3 // some check could not be evaluated and nothing failed
	exitInternal   = 4 // a bug in vpcdoctor (a panic): never bad input
)

// debugEnv, when set to anything, makes an internal error print the panic and its stack on
// stderr after the one-line message.
const debugEnv = "VPCDOCTOR_DEBUG"

// version is set at build time with -ldflags "-X github.com/vpcdoctor/vpcdoctor/internal/cli.version=v1.2.3" (the release
// build does); otherwise the build info is read.
var version = ""

// buildInfo is what the binary knows of its own build: the module version (set by
// `go install module@version`), and the VCS revision and commit time (set by `go build` in
// a checkout).
type buildInfo struct {
	version, commit, date string
	modified              bool
}

func readBuildInfo() buildInfo {
	var b buildInfo
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		b.version = v
	}
	for _, setting := range info.Settings {
		switch setting.Key {
		case "vcs.revision":
			b.commit = setting.Value
		case "vcs.time":
			b.date = setting.Value
		case "vcs.modified":
			b.modified = setting.Value == "true"
		}
	}
	return b
}

// toolVersion is the version reports carry: the release version, else the module version,
// else for a source build "devel+" and the short commit (with "-dirty" for uncommitted
// changes), else "dev".
func toolVersion() string {
	if version != "" {
		return version
	}
	b := readBuildInfo()
	switch {
	case b.version != "":
		return b.version
	case b.commit != "":
		v := "devel+" + shortCommit(b.commit)
		if b.modified {
			v += "-dirty"
		}
		return v
	}
	return "dev"
}

func shortCommit(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}

// toolInfo identifies this binary in reports.
func toolInfo() report.Tool {
	b := readBuildInfo()
	return report.Tool{Name: "vpcdoctor", Version: toolVersion(), Commit: b.commit, Date: b.date}
}

// Run is the whole CLI: it runs the command args name (args[0] is the program) with its
// reports on stdout and its errors on stderr, and returns the exit code. main only calls
// it, so tests drive the real command in-process.
func Run(args []string, stdout, stderr io.Writer) int {
	return runApp(newApp(stdout, stderr), args, stderr)
}

// runApp runs the CLI and maps its result to an exit code. It is the last resort for bugs:
// a panic anywhere in a run (loaders re-raise their workers' panics on this goroutine)
// becomes exit 4 with one line, so CI tells a crash from bad input (exit 2).
func runApp(app *cli.App, args []string, stderr io.Writer) (code int) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		fmt.Fprintln(stderr, "vpcdoctor: internal error, please report it at https://github.com/vpcdoctor/vpcdoctor with the command you ran ("+debugEnv+"=1 prints the details)")
		if os.Getenv(debugEnv) != "" {
			stack := debug.Stack()
			var worker *inventory.WorkerPanic
			if err, ok := r.(error); ok && errors.As(err, &worker) {
				stack = worker.Stack
			}
			fmt.Fprintf(stderr, "panic: %v\n%s", r, stack)
		}
		code = exitInternal
	}()
	err := app.Run(flagsFirst(args))
	if err == nil {
		return exitOK
	}
	var exitErr cli.ExitCoder
	if errors.As(err, &exitErr) {
		if msg := strings.TrimSpace(exitErr.Error()); msg != "" {
			// Errors quote input (file names, names, values): one printable line, so a
			// hostile input cannot write a line of its own (a forged "::error") or an
			// escape sequence into the log.
			fmt.Fprintln(stderr, "vpcdoctor: "+sanitize.Line(msg))
		}
		return exitErr.ExitCode()
	}
	// Anything else from the CLI library is a usage error (unknown flag, missing argument).
	fmt.Fprintln(stderr, "vpcdoctor: "+sanitize.Line(oneLine(err.Error())))
	return exitUsage
}

func newApp(stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:      "vpcdoctor",
		Usage:     "find out why a Cloud Run service cannot reach its Memorystore for Redis instance",
		Version:   toolVersion(),
		Writer:    stdout,
		ErrWriter: stderr,
		// The CLI library must never call os.Exit: run maps errors to exit codes.
		ExitErrHandler: func(*cli.Context, error) {},
		// Shell completion: the completion command prints the script that asks for it.
		EnableBashCompletion: true,
		// The library adds --help only when it adds its own help command; this one replaces it.
		Flags: []cli.Flag{cli.HelpFlag},
		Commands: []*cli.Command{
			checkCommand(),
			demoCommand(),
			probeCommand(renderProbe),
			snapshotCommand(),
			catalogueCommand(),
			explainCommand(),
			versionCommand(),
			completionCommand(),
			helpCommand(),
		},
		// Without a command, the overview; with an unknown one, a usage error. (The
		// library's default prints help and exits 3, the code for "incomplete".)
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return unknownCommand(c, c.Args().First())
			}
			return cli.ShowAppHelp(c)
		},
	}
	// A flag error is one line on stderr with exit 2, for the app and for every command:
	// without a handler the library prints the whole help to stdout, into a report file.
	app.OnUsageError = flagError(app.Flags)
	for _, cmd := range app.Commands {
		cmd.OnUsageError = flagError(cmd.Flags)
	}
	return app
}

// helpCommand is `vpcdoctor help [COMMAND]`: the library's own prints help and exits 3 for an
// unknown topic.
func helpCommand() *cli.Command {
	return &cli.Command{
		Name:      "help",
		Usage:     "show the commands, or one command's help",
		UsageText: "vpcdoctor help [COMMAND]",
		Action: func(c *cli.Context) error {
			if c.NArg() > 1 {
				return usage("help takes one command name, got %d arguments", c.NArg())
			}
			if !c.Args().Present() {
				return cli.ShowAppHelp(c)
			}
			name := c.Args().First()
			if c.App.Command(name) == nil {
				return unknownCommand(c, name)
			}
			// Command help is looked up among the commands of the context above help's own.
			parent := c
			if lineage := c.Lineage(); len(lineage) > 1 {
				parent = lineage[1]
			}
			return cli.ShowCommandHelp(parent, name)
		},
	}
}

// unknownCommand is the usage error for a command that does not exist.
func unknownCommand(c *cli.Context, name string) error {
	var names []string
	for _, cmd := range c.App.Commands {
		if !cmd.Hidden {
			names = append(names, cmd.Names()...)
		}
	}
	return usage("unknown command %q%s (see `vpcdoctor help`)", name, didYouMean(name, names))
}

// flagError turns the library's flag errors into one line with a suggestion.
func flagError(flags []cli.Flag) cli.OnUsageErrorFunc {
	return func(_ *cli.Context, err error, _ bool) error {
		msg := oneLine(err.Error())
		const undefined = "flag provided but not defined: -"
		if name, ok := strings.CutPrefix(msg, undefined); ok {
			name = strings.TrimLeft(name, "-")
			var names []string
			for _, f := range flags {
				names = append(names, f.Names()...)
			}
			return usage("unknown flag %s%s", flagName(name), flagSuggestion(name, names))
		}
		// The flag package names a flag with one dash ("flag needs an argument: -from");
		// the help and the docs spell long flags with two.
		for _, prefix := range []string{"flag needs an argument: -", "for flag -"} {
			if before, name, ok := strings.Cut(msg, prefix); ok {
				name, rest, _ := strings.Cut(name, ":")
				msg = before + strings.TrimSuffix(prefix, "-") + flagName(name)
				if rest != "" {
					msg += ":" + rest
				}
				break
			}
		}
		return cli.Exit(msg, exitUsage)
	}
}

func flagSuggestion(name string, names []string) string {
	if s := closest(name, names); s != "" {
		return "; did you mean " + flagName(s) + "?"
	}
	return ""
}

// flagName spells a flag as the help does: -h for a one-letter name, --from for the others.
func flagName(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// didYouMean suggests the closest of names to a mistyped one, or "".
func didYouMean(name string, names []string) string {
	if s := closest(name, names); s != "" {
		return fmt.Sprintf("; did you mean %q?", s)
	}
	return ""
}

// closest is the name nearest to a mistyped one by edit distance: within a third of its
// length (at least 1, at most 3), or a name it is a prefix of. Ties go to the first listed.
func closest(name string, names []string) string {
	best, bestDistance := "", 0
	limit := min(max(len(name)/3, 1), 3)
	for _, candidate := range names {
		d := editDistance(strings.ToLower(name), candidate)
		if len(name) >= 3 && strings.HasPrefix(candidate, name) {
			d = min(d, 1)
		}
		if d <= limit && (best == "" || d < bestDistance) {
			best, bestDistance = candidate, d
		}
	}
	return best
}

// usage returns a usage error (exit 2) with a one-line message.
func usage(format string, args ...any) error {
	return cli.Exit(oneLine(fmt.Sprintf(format, args...)), exitUsage)
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// inputError maps loader and selection errors to exit 2 with their one-line message.
func inputError(err error) error {
	var inErr *inventory.InputError
	var selErr *inventory.SelectError
	if errors.As(err, &inErr) || errors.As(err, &selErr) {
		return cli.Exit(oneLine(err.Error()), exitUsage)
	}
	return err
}

// outputFlags are shared by every command that prints findings.
func outputFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "format", Value: "text", Usage: "the report on stdout: " + report.FormatNames() + " (text streams as checks finish; --output writes several)"},
		&cli.StringFlag{Name: "color", Value: "auto", Usage: "color the text report: auto, always or never (auto: only on a terminal, never with NO_COLOR)"},
		&cli.StringFlag{Name: "fail-on", Value: "fail", Usage: "exit 1 when a finding is at or above this status: fail or warn"},
		&cli.StringSliceFlag{Name: "ignore", Usage: "check IDs to ignore: reported, marked ignored, not counted for the exit code (repeatable or comma-separated)"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "text report: only the verdict, the path and what did not pass"},
	}
}

// outputOptions are the validated output flags.
type outputOptions struct {
	// format is the one report streamed or written to stdout; "" when --output lists the
	// reports instead (then nothing streams and every report is written at the end).
	format  string
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

func parseOutputOptions(c *cli.Context, stdout io.Writer) (outputOptions, error) {
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
	for _, check := range checks.Catalogue() {
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
	return opts, nil
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

// exitCode applies the contract: 1 when a finding not ignored is at or above failOn;
// otherwise 3 when something could not be evaluated; otherwise 0 (report.Gate, which the
// JSON report's outcome and exitCode come from too).
func exitCode(findings []checks.Finding, failOn checks.Status) int {
	_, code := report.Gate(findings, failOn)
	return code
}

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the version, commit and build date",
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usage("version takes no arguments")
			}
			b := readBuildInfo()
			line := "vpcdoctor " + toolVersion()
			var extra []string
			if b.commit != "" {
				extra = append(extra, "commit "+shortCommit(b.commit))
			}
			if b.date != "" {
				extra = append(extra, b.date)
			}
			if len(extra) > 0 {
				line += " (" + strings.Join(extra, ", ") + ")"
			}
			fmt.Fprintln(c.App.Writer, line)
			return nil
		},
	}
}

// boolFlags are the flags that take no value; flagsFirst needs them to tell a flag's value
// from a positional argument.
var boolFlags = map[string]bool{"quiet": true, "q": true, "all": true, "probe": true, "tls": true, "from-env": true, "help": true, "h": true, "version": true, "v": true}

// completionFlag is what a shell's completion function appends to ask for candidates; the
// library only sees it as the last argument.
const completionFlag = "--generate-bash-completion"

// flagsFirst moves a subcommand's positional arguments after its flags, so that
// `vpcdoctor demo healthy --format json` works like `vpcdoctor demo --format json healthy`
// (the CLI library stops reading flags at the first positional argument).
func flagsFirst(args []string) []string {
	if len(args) < 3 || strings.HasPrefix(args[1], "-") || args[len(args)-1] == completionFlag {
		return args
	}
	out := []string{args[0], args[1]}
	var positional []string
	rest := args[2:]
	for i := 0; i < len(rest); i++ {
		arg := rest[i]
		switch {
		case arg == "--":
			positional = append(positional, rest[i+1:]...)
			i = len(rest)
		case strings.HasPrefix(arg, "-") && len(arg) > 1:
			out = append(out, arg)
			name := strings.TrimLeft(arg, "-")
			if !strings.Contains(name, "=") && !boolFlags[name] && i+1 < len(rest) {
				out = append(out, rest[i+1])
				i++
			}
		default:
			positional = append(positional, arg)
		}
	}
	return append(out, positional...)
}
