package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/vpcdoctor/vpcdoctor/internal/sanitize"
	"github.com/vpcdoctor/vpcdoctor/report"
)

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
