package cli

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/internal/sanitize"
)

// catalogueCommand is `vpcdoctor checks`: the catalogue, hop by hop.
func (prog program) catalogueCommand() *cli.Command {
	return &cli.Command{
		Name:  "checks",
		Usage: "list the check catalogue",
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usage("checks takes no arguments (to explain one check: vpcdoctor explain %s)", sanitize.Shell(c.Args().First()))
			}
			w := c.App.Writer
			for _, hop := range checks.Hops {
				first := true
				for _, check := range prog.catalogue {
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
