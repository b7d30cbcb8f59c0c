package checks

import (
	"fmt"
	"strings"

	"cloud.google.com/go/redis/apiv1/redispb"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// runRedisHost declares the check run.redis-host: its hop, title, prerequisites, the
// fields it reads, and its Run (checkRedisHost, below).
func runRedisHost() Check {
	return Check{
		ID: "run.redis-host", Hop: HopRun, Title: "Environment names the Redis endpoint",
		Summary: "REDIS_HOST/REDIS_PORT, redis:// URLs and any env value equal to a Redis IP name the instance's host and port",
		Reads:   map[inventory.Kind][]string{inventory.KindRedis: {"host", "port"}},
		Run:     checkRedisHost,
	}
}

func checkRedisHost(p *inventory.Path) Result {
	if p.Redis == nil {
		return redisUnknown(p)
	}
	r, ref := p.Redis, p.RedisRef
	svc := p.ServiceRef.String()
	if gap := p.Inv.UnknownEnvVar(svc, endpointVarNames(p, true)...); gap != nil {
		return missing(svc, gap)
	}
	endpoints, ports, unparsed := redisEnv(p)
	want := fmt.Sprintf("%s:%d", r.GetHost(), redisPort(r))
	if len(endpoints) == 0 && len(unparsed) == 0 {
		if gap := p.Inv.UnknownEnv(svc); gap != nil {
			return missing(svc, gap) // the plan's unknown value may well be the endpoint
		}
		return skip(svc, "service %s sets no environment variable that names the Redis endpoint (REDIS_HOST, REDIS_URL, a redis:// URL or a Redis IP), so the address its code uses cannot be compared with %s", p.ServiceRef.Name, want)
	}

	var fails, warns, oks []string
	var commands []string
	portSeen := false
	for _, name := range unparsed {
		warns = append(warns, fmt.Sprintf("%s holds a value that is neither an IP, host:port nor a redis:// URL (not shown)", name))
	}
	for _, ev := range endpoints {
		if ev.Secret {
			warns = append(warns, fmt.Sprintf("%s comes from Secret Manager (%s), whose value vpcdoctor does not read: make sure it names %s", ev.Name, describeSecretRef(ev.SecretRef), want))
			continue
		}
		expectedPort := redisPort(r)
		switch {
		case ev.Host == r.GetHost():
			oks = append(oks, fmt.Sprintf("%s names host %s", ev.Name, shownValue(p, ev.Name, ev.Host)))
		case r.GetReadEndpoint() != "" && ev.Host == r.GetReadEndpoint():
			expectedPort = redisReadPort(r)
			warns = append(warns, fmt.Sprintf("%s names %s, the read endpoint of Redis %s: reads work, but every write fails with `READONLY You can't write against a read only replica.`; use the primary endpoint %s for writes", ev.Name, shownValue(p, ev.Name, ev.Host), ref.Name, want))
		case inventory.IsIP(ev.Host):
			fails = append(fails, fmt.Sprintf("%s names %s, but Redis %s's host is %s: a stale address (an instance recreated gets a new IP) or another environment's value, so connections time out or reach the wrong server", ev.Name, shownValue(p, ev.Name, ev.Host), ref.Name, r.GetHost()))
			commands = append(commands, envFixCommand(p, ev, r))
		default:
			warns = append(warns, fmt.Sprintf("%s names host %s, which vpcdoctor cannot resolve (private DNS is only visible inside the VPC): make sure it resolves to %s", ev.Name, shownValue(p, ev.Name, printableHost(ev.Host)), r.GetHost()))
		}
		if ev.Port != 0 {
			portSeen = true
			if ev.Port != expectedPort {
				fails = append(fails, fmt.Sprintf("%s uses port %s, but Redis %s listens on %d", ev.Name, shownValue(p, ev.Name, ev.Port), ref.Name, expectedPort))
				commands = append(commands, envFixCommand(p, ev, r))
			}
		}
	}
	for _, pv := range ports {
		portSeen = true
		switch {
		case !pv.Valid:
			fails = append(fails, fmt.Sprintf("%s is not a port number", pv.Name))
			commands = append(commands, serviceUpdate(p)+command(" --update-env-vars %s=%d", pv.Name, redisPort(r)))
		case pv.Port != redisPort(r) && !(r.GetReadEndpoint() != "" && pv.Port == redisReadPort(r)):
			fails = append(fails, fmt.Sprintf("%s is %s, but Redis %s listens on port %d%s", pv.Name, shownValue(p, pv.Name, pv.Port), ref.Name, redisPort(r), tlsPortHint(r)))
			commands = append(commands, serviceUpdate(p)+command(" --update-env-vars %s=%d", pv.Name, redisPort(r)))
		default:
			oks = append(oks, fmt.Sprintf("%s is %s", pv.Name, shownValue(p, pv.Name, pv.Port)))
		}
	}
	// "No variable sets the port" rests on an absence: a value the plan leaves unknown may
	// be a URL that sets it.
	// No variable naming the port is not proof the client uses 6379: apps hard-code the
	// port or read it from a configuration file, so this is a warning naming the setting.
	var noPortGap *inventory.Problem
	if !portSeen && redisPort(r) != 6379 {
		if noPortGap = p.Inv.UnknownEnv(svc); noPortGap == nil {
			warns = append(warns, fmt.Sprintf("no variable sets the port and Redis %s listens on %d%s: a client left at the default 6379 times out, so check the port in the app's own configuration", ref.Name, redisPort(r), tlsPortHint(r)))
			commands = append(commands, serviceUpdate(p)+command(" --update-env-vars REDIS_PORT=%d", redisPort(r)))
		}
	}

	switch {
	case len(fails) == 0 && noPortGap != nil:
		return missing(svc, noPortGap)
	case len(fails) > 0:
		return fail(svc, "%s", strings.Join(append(fails, warns...), "; ")).
			fix(fmt.Sprintf("Point the service at Redis %s's endpoint %s (the values are read at instance start, so this deploys a new revision).", ref.Name, want), dedupe(commands)...)
	case len(warns) > 0:
		commands = append(commands, command("gcloud redis instances describe %s --region %s --project %s --format 'value(host,port,readEndpoint,readEndpointPort)'", ref.Name, ref.Region, ref.Project))
		return warn(svc, "%s", strings.Join(append(warns, oks...), "; ")).
			fix(fmt.Sprintf("Make the client use %s, the endpoint Redis %s serves reads and writes on (set it in the environment if the app reads it from there).", want, ref.Name), dedupe(commands)...)
	}
	return pass(svc, "%s, matching Redis %s (%s)", strings.Join(oks, ", "), ref.Name, want)
}

// sensitiveNote replaces a value in a message when a Terraform plan marks the variable's
// value sensitive: the check judges it, but never shows it.
const sensitiveNote = "(a value the Terraform plan marks sensitive, not shown)"

// shownValue is how a message may show what was parsed out of variable name: as it is, or
// sensitiveNote.
func shownValue(p *inventory.Path, name string, value any) string {
	if p.Inv.SensitiveEnv(p.Service.GetName(), name) {
		return sensitiveNote
	}
	return fmt.Sprint(value)
}

func redisReadPort(r *redispb.Instance) int {
	if r.GetReadEndpointPort() != 0 {
		return int(r.GetReadEndpointPort())
	}
	return redisPort(r)
}

// printableHost is the host as it may appear in a message: IPs and dotted DNS names only.
// A single word could be a password pasted into the wrong variable, so it is not shown.
func printableHost(host string) string {
	if inventory.IsIP(host) || inventory.IsDNSName(host) {
		return host
	}
	return "(a value that is neither an IP address nor a DNS name, not shown)"
}

// envFixCommand sets one endpoint variable to the instance's primary endpoint. A URL is
// rebuilt without user info: an AUTH string belongs in Secret Manager (run.redis-auth).
func envFixCommand(p *inventory.Path, ev endpointVar, r *redispb.Instance) string {
	value := r.GetHost()
	switch {
	case ev.Scheme != "":
		scheme := "redis"
		if r.GetTransitEncryptionMode() == redispb.Instance_SERVER_AUTHENTICATION {
			scheme = "rediss"
		}
		value = fmt.Sprintf("%s://%s:%d", scheme, r.GetHost(), redisPort(r))
	case ev.Port != 0:
		value = fmt.Sprintf("%s:%d", r.GetHost(), redisPort(r))
	}
	return serviceUpdate(p) + command(" --update-env-vars %s=%s", ev.Name, value)
}

func tlsPortHint(r *redispb.Instance) string {
	if r.GetTransitEncryptionMode() == redispb.Instance_SERVER_AUTHENTICATION {
		return " (in-transit encryption is on: TLS only, on this port)"
	}
	return ""
}

func dedupe(items []string) []string {
	seen := map[string]bool{}
	out := make([]string, 0, len(items))
	for _, item := range items {
		if !seen[item] {
			seen[item] = true
			out = append(out, item)
		}
	}
	return out
}
