package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/vpcdoctor/vpcdoctor/internal/sanitize"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/live"
	"github.com/vpcdoctor/vpcdoctor/inventory/snapshot"
)

// snapshotCommand reads the live configuration of a path and writes it as a snapshot
// directory, so `check --from DIR` reproduces the live run anywhere, without credentials.
func snapshotCommand() *cli.Command {
	return &cli.Command{
		Name:      "snapshot",
		Usage:     "save the live configuration of a service's path as a snapshot directory (what --from reads)",
		UsageText: "vpcdoctor snapshot --project P --region R [--service S] [--redis I] [--connector C] [--timeout 30s] --out DIR",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "out", Usage: "directory to write (created; must be empty or hold a previous snapshot)"},
		}, selectionFlags()...),
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usage("snapshot takes no arguments (got %q); use --service / --out", c.Args().First())
			}
			out := c.String("out")
			if out == "" {
				return usage("--out DIR is required: the directory to write the snapshot to")
			}
			sel, err := selectionFrom(c)
			if err != nil {
				return err
			}
			opts, err := sel.live()
			if err != nil {
				return err
			}
			inv, err := live.Load(c.Context, opts)
			if err != nil {
				return liveError(err)
			}
			if err := snapshot.Write(inv, out); err != nil {
				return inputError(err)
			}
			if err := writeSnapshotReadme(out, opts); err != nil {
				return cli.Exit(oneLine(err.Error()), exitUsage)
			}
			summarizeSnapshot(c.App.Writer, inv, out, opts)
			return nil
		},
	}
}

// writeSnapshotReadme records how the snapshot was taken and how to check it. LoadDir
// skips README files.
func writeSnapshotReadme(dir string, opts live.Options) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Snapshot written by vpcdoctor %s on %s.\n\n", toolVersion(), time.Now().UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "Project %s, region %s", opts.Project, opts.Region)
	if opts.Service != "" {
		fmt.Fprintf(&b, ", service %s", opts.Service)
	}
	b.WriteString(".\nEnvironment values are written only when their shape cannot hold a secret (a port, an IP address,\na host:port, a redis:// URL without its user info); every other value, container argument and\ncommand is written as <redacted>. AUTH strings are never read.\n\n")
	fmt.Fprintf(&b, "Check it anywhere, without credentials:\n\n    %s\n", checkFromCommand(dir, opts))
	if err := snapshot.WriteFileInDir(dir, "README.md", []byte(b.String())); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Join(dir, "README.md"), err)
	}
	return nil
}

func checkFromCommand(dir string, opts live.Options) string {
	// Each value is one shell word, so the command pastes as written whatever the names.
	cmd := "vpcdoctor check --from " + sanitize.Shell(dir)
	if opts.Service != "" {
		cmd += " --service " + sanitize.Shell(opts.Service)
	} else {
		cmd += " --region " + sanitize.Shell(opts.Region) + " --all"
	}
	if opts.Redis != "" {
		cmd += " --redis " + sanitize.Shell(opts.Redis)
	}
	if opts.Connector != "" {
		cmd += " --connector " + sanitize.Shell(opts.Connector)
	}
	return cmd
}

// summarizeSnapshot says what was written and what could not be read.
func summarizeSnapshot(w io.Writer, inv *inventory.Inventory, dir string, opts live.Options) {
	fmt.Fprintf(w, "wrote %s: %d services, %d revisions, %d connectors, %d Redis instances, %d networks, %d subnetworks, %d firewall rules\n",
		dir, len(inv.Services), len(inv.Revisions), len(inv.Connectors), len(inv.RedisInstances),
		len(inv.Networks), len(inv.Subnetworks), len(inv.Firewalls))
	for _, p := range inv.Problems {
		fmt.Fprintf(w, "  could not read: %s\n", oneLine(p.Error()))
	}
	fmt.Fprintf(w, "check it with: %s\n", checkFromCommand(dir, opts))
}
