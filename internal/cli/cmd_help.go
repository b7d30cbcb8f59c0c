package cli

import (
	"github.com/urfave/cli/v2"
)

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
