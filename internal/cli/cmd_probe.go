package cli

import (
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/probe"
)

// probeCommand is `vpcdoctor probe`: the data-plane probe (TCP, TLS, AUTH, PING, PING
// latency) against one Redis address, from wherever vpcdoctor runs. render prints the
// findings in the format the output flags ask for and returns the exit status (nil, or a
// cli.Exit error with the contract's code); target is the probed host:port. Bad input
// returns cli.Exit with a one-line message and code 2 before anything is probed.
func probeCommand(render func(c *cli.Context, findings []checks.Finding, target string) error) *cli.Command {
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
		Flags: append(probeFlags(), outputFlags()...),
		Action: func(c *cli.Context) error {
			// Reject bad output flags before connecting anywhere.
			if _, err := parseOutputOptions(c, c.App.Writer); err != nil {
				return err
			}
			opts, err := probeOptions(c, os.Getenv)
			if err != nil {
				return err
			}
			findings := probe.Run(c.Context, opts, nil)
			return render(c, findings, opts.Addr())
		},
	}
}

// probeFlags are the flags that say what to probe.
func probeFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "host", Usage: "Redis host: the instance's host IP (or its readEndpoint)"},
		&cli.IntFlag{Name: "port", Value: probe.DefaultPort, Usage: "Redis port: 6379, or 6378 with in-transit encryption"},
		&cli.BoolFlag{Name: "tls", Usage: "speak TLS (instances with in-transit encryption)"},
		&cli.StringFlag{Name: "ca-file", Usage: "PEM file with the instance's serverCaCerts; implies --tls"},
		&cli.StringFlag{Name: "server-name", Usage: "name to verify in the server certificate (default: --host)"},
		&cli.StringFlag{Name: "auth-env", Value: probe.EnvAuth, Usage: "environment variable holding the AUTH string (never pass the secret as a flag)"},
		&cli.BoolFlag{Name: "from-env", Usage: "read the address like the application: REDIS_URL, or REDIS_HOST, REDIS_PORT and REDIS_TLS"},
		&cli.IntFlag{Name: "count", Value: probe.DefaultCount, Usage: "PINGs to send for the latency statistics"},
		&cli.DurationFlag{Name: "interval", Usage: "pause between PINGs (default: back to back); 10ms paces them like redis-cli --latency"},
		&cli.DurationFlag{Name: "connect-timeout", Value: probe.DefaultConnectTimeout, Usage: "bound for the TCP connect, the TLS handshake and each reply"},
		&cli.DurationFlag{Name: "timeout", Value: defaultProbeTimeout, Usage: "bound on the whole probe run"},
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
	authEnv := c.String("auth-env")
	var opts probe.Options
	if c.Bool("from-env") {
		var err error
		if opts, err = probe.OptionsFromEnv(env, authEnv); err != nil {
			return probe.Options{}, usage("--from-env: %v", err)
		}
	} else {
		if !c.IsSet("host") {
			return probe.Options{}, usage("--host is required (or --from-env to read REDIS_HOST / REDIS_URL)")
		}
		opts.Auth = env(authEnv)
	}
	if c.IsSet("auth-env") && env(authEnv) == "" {
		return probe.Options{}, usage("--auth-env %s: the variable is not set or empty", authEnv)
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
	if opts.Count = c.Int("count"); opts.Count < 1 || opts.Count > probe.MaxCount {
		return probe.Options{}, usage("--count %d: want 1 to %d", opts.Count, probe.MaxCount)
	}
	if opts.Timeout = c.Duration("timeout"); opts.Timeout <= 0 {
		return probe.Options{}, usage("--timeout %s: want a positive duration such as 1m", opts.Timeout)
	}
	if opts.Interval = c.Duration("interval"); opts.Interval < 0 || opts.Interval > time.Minute {
		return probe.Options{}, usage("--interval %s: want a duration from 0 to 1m, e.g. 10ms", opts.Interval)
	}
	if opts.ConnectTimeout = c.Duration("connect-timeout"); opts.ConnectTimeout <= 0 {
		return probe.Options{}, usage("--connect-timeout %s: want a positive duration such as 3s", opts.ConnectTimeout)
	}
	if opts.ConnectTimeout > time.Minute {
		return probe.Options{}, usage("--connect-timeout %s: at most 1m", opts.ConnectTimeout)
	}
	return opts, nil
}
