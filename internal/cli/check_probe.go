package cli

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"cloud.google.com/go/redis/apiv1/redispb"
	"github.com/urfave/cli/v2"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/internal/sanitize"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/probe"
)

// probeCheckFlags turn on the data-plane probe after the configuration checks; the probe's
// tuning flags come with them.
func probeCheckFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.BoolFlag{Name: "probe", Usage: "after the configuration checks, connect to Redis from here (TCP, TLS, AUTH, PING, latency); run it where the network is reachable"},
		&cli.StringFlag{Name: "probe-host", Usage: "with --probe and --from or --terraform-plan: the Redis host you trust with the AUTH string; it is sent only when the instance's host is this one"},
	}, probeTuningFlags()...)
}

// probeSettings are the validated --probe flags; nil means no probe.
type probeSettings struct {
	probeTuning
	// trustedHost is the host the user named with --probe-host; hostsTrusted is true
	// when the instance data comes from the live APIs alone (inputs.hostsTrusted).
	// Otherwise the host was written by whoever wrote the snapshot or plan, and the AUTH
	// string is not sent to it.
	trustedHost  string
	hostsTrusted bool
	timeout      time.Duration
	ctx          context.Context
}

// probeSettingsFrom reads the --probe flags of check: nil without --probe.
func probeSettingsFrom(c *cli.Context, in inputs, timeout time.Duration) (*probeSettings, error) {
	if !c.Bool("probe") {
		return nil, nil
	}
	tuning, err := probeTuningFrom(c, os.Getenv)
	if err != nil {
		return nil, err
	}
	trusted := strings.TrimSpace(c.String("probe-host"))
	if c.IsSet("probe-host") && !inventory.IsIP(trusted) && !inventory.IsDNSName(trusted) {
		return nil, usage("--probe-host %s: want the Redis host, an IP address or a DNS name", sanitize.Line(trusted))
	}
	return &probeSettings{probeTuning: tuning, trustedHost: trusted, hostsTrusted: in.hostsTrusted(), timeout: timeout, ctx: c.Context}, nil
}

// probePath probes the Redis instance of a path with what the configuration says about
// it: host, port, TLS and the CA from serverCaCerts. Without an instance there is nothing
// to probe, and the probe steps are skipped with the reason.
func probePath(path *inventory.Path, settings *probeSettings, observe func(checks.Finding)) []checks.Finding {
	r := path.Redis
	if r == nil {
		var skipped []checks.Finding
		for _, id := range []string{"probe.tcp", "probe.tls", "probe.auth", "probe.ping", "probe.latency"} {
			f := checks.Sanitize(checks.Finding{ID: id, Status: checks.Skip, Title: "Data plane probe", Hop: checks.HopProbe, Service: path.ServiceRef.Name,
				Message: "skipped: no Redis instance to probe (see redis.found)"})
			observe(f)
			skipped = append(skipped, f)
		}
		return skipped
	}
	tls := r.GetTransitEncryptionMode() == redispb.Instance_SERVER_AUTHENTICATION
	auth, withheld := settings.authFor(r.GetHost())
	opts := probe.Options{
		Host:           r.GetHost(),
		Port:           int(r.GetPort()),
		TLS:            tls,
		Auth:           auth,
		AuthWithheld:   withheld,
		Timeout:        settings.timeout,
		Count:          settings.count,
		Interval:       settings.interval,
		ConnectTimeout: settings.connectTimeout,
		Service:        path.ServiceRef.String(),
		Instance: &probe.Instance{
			Name:              r.GetName(),
			Port:              int(r.GetPort()),
			TransitEncryption: tls,
			AuthEnabled:       r.GetAuthEnabled(),
			ReadEndpoint:      r.GetReadEndpoint(),
		},
	}
	for _, ca := range r.GetServerCaCerts() {
		opts.CAPEM = append(opts.CAPEM, []byte(ca.GetCert()+"\n")...)
	}
	opts.FromLive = len(opts.CAPEM) > 0
	service := sanitize.Line(path.ServiceRef.Name)
	findings := probe.Run(settings.ctx, opts, func(f checks.Finding) {
		f.Service = service
		observe(f)
	})
	for i := range findings {
		findings[i].Service = service
	}
	return findings
}

// authFor returns the AUTH string to send to host, or, when it must not go there, the
// reason. A snapshot or a plan may come from a pull request: the host it names is sent
// the AUTH string only when the user named the same host with --probe-host. A CA in the
// snapshot proves nothing here, since whoever wrote the host could write the CA too.
func (s *probeSettings) authFor(host string) (auth, withheld string) {
	if s.auth == "" || s.hostsTrusted {
		return s.auth, ""
	}
	if s.trustedHost != "" && strings.EqualFold(strings.TrimSuffix(s.trustedHost, "."), strings.TrimSuffix(host, ".")) {
		return s.auth, ""
	}
	if !inventory.IsIP(host) && !inventory.IsDNSName(host) {
		return "", "the instance's host, read from the input files, is neither an IP address nor a DNS name"
	}
	if s.trustedHost != "" {
		return "", fmt.Sprintf("the instance's host %s, read from the input files, is not the --probe-host %s", host, s.trustedHost)
	}
	return "", fmt.Sprintf("the instance's host %s was read from the input files, not named by you; run again with --probe-host %s if you trust it", host, host)
}
