package cli

import (
	"time"

	"github.com/urfave/cli/v2"

	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/live"
)

// defaultLiveTimeout bounds a live run when --timeout is not given.
const defaultLiveTimeout = 30 * time.Second

// selectionFlags say which path to read: the service, its Redis instance, a what-if
// connector and, for a live run, the project and region; and --timeout, the bound on the
// run. check and snapshot both declare them from here.
func selectionFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "project", Usage: "the service's project (a live run defaults to CLOUDSDK_CORE_PROJECT, GOOGLE_CLOUD_PROJECT, then the gcloud configuration)"},
		&cli.StringFlag{Name: "region", Usage: "the service's region (a live run defaults to CLOUDSDK_RUN_REGION, CLOUDSDK_COMPUTE_REGION, then the gcloud configuration; required for a service.yaml that was never deployed)"},
		&cli.StringFlag{Name: "service", Usage: "Cloud Run service (short or full name); without it a live run, and snapshot, take every service of the region, and --from a directory holding several needs it (or --all)"},
		&cli.StringFlag{Name: "redis", Usage: "Memorystore for Redis instance the service should reach (default: the one its env points at; snapshot then saves every instance of the project)"},
		&cli.StringFlag{Name: "connector", Usage: "a Serverless VPC Access connector to check instead of the service's own (what-if; snapshot saves it too)"},
		timeoutFlag(defaultLiveTimeout, "bound on the whole run: the live API calls, and with check a plan's reading and the --probe run"),
	}
}

// timeoutFlag is --timeout with a command's default; timeoutFrom validates it.
func timeoutFlag(value time.Duration, usage string) cli.Flag {
	return &cli.DurationFlag{Name: "timeout", Value: value, Usage: usage}
}

// timeoutFrom is the validated --timeout: a positive duration.
func timeoutFrom(c *cli.Context) (time.Duration, error) {
	return durationFrom(c, "timeout", durationRange{example: "30s"})
}

// durationRange is what a duration flag accepts: above zero (or zero too, when zero is
// allowed), at most max when max is set (maxText spells it), and an example value.
type durationRange struct {
	zero    bool
	max     time.Duration
	maxText string
	example string
}

// durationFrom reads a duration flag and refuses a value outside r, with the same one-line
// error for every command that declares the flag.
func durationFrom(c *cli.Context, name string, r durationRange) (time.Duration, error) {
	d := c.Duration(name)
	if d >= 0 && (d > 0 || r.zero) && (r.max == 0 || d <= r.max) {
		return d, nil
	}
	want := "a positive duration"
	switch {
	case r.zero && r.max > 0:
		want = "a duration from 0 to " + r.maxText
	case r.max > 0:
		want += " of at most " + r.maxText
	}
	return 0, usage("--%s %s: want %s, e.g. %s", name, d, want, r.example)
}

// selection is what the selection flags say.
type selection struct {
	project, region, service, redis, connector string
	timeout                                    time.Duration
}

// selectionFrom reads and validates the selection flags.
func selectionFrom(c *cli.Context) (selection, error) {
	timeout, err := timeoutFrom(c)
	if err != nil {
		return selection{}, err
	}
	return selection{
		project:   c.String("project"),
		region:    c.String("region"),
		service:   c.String("service"),
		redis:     c.String("redis"),
		connector: c.String("connector"),
		timeout:   timeout,
	}, nil
}

// selector is the selection as inventory.Select takes it; all asks for every service (of
// the region, if given) when no --service names one.
func (s selection) selector(all bool) inventory.Selector {
	return inventory.Selector{
		Project:   s.project,
		Region:    s.region,
		Service:   s.service,
		Redis:     s.redis,
		Connector: s.connector,
		All:       all && s.service == "",
	}
}

// live resolves the target and endpoints of a live run from the flags, the environment
// and the active gcloud configuration.
func (s selection) live() (live.Options, error) {
	cfg, err := inventory.ResolveConfig(s.project, s.region)
	if err != nil {
		return live.Options{}, inputError(err)
	}
	if err := cfg.RequireTarget(); err != nil {
		return live.Options{}, inputError(err)
	}
	return live.Options{
		Project:   cfg.Project,
		Region:    cfg.Region,
		Service:   s.service,
		Redis:     s.redis,
		Connector: s.connector,
		Endpoints: cfg.Endpoints,
		Timeout:   s.timeout,
	}, nil
}
