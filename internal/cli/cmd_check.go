package cli

import (
	"github.com/urfave/cli/v2"
)

// checkCommand is `vpcdoctor check`: the path of a service read from a snapshot directory
// or the live APIs, with what a pipeline is about to deploy on top, checked and reported,
// and optionally probed.
func (prog program) checkCommand() *cli.Command {
	return &cli.Command{
		Name:  "check",
		Usage: "check the path from a Cloud Run service to its Redis instance",
		UsageText: "vpcdoctor check --from DIR [--service NAME] [--redis NAME] [--region R] [--format FORMAT | --output FORMAT[=PATH]...] [--color auto|always|never] [--fail-on fail|warn]\n" +
			"vpcdoctor check --project P --region R [--service S] [--redis I] [--connector C] [--timeout 30s]   (live, Application Default Credentials)",
		Flags: concatFlags(inputFlags(), selectionFlags(), outputFlags(), []cli.Flag{outputListFlag()}, probeCheckFlags()),
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usage("check takes no arguments (got %q); use --service / --redis", c.Args().First())
			}
			opts, err := prog.outputOptionsFrom(c)
			if err != nil {
				return err
			}
			sel, err := selectionFrom(c)
			if err != nil {
				return err
			}
			in := inputsFrom(c)
			if err := in.refuseOverwrite(opts.outputs); err != nil {
				return err
			}
			opts.terraformPlan = in.terraformPlan
			probing, err := probeSettingsFrom(c, in, sel.timeout)
			if err != nil {
				return err
			}
			inv, selector, target, err := in.load(c.Context, sel)
			if err != nil {
				return err
			}
			return prog.checkInventory(c.App.Writer, inv, selector, target, opts, probing)
		},
	}
}

// concatFlags is the flags of several groups, in order.
func concatFlags(groups ...[]cli.Flag) []cli.Flag {
	var flags []cli.Flag
	for _, group := range groups {
		flags = append(flags, group...)
	}
	return flags
}
