package cli

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/vpcdoctor/vpcdoctor/report"
)

// version is set at build time with
// -ldflags "-X github.com/vpcdoctor/vpcdoctor/internal/cli.version=v1.2.3" (the release
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

// versionCommand is `vpcdoctor version`: the version, and the commit and date of the build
// when the binary knows them.
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
