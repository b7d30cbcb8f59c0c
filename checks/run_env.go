package checks

import (
	"strconv"
	"strings"

	"cloud.google.com/go/redis/apiv1/redispb"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// The Cloud Run hop, as the application sees it: the environment that tells the client
// where Redis is and how to authenticate (what run.redis-host, run.redis-auth and
// redis.tls share). Values of variables that may hold secrets are
// never copied into a finding; only what was parsed out of them (a host, a port) is.

// endpointVar is one environment variable that names a Redis endpoint, as far as it could
// be parsed. Raw values are deliberately not kept, so they cannot leak into a message.
type endpointVar struct {
	Name string
	inventory.EnvEndpoint
	// Secret is true when the value comes from Secret Manager (and is therefore unknown).
	Secret    bool
	SecretRef string
}

// portVar is a plain environment variable that names the Redis port.
type portVar struct {
	Name  string
	Port  int  // 0 when the value is not a port number
	Valid bool // false when the value is not a port number
}

// looksLikeRedisHostVar reports whether a variable's name says it holds a Redis endpoint.
func looksLikeRedisHostVar(name string) bool {
	upper := strings.ToUpper(name)
	if !strings.Contains(upper, "REDIS") {
		return false
	}
	for _, part := range []string{"HOST", "ADDR", "URL", "URI", "ENDPOINT", "SERVER"} {
		if strings.Contains(upper, part) {
			return true
		}
	}
	return false
}

// looksLikeRedisPortVar reports whether a variable's name says it holds the Redis port.
func looksLikeRedisPortVar(name string) bool {
	upper := strings.ToUpper(name)
	return strings.Contains(upper, "REDIS") && strings.HasSuffix(upper, "PORT")
}

// looksLikeAuthVar reports whether a variable's name says it holds a Redis AUTH string.
// Such values are secrets: they must never be printed.
func looksLikeAuthVar(name string) bool { return inventory.LooksLikeAuthVar(name) }

// parseEndpoint parses an environment value as a Redis endpoint (see
// inventory.ParseEnvEndpoint).
func parseEndpoint(value string) (endpointVar, bool) {
	ep, ok := inventory.ParseEnvEndpoint(value)
	return endpointVar{EnvEndpoint: ep}, ok
}

// redisAddresses lists every Redis host and read endpoint in the inventory, so a variable
// whose value is one of them counts as an endpoint whatever its name.
func redisAddresses(p *inventory.Path) map[string]bool {
	addrs := map[string]bool{}
	for _, r := range p.Inv.RedisInstances {
		if r.GetHost() != "" {
			addrs[r.GetHost()] = true
		}
		if r.GetReadEndpoint() != "" {
			addrs[r.GetReadEndpoint()] = true
		}
	}
	return addrs
}

// redisEnv sorts the service's environment into endpoint variables, port variables, and
// variables whose name looked like an endpoint but whose value could not be parsed.
func redisEnv(p *inventory.Path) (endpoints []endpointVar, ports []portVar, unparsed []string) {
	known := redisAddresses(p)
	for _, e := range p.Env() {
		switch {
		case e.Secret && looksLikeRedisHostVar(e.Name):
			endpoints = append(endpoints, endpointVar{Name: e.Name, Secret: true, SecretRef: e.SecretRef})
		case e.Secret:
		case looksLikeRedisPortVar(e.Name):
			n, err := strconv.Atoi(strings.TrimSpace(e.Value))
			ports = append(ports, portVar{Name: e.Name, Port: n, Valid: err == nil && n > 0 && n < 65536})
		case looksLikeAuthVar(e.Name):
			// Never parsed as an endpoint: its value is a secret.
		default:
			ev, ok := parseEndpoint(e.Value)
			ev.Name = e.Name
			switch {
			case ok && (looksLikeRedisHostVar(e.Name) || ev.Scheme != "" || known[ev.Host]):
				endpoints = append(endpoints, ev)
			case !ok && looksLikeRedisHostVar(e.Name) && strings.TrimSpace(e.Value) != "":
				unparsed = append(unparsed, e.Name)
			}
		}
	}
	return endpoints, ports, unparsed
}

// A Terraform plan may leave environment values unknown (REDIS_HOST of an instance it
// creates) or hide them (a sensitive value): such a variable is listed with an empty value
// and the gap is recorded per variable. A check skips only when a variable it reads is one
// of them; another unknown variable changes nothing it says. Which variables a check reads
// is decided by their names, as for known values, and by the plan's configuration: a value
// taken from a google_redis_instance is a Redis endpoint whatever its name. A verdict that
// rests on the absence of something (no AUTH string, no port) reads every variable, since
// an unknown value might be a redis:// URL that carries it.

// endpointVarNames lists the service's variables that run.redis-host and redis.tls read
// for the endpoint: those named like one, and those a plan fills from a Redis instance.
// withPorts adds the port variables.
func endpointVarNames(p *inventory.Path, withPorts bool) []string {
	var names []string
	svc := p.ServiceRef.String()
	for _, e := range p.Env() {
		if looksLikeRedisHostVar(e.Name) || (withPorts && looksLikeRedisPortVar(e.Name)) ||
			p.Inv.PlannedEnvVarRedis(svc, e.Name) != "" || p.Inv.PlannedEnvVarRedis(p.Service.GetName(), e.Name) != "" {
			names = append(names, e.Name)
		}
	}
	return names
}

// redisPort is the port Memorystore reports, with the Redis default when it reports none.
func redisPort(r *redispb.Instance) int {
	if r.GetPort() != 0 {
		return int(r.GetPort())
	}
	return 6379
}

// runServiceAccount is the identity the service runs as: its own, or the Compute Engine
// default service account Cloud Run uses when none is set.
func runServiceAccount(p *inventory.Path) string {
	if sa := p.Service.GetTemplate().GetServiceAccount(); sa != "" {
		return sa
	}
	return projectNumber(p) + "-compute@developer.gserviceaccount.com"
}

// projectNumber is the service's project number when the inventory carries it (gcloud
// prints it as the Knative namespace; other resources may tie it to the project id), else
// the placeholder PROJECT_NUMBER.
func projectNumber(p *inventory.Path) string {
	if project := p.NamedProject(); project != "" && isDigits(project) {
		return project
	}
	if pi, ok := p.Inv.ProjectNumber(p.Project()); ok {
		return pi.Number
	}
	return "PROJECT_NUMBER"
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// describeSecretRef spells inventory's "secret:version" as "secret S, version V".
func describeSecretRef(ref string) string {
	name, version, _ := strings.Cut(ref, ":")
	if version == "" {
		return "secret " + name
	}
	return "secret " + name + ", version " + version
}
