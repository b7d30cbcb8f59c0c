package inventory

import (
	"net"
	"net/url"
	"strconv"
	"strings"

	"cloud.google.com/go/run/apiv2/runpb"
)

// Secrets never enter the inventory. Every loader (snapshot files, the service file, a
// Terraform plan, the live APIs) passes each Cloud Run service and revision through
// scrubService or scrubRevision as it is added, so no report, error or written snapshot
// can print a secret the input held: there is none left to print.
//
// What is kept is decided by an allow-list of shapes the checks need, not by guessing
// which names are secret: an environment value survives only when it is empty, a port, a
// boolean, an IP address, a DNS name or host:port, or a redis:// URL (rebuilt from its
// scheme, host, port and database number, its user info replaced by Redacted). Any other
// value becomes Redacted, which keeps what the checks read of it: that a value is present,
// and that a URL carried a password. Container arguments, commands and probe header values
// are free text and always redacted, as are annotations outside the Cloud Run and Knative
// namespaces. Secret Manager references (secret name, version) are
// not secret and are kept.

// Redacted replaces a value vpcdoctor does not keep.
const Redacted = "<redacted>"

// secretWords mark an env variable name whose value is a secret whatever its shape: a
// host-looking password is still a password.
func secretWords() []string {
	return []string{"PASS", "PWD", "SECRET", "TOKEN", "AUTH", "KEY", "CREDENTIAL", "PRIVATE"}
}

// RedactEnvValue returns what vpcdoctor keeps of an environment value (see the allow-list
// above): the value itself when its shape cannot hold a secret and its name does not say
// it is one, a redis:// URL rebuilt without its secrets, else Redacted.
func RedactEnvValue(name, value string) string {
	trimmed := strings.TrimSpace(value)
	if trimmed == "" {
		return value
	}
	upper := strings.ToUpper(name)
	for _, word := range secretWords() {
		if strings.Contains(upper, word) {
			return Redacted
		}
	}
	if safeEnvShape(trimmed) {
		return value
	}
	if rebuilt, ok := redisURLWithoutSecrets(trimmed); ok {
		return rebuilt
	}
	return Redacted
}

// safeEnvShape reports whether a value is a port, a boolean, an IP address, a DNS name or
// host:port: shapes the checks read, none of which a password generator produces.
func safeEnvShape(v string) bool {
	if isPortNumber(v) {
		return true
	}
	switch strings.ToLower(v) {
	case "true", "false", "yes", "no", "on", "off":
		return true
	}
	if IsIP(v) || IsDNSName(v) {
		return true
	}
	host, port, err := net.SplitHostPort(v)
	return err == nil && isPortNumber(port) && (IsIP(host) || IsDNSName(host))
}

func isPortNumber(s string) bool {
	if len(s) == 0 || len(s) > 5 {
		return false
	}
	n, err := strconv.Atoi(s)
	return err == nil && n >= 0 && n <= 65535 && strconv.Itoa(n) == s
}

// redisURLWithoutSecrets rebuilds a redis:// or rediss:// URL from what is not secret:
// scheme, host, port and a numeric database. A password becomes Redacted (so that the
// URL still says it carries one); a user name other than "default" too, since some
// clients read redis://PASSWORD@host as the password. Query and fragment are dropped.
func redisURLWithoutSecrets(v string) (string, bool) {
	lower := strings.ToLower(v)
	if !strings.HasPrefix(lower, "redis://") && !strings.HasPrefix(lower, "rediss://") {
		return "", false
	}
	u, err := url.Parse(v)
	if err != nil {
		return "", false
	}
	host := u.Hostname()
	if !IsIP(host) && !IsDNSName(host) {
		return "", false
	}
	if port := u.Port(); port != "" && !isPortNumber(port) {
		return "", false
	}
	out := url.URL{Scheme: strings.ToLower(u.Scheme), Host: u.Host}
	if db := strings.TrimPrefix(u.Path, "/"); db != "" && isPortNumber(db) {
		out.Path = "/" + db
	}
	if u.User != nil {
		user := u.User.Username()
		if user != "" && user != "default" {
			user = Redacted
		}
		if _, hasPassword := u.User.Password(); hasPassword {
			out.User = url.UserPassword(user, Redacted)
		} else if user != "" {
			out.User = url.User(user)
		}
	}
	return out.String(), true
}

// scrubService removes every secret from a service in place (see RedactEnvValue).
func scrubService(svc *runpb.Service) {
	scrubContainers(svc.GetTemplate().GetContainers())
	scrubAnnotations(svc.GetAnnotations())
	scrubAnnotations(svc.GetTemplate().GetAnnotations())
}

// scrubRevision removes every secret from a revision in place.
func scrubRevision(rev *runpb.Revision) {
	scrubContainers(rev.GetContainers())
	scrubAnnotations(rev.GetAnnotations())
}

// annotationPrefixes are the annotation namespaces Cloud Run and Knative define; their
// values are settings (scaling, VPC access, client names). Any other annotation is free
// text a user wrote, and its value is redacted.
func annotationPrefixes() []string {
	return []string{"run.googleapis.com/", "autoscaling.knative.dev/", "serving.knative.dev/", "client.knative.dev/", "cloud.googleapis.com/"}
}

func scrubAnnotations(annotations map[string]string) {
	for key, value := range annotations {
		known := false
		for _, prefix := range annotationPrefixes() {
			if strings.HasPrefix(key, prefix) {
				known = true
				break
			}
		}
		if !known && value != "" {
			annotations[key] = Redacted
		}
	}
}

func scrubContainers(containers []*runpb.Container) {
	for _, c := range containers {
		for _, env := range c.GetEnv() {
			if v, ok := env.GetValues().(*runpb.EnvVar_Value); ok {
				v.Value = RedactEnvValue(env.GetName(), v.Value)
			}
		}
		redactAll(c.Args)
		redactAll(c.Command)
		for _, probe := range []*runpb.Probe{c.GetStartupProbe(), c.GetLivenessProbe()} {
			for _, header := range probe.GetHttpGet().GetHttpHeaders() {
				if header.Value != "" {
					header.Value = Redacted
				}
			}
		}
	}
}

func redactAll(values []string) {
	for i := range values {
		values[i] = Redacted
	}
}
