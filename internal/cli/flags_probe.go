package cli

import (
	"time"

	"github.com/urfave/cli/v2"

	"github.com/vpcdoctor/vpcdoctor/probe"
)

// probeTuningFlags say how the data-plane probe runs: the AUTH string's variable, the
// bound on each network step, and the latency PINGs. `probe` and `check --probe` both
// declare them from here.
func probeTuningFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "auth-env", Value: probe.EnvAuth, Usage: "environment variable holding the AUTH string the probe sends (never pass the secret as a flag)"},
		&cli.DurationFlag{Name: "connect-timeout", Value: probe.DefaultConnectTimeout, Usage: "the probe's bound for the TCP connect, the TLS handshake and each reply (at most 1m)"},
		&cli.IntFlag{Name: "count", Value: probe.DefaultCount, Usage: "PINGs the probe sends for the latency statistics (1 to 100000)"},
		&cli.DurationFlag{Name: "interval", Usage: "pause between the probe's PINGs (default: back to back; at most 1m); 10ms paces them like redis-cli --latency"},
	}
}

// probeTuning is what the tuning flags say, validated.
type probeTuning struct {
	// authEnv names the variable; auth is its value ("" when unset, which is refused only
	// when --auth-env was given).
	authEnv, auth  string
	connectTimeout time.Duration
	count          int
	interval       time.Duration
}

// probeTuningFrom reads and validates the tuning flags; env reads the environment. A step
// that waits longer than a minute is a hung job, not a slow network; probe.MaxCount bounds
// the samples the latency statistics keep.
func probeTuningFrom(c *cli.Context, env func(string) string) (probeTuning, error) {
	t := probeTuning{authEnv: c.String("auth-env"), count: c.Int("count")}
	t.auth = env(t.authEnv)
	if c.IsSet("auth-env") && t.auth == "" {
		return probeTuning{}, usage("--auth-env %s: the variable is not set or empty", t.authEnv)
	}
	if t.count < 1 || t.count > probe.MaxCount {
		return probeTuning{}, usage("--count %d: want 1 to %d", t.count, probe.MaxCount)
	}
	var err error
	if t.connectTimeout, err = durationFrom(c, "connect-timeout", durationRange{max: time.Minute, maxText: "1m", example: "3s"}); err != nil {
		return probeTuning{}, err
	}
	if t.interval, err = durationFrom(c, "interval", durationRange{zero: true, max: time.Minute, maxText: "1m", example: "10ms"}); err != nil {
		return probeTuning{}, err
	}
	return t, nil
}
