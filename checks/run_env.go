package checks

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"cloud.google.com/go/redis/apiv1/redispb"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// The Cloud Run hop, as the application sees it: the environment that tells the client
// where Redis is and how to authenticate. Values of variables that may hold secrets are
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

// authVar is an environment variable that carries (or should carry) the AUTH string.
type authVar struct {
	Name      string
	Secret    bool
	SecretRef string
	Empty     bool
	// InURL is true for a redis:// URL with a password in its user info.
	InURL bool
}

// authEnv lists the variables that carry an AUTH string: by name, or as the password of
// a redis:// URL. Values are looked at only to see whether they are empty.
func authEnv(p *inventory.Path) []authVar {
	var vars []authVar
	for _, e := range p.Env() {
		if looksLikeAuthVar(e.Name) {
			vars = append(vars, authVar{Name: e.Name, Secret: e.Secret, SecretRef: e.SecretRef, Empty: !e.Secret && strings.TrimSpace(e.Value) == ""})
			continue
		}
		if !e.Secret {
			if ev, ok := parseEndpoint(e.Value); ok && ev.Password {
				vars = append(vars, authVar{Name: e.Name, InURL: true})
			}
		}
	}
	sort.SliceStable(vars, func(i, j int) bool { return vars[i].Secret && !vars[j].Secret })
	return vars
}

// secretVolumes names the Secret Manager secrets mounted as files, where an app may read
// its AUTH string instead of from the environment.
func secretVolumes(p *inventory.Path) []string {
	var names []string
	for _, v := range p.Service.GetTemplate().GetVolumes() {
		if s := v.GetSecret(); s != nil {
			names = append(names, s.GetSecret())
		}
	}
	return names
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
	if project := inventory.ProjectOf(p.Service.GetName()); project != "" && isDigits(project) {
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

// authSecretCommands store the instance's AUTH string in Secret Manager without it ever
// reaching a terminal or a shell history, let the service read it, and expose it as name.
func authSecretCommands(p *inventory.Path, name string, replacePlain bool) []string {
	ref := p.RedisRef
	secret := "redis-auth"
	update := serviceUpdate(p)
	if replacePlain {
		// gcloud applies --remove-env-vars before the other updates of the same command.
		update += command(" --remove-env-vars %s", name)
	}
	return []string{
		command("gcloud redis instances get-auth-string %s --region %s --project %s --format 'value(authString)' | gcloud secrets create %s --data-file=- --project %s", ref.Name, ref.Region, ref.Project, secret, p.Project()),
		command("gcloud secrets add-iam-policy-binding %s --member serviceAccount:%s --role roles/secretmanager.secretAccessor --project %s", secret, runServiceAccount(p), p.Project()),
		update + command(" --update-secrets %s=%s:1", name, secret),
	}
}

func checkRedisAuth(p *inventory.Path) Result {
	if p.Redis == nil {
		return redisUnknown(p)
	}
	r, ref := p.Redis, p.RedisRef
	svc := p.ServiceRef.String()
	vars := authEnv(p)
	var present []authVar
	for _, v := range vars {
		if !v.Empty {
			present = append(present, v)
		}
	}
	// Verdicts that rest on no AUTH string being sent read every variable: a value the plan
	// leaves unknown or hides may be an AUTH string, or a redis:// URL with one.
	absenceGap := p.Inv.UnknownEnv(svc)
	if !r.GetAuthEnabled() {
		if len(present) == 0 {
			if absenceGap != nil {
				return missing(svc, absenceGap)
			}
			return pass(svc, "AUTH is disabled on Redis %s and service %s sends no AUTH string", ref.Name, p.ServiceRef.Name)
		}
		names := authVarNames(present)
		return warn(svc, "AUTH is disabled on Redis %s, yet service %s sets %s: a client that sends AUTH gets `ERR AUTH <password> called without any password configured for the default user`", ref.Name, p.ServiceRef.Name, names).
			fix("Either stop sending AUTH (remove the variable) or enable AUTH on the instance and keep the string in Secret Manager.",
				serviceUpdate(p)+command(" --remove-env-vars %s", present[0].Name))
	}
	for _, v := range present {
		if v.Secret {
			return pass(svc, "AUTH is enabled on Redis %s and %s comes from Secret Manager (%s)", ref.Name, v.Name, describeSecretRef(v.SecretRef))
		}
	}
	if len(present) > 0 {
		v := present[0]
		where := fmt.Sprintf("%s is a plain environment value", v.Name)
		name := v.Name
		if v.InURL {
			where = fmt.Sprintf("%s carries the AUTH string as the password of a redis:// URL", v.Name)
			name = "REDIS_AUTH"
		}
		return warn(svc, "AUTH is enabled on Redis %s and %s (value not shown): anyone who can read the service's configuration (run.services.get) can read the AUTH string", ref.Name, where).
			fix(fmt.Sprintf("Keep the AUTH string in Secret Manager and pass it as %s from there.", name), authSecretCommands(p, name, !v.InURL)...)
	}
	if absenceGap != nil {
		return missing(svc, absenceGap)
	}
	// Nothing visible carries the AUTH string, but an app may fetch it at run time (the
	// Secret Manager API, a configuration file): absence is not proof, so this warns.
	result := warn(svc, "AUTH is enabled on Redis %s, but service %s's configuration shows no AUTH string (no REDIS_AUTH/REDIS_PASSWORD variable, secret, secret volume, or password in a redis:// URL): unless the app fetches it at run time, every command fails with `NOAUTH Authentication required.`", ref.Name, p.ServiceRef.Name)
	if volumes := secretVolumes(p); len(volumes) > 0 {
		return warn(svc, "AUTH is enabled on Redis %s; service %s passes no AUTH variable, but mounts secret %s as a file: make sure the client reads its AUTH string from there, or commands fail with `NOAUTH Authentication required.`", ref.Name, p.ServiceRef.Name, strings.Join(volumes, ", ")).
			fix("If the mounted secret is not the AUTH string, pass the AUTH string from Secret Manager as REDIS_AUTH.", authSecretCommands(p, "REDIS_AUTH", false)...)
	}
	return result.fix("Store the instance's AUTH string in Secret Manager and pass it to the service as REDIS_AUTH (the first command pipes it straight into the secret, so it never reaches your terminal).", authSecretCommands(p, "REDIS_AUTH", false)...)
}

func authVarNames(vars []authVar) string {
	names := make([]string, len(vars))
	for i, v := range vars {
		names[i] = v.Name
	}
	return strings.Join(names, ", ")
}

// describeSecretRef spells inventory's "secret:version" as "secret S, version V".
func describeSecretRef(ref string) string {
	name, version, _ := strings.Cut(ref, ":")
	if version == "" {
		return "secret " + name
	}
	return "secret " + name + ", version " + version
}
