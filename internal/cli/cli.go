// Package cli is vpcdoctor's command line: one file per command (cmd_*.go), the flag
// groups the commands share, each declared and validated once (flags_*.go), and Run, which
// maps every outcome of a command to the exit-code contract.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/internal/sanitize"
	"github.com/vpcdoctor/vpcdoctor/inventory"
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

// program is what the commands of one CLI share: the catalogue they check with, list and
// explain. Run gives the whole catalogue; a test may give a fixed few checks, so that its
// end-to-end goldens show the CLI's behaviour without changing each time a check is added.
type program struct {
	catalogue []checks.Check
}

// Run is the whole CLI: it runs the command args names (args[0] is the program's name),
// with the reports on stdout and the errors on stderr, and returns the exit code. main only
// calls it, so tests drive the real command in-process.
func Run(args []string, stdout, stderr io.Writer) int {
	prog := program{catalogue: checks.Catalogue()}
	return runApp(prog.newApp(stdout, stderr), args, stderr)
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
	err := app.Run(flagsFirst(app, args))
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

func (prog program) newApp(stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:      "vpcdoctor",
		Usage:     "find out why a Cloud Run service cannot reach its Memorystore for Redis instance",
		Version:   toolVersion(),
		Writer:    stdout,
		ErrWriter: stderr,
		// The CLI library must never call os.Exit: Run maps errors to exit codes.
		ExitErrHandler: func(*cli.Context, error) {},
		// Shell completion: the completion command prints the script that asks for it.
		EnableBashCompletion: true,
		// The library adds --help only when it adds its own help command; this one replaces it.
		Flags: []cli.Flag{cli.HelpFlag},
		Commands: []*cli.Command{
			prog.checkCommand(),
			prog.demoCommand(),
			prog.probeCommand(),
			snapshotCommand(),
			prog.catalogueCommand(),
			prog.explainCommand(),
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

// completionFlag is what a shell's completion function appends to ask for candidates; the
// library only sees it as the last argument.
const completionFlag = "--generate-bash-completion"

// flagsFirst moves a command's positional arguments after its flags, so that
// `vpcdoctor demo healthy --format json` works like `vpcdoctor demo --format json healthy`
// (the CLI library stops reading flags at the first positional argument). The command's
// own declarations say which flags take no value.
func flagsFirst(app *cli.App, args []string) []string {
	if len(args) < 3 || strings.HasPrefix(args[1], "-") || args[len(args)-1] == completionFlag {
		return args
	}
	cmd := app.Command(args[1])
	if cmd == nil {
		return args
	}
	valueless := map[string]bool{}
	for _, flag := range append([]cli.Flag{cli.HelpFlag, cli.VersionFlag}, cmd.Flags...) {
		if _, ok := flag.(*cli.BoolFlag); ok {
			for _, name := range flag.Names() {
				valueless[name] = true
			}
		}
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
			if !strings.Contains(name, "=") && !valueless[name] && i+1 < len(rest) {
				out = append(out, rest[i+1])
				i++
			}
		default:
			positional = append(positional, arg)
		}
	}
	return append(out, positional...)
}
