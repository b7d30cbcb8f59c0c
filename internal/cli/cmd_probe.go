package cli

import (
	"io"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/probe"
	"github.com/vpcdoctor/vpcdoctor/report"
)

// probeCommand is `vpcdoctor probe`: the data-plane probe (TCP, TLS, AUTH, PING, PING
// latency) against one Redis address, from wherever vpcdoctor runs. Bad input is a
// one-line usage error (exit 2) before anything is probed.
func (prog program) probeCommand() *cli.Command {
	return &cli.Command{
		Name:  "probe",
		Usage: "connect to Redis from here: TCP, TLS, AUTH, PING and PING latency",
		UsageText: "vpcdoctor probe --host 10.0.0.3 [--port 6379] [--tls] [--ca-file ca.pem] [--auth-env REDIS_AUTH] [--count 100] [--interval 10ms] [--connect-timeout 3s] [--format text|json]\n" +
			"vpcdoctor probe --from-env",
		Description: "Runs the probe steps probe.tcp, probe.tls, probe.auth, probe.ping and probe.latency in order\n" +
			"and explains every failure. The AUTH secret is read only from the environment variable named\n" +
			"by --auth-env, never from a flag, and never printed. With --from-env the address comes from\n" +
			"REDIS_URL (redis:// or rediss://) or REDIS_HOST / REDIS_PORT / REDIS_TLS, as the application\n" +
			"reads them; run it as a Cloud Run job on the service's connector (see docs/probe.md).",
		Flags: append(append(probeTargetFlags(), probeTuningFlags()...), outputFlags()...),
		Action: func(c *cli.Context) error {
			// Reject bad output flags before connecting anywhere.
			output, err := prog.outputOptionsFrom(c)
			if err != nil {
				return err
			}
			opts, err := probeOptions(c, os.Getenv)
			if err != nil {
				return err
			}
			findings := probe.Run(c.Context, opts, nil)
			return prog.renderProbe(c.App.Writer, findings, opts.Addr(), output)
		},
	}
}

// probeTargetFlags say what `probe` connects to, and for how long at most.
func probeTargetFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "host", Usage: "Redis host: the instance's host IP (or its readEndpoint)"},
		&cli.IntFlag{Name: "port", Value: probe.DefaultPort, Usage: "Redis port: 6379, or 6378 with in-transit encryption"},
		&cli.BoolFlag{Name: "tls", Usage: "speak TLS (instances with in-transit encryption)"},
		&cli.StringFlag{Name: "ca-file", Usage: "PEM file with the instance's serverCaCerts; implies --tls"},
		&cli.StringFlag{Name: "server-name", Usage: "name to verify in the server certificate (default: --host)"},
		&cli.BoolFlag{Name: "from-env", Usage: "read the address like the application: REDIS_URL, or REDIS_HOST, REDIS_PORT and REDIS_TLS"},
		timeoutFlag(defaultProbeTimeout, "bound on the whole probe run"),
	}
}

// defaultProbeTimeout bounds a probe run: 100 PINGs paced at 10ms and every retry fit
// in it many times over, and a server that trickles bytes cannot hold a CI job longer.
const defaultProbeTimeout = 2 * time.Minute

// probeOptions turns the flags and the environment into probe options. Explicit flags
// override what --from-env read. Every error is a usage error naming the flag or file.
func probeOptions(c *cli.Context, env func(string) string) (probe.Options, error) {
	if c.Args().Present() {
		return probe.Options{}, usage("unexpected argument %q (probe takes only flags)", c.Args().First())
	}
	var opts probe.Options
	if c.Bool("from-env") {
		var err error
		if opts, err = probe.OptionsFromEnv(env, c.String("auth-env")); err != nil {
			return probe.Options{}, usage("--from-env: %v", err)
		}
	} else if !c.IsSet("host") {
		return probe.Options{}, usage("--host is required (or --from-env to read REDIS_HOST / REDIS_URL)")
	}
	tuning, err := probeTuningFrom(c, env)
	if err != nil {
		return probe.Options{}, err
	}
	if !c.Bool("from-env") {
		opts.Auth = tuning.auth
	}
	if c.IsSet("host") {
		opts.Host = c.String("host")
	}
	if c.IsSet("port") || opts.Port == 0 {
		port := c.Int("port")
		if port < 1 || port > 65535 {
			return probe.Options{}, usage("--port %d: not a TCP port (1-65535)", port)
		}
		opts.Port = port
	}
	if c.IsSet("tls") {
		opts.TLS = c.Bool("tls")
	}
	if path := c.String("ca-file"); path != "" {
		pem, err := probe.ReadCAFile(path)
		if err != nil {
			return probe.Options{}, usage("--ca-file: %v", err)
		}
		opts.CAPEM, opts.TLS = pem, true
	}
	opts.ServerName = c.String("server-name")
	if opts.Timeout, err = timeoutFrom(c); err != nil {
		return probe.Options{}, err
	}
	opts.Count, opts.Interval, opts.ConnectTimeout = tuning.count, tuning.interval, tuning.connectTimeout
	return opts, nil
}

// renderProbe reports the probe's findings, which arrive all at once, in the format the
// output flags ask for, and returns the exit status.
func (prog program) renderProbe(stdout io.Writer, findings []checks.Finding, address string, opts outputOptions) error {
	target := report.Target{Source: "probe", Input: address}
	for i := range findings {
		findings[i].Ignored = opts.ignore[findings[i].ID]
	}
	if opts.format == "text" {
		doc := report.NewDocument(report.Tool{Name: "vpcdoctor", Version: toolVersion()}, target, findings)
		if err := report.WriteText(stdout, doc, opts.textOptions()); err != nil {
			return cli.Exit("write report: "+err.Error(), exitUsage)
		}
	}
	return prog.finishReport(stdout, findings, nil, target, opts)
}
