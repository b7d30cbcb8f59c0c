package cli

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/probe"
)

// explainCommand is `vpcdoctor explain ID`: what a check verifies, why, how to fix it, and
// the sources of its facts.
func (prog program) explainCommand() *cli.Command {
	return &cli.Command{
		Name:      "explain",
		Usage:     "explain what a check verifies and how to fix it",
		UsageText: "vpcdoctor explain ID",
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usage("explain takes one check ID (see `vpcdoctor checks`)")
			}
			id := c.Args().First()
			if title, ok := probe.StepTitle(id); ok {
				fmt.Fprintf(c.App.Writer, "%s — %s\n\n%s\n", id, title, probeExplanation)
				return nil
			}
			check, ok := checks.Lookup(prog.catalogue, id)
			if !ok {
				return usage("no check %q%s", id, prog.suggestIDs(id))
			}
			fmt.Fprintf(c.App.Writer, "%s — %s\n\n%s\n", check.ID, check.Title, checks.Explain(check.ID))
			return nil
		},
	}
}

// probeExplanation is what `explain` says of a probe step: the steps share one document,
// organised by failure cause.
const probeExplanation = `A data-plane probe step (vpcdoctor probe, vpcdoctor check --probe): it connects to Redis
from where vpcdoctor runs, on one connection, in the order probe.tcp, probe.tls, probe.auth,
probe.ping, probe.latency; a failed step skips the later ones. Every failure carries a cause
code (the anchor of the finding's docs link) with the exact error strings, why it happens,
the configuration check that usually explains it, and the fix; how to run the probe as a
Cloud Run job on the service's connector is in the same document:
https://github.com/vpcdoctor/vpcdoctor/blob/main/docs/probe.md`

// suggestIDs lists catalogue IDs close to a mistyped one.
func (prog program) suggestIDs(id string) string {
	var close []string
	for _, check := range prog.catalogue {
		if strings.Contains(check.ID, id) || strings.Contains(id, check.ID) || editDistance(id, check.ID) <= 3 ||
			strings.SplitN(check.ID, ".", 2)[0] == strings.SplitN(id, ".", 2)[0] {
			close = append(close, check.ID)
		}
	}
	if len(close) == 0 {
		return "; see `vpcdoctor checks`"
	}
	return "; did you mean: " + strings.Join(close, ", ")
}
