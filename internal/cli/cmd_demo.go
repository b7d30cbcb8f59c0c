package cli

import (
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/vpcdoctor/vpcdoctor/fixtures"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/snapshot"
	"github.com/vpcdoctor/vpcdoctor/report"
)

// demoCommand is `vpcdoctor demo [SCENARIO]`: check on a built-in scenario, or the list
// of them.
func (prog program) demoCommand() *cli.Command {
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
			opts, err := prog.outputOptionsFrom(c)
			if err != nil {
				return err
			}
			inv, err := snapshot.LoadFS(scenario.FS, "demo/"+name)
			if err != nil {
				return inputError(err)
			}
			return prog.checkInventory(c.App.Writer, inv, inventory.Selector{}, report.Target{Source: "demo", Input: name}, opts, nil)
		},
	}
}

func listScenarios(w io.Writer) {
	fmt.Fprintln(w, "Built-in scenarios (run one with `vpcdoctor demo NAME`):")
	for _, s := range fixtures.Scenarios() {
		fmt.Fprintf(w, "  %-26s %s\n", s.Name, s.Description)
	}
}
