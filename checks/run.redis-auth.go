package checks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// runRedisAuth declares the check run.redis-auth: its hop, title, prerequisites, the
// fields it reads, and its Run (checkRedisAuth, below).
func runRedisAuth() Check {
	return Check{
		ID: "run.redis-auth", Hop: HopRun, Title: "AUTH string reaches the container",
		Summary: "with AUTH enabled, an AUTH string reaches the container, from Secret Manager rather than a plain value",
		Reads:   map[inventory.Kind][]string{inventory.KindRedis: {"authEnabled"}},
		Run:     checkRedisAuth,
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

func authVarNames(vars []authVar) string {
	names := make([]string, len(vars))
	for i, v := range vars {
		names[i] = v.Name
	}
	return strings.Join(names, ", ")
}
