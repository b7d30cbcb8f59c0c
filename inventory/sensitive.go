package inventory

import (
	"fmt"
	"strings"
)

// Terraform marks a whole list sensitive when one value in it is (the env list of a
// service whose one variable comes from a sensitive variable), so a sensitive marker does
// not say the value is a secret, only that it must not be shown. The plan JSON carries the
// values all the same. The checks judge them (a plain AUTH string is exactly what they must
// catch) through a redacted form that keeps what a verdict needs and drops what could be a
// secret; SensitiveEnv says which variables those are, and no message shows their values.

// SensitivePlaceholder stands for a sensitive value that is not an endpoint or a port: an
// AUTH string, a password, or anything else. It parses as nothing, like most secrets.
const SensitivePlaceholder = "(sensitive value, not kept)"

// sensitivePassword replaces the password of a redis:// URL that is sensitive.
const sensitivePassword = "REDACTED"

// LooksLikeAuthVar reports whether a variable's name says it holds a Redis AUTH string:
// REDIS and one of AUTH, PASSWORD, PASSWD, PASS, SECRET, TOKEN, CREDENTIAL.
func LooksLikeAuthVar(name string) bool {
	upper := strings.ToUpper(name)
	if !strings.Contains(upper, "REDIS") {
		return false
	}
	for _, part := range []string{"AUTH", "PASSWORD", "PASSWD", "PASS", "SECRET", "TOKEN", "CREDENTIAL"} {
		if strings.Contains(upper, part) {
			return true
		}
	}
	return false
}

// RedactSensitive returns the form of a sensitive environment value the inventory keeps:
// "" for an empty value; a port number as it is; an endpoint (IP, host:port, redis:// URL)
// rebuilt from its parts, with a password replaced; SensitivePlaceholder for anything else,
// and always for a variable named like an AUTH string.
func RedactSensitive(name, value string) string {
	trimmed := strings.TrimSpace(value)
	switch {
	case trimmed == "":
		return ""
	case LooksLikeAuthVar(name):
		return SensitivePlaceholder
	case len(trimmed) <= 5 && IsProjectNumber(trimmed):
		return trimmed
	}
	ep, ok := ParseEnvEndpoint(trimmed)
	if !ok {
		return SensitivePlaceholder
	}
	host := ep.Host
	if strings.Contains(host, ":") {
		if !IsIP(host) {
			return SensitivePlaceholder // no endpoint a client could use
		}
		host = "[" + host + "]" // an IPv6 address in a URL or host:port
	}
	switch {
	case ep.Scheme != "":
		userinfo := ""
		if ep.Password {
			userinfo = ":" + sensitivePassword + "@"
		}
		port := ""
		if ep.Port != 0 {
			port = fmt.Sprintf(":%d", ep.Port)
		}
		return ep.Scheme + "://" + userinfo + host + port
	case ep.Port != 0:
		return fmt.Sprintf("%s:%d", host, ep.Port)
	}
	return ep.Host
}

// PlanManaged is a resource a Terraform plan manages (creates, updates or keeps): its fix
// is a change to the configuration, not a gcloud command Terraform would revert.
type PlanManaged struct {
	// Address is the resource's address in the plan, e.g. google_vpc_access_connector.main.
	Address string
	// Type is its resource type, e.g. google_vpc_access_connector.
	Type string
}

// NotePlanManaged records that a Terraform plan manages the resource of that canonical
// name, as the resource of that address and type: its fix is then a change to the plan's
// configuration (PlanManagedResource).
func (inv *Inventory) NotePlanManaged(name, address, typ string) {
	if inv.planManaged == nil {
		inv.planManaged = map[string]PlanManaged{}
	}
	inv.planManaged[RelativeName(name)] = PlanManaged{Address: address, Type: typ}
}

// PlanManagedResource returns the plan resource behind a canonical resource name, when a
// Terraform plan manages it.
func (inv *Inventory) PlanManagedResource(name string) (PlanManaged, bool) {
	m, ok := inv.planManaged[RelativeName(name)]
	return m, ok
}

// MarkSensitiveEnv records that a Terraform plan marks the value of a service's variable
// (service: its canonical name) sensitive: the inventory then holds only its redacted
// form (RedactSensitive), and SensitiveEnv tells the checks not to show it.
func (inv *Inventory) MarkSensitiveEnv(service, variable string) {
	setNested(&inv.sensitiveEnv, service, variable, true)
}

// SensitiveEnv reports whether a Terraform plan marks the value of a service's variable
// sensitive: the inventory holds its redacted form (RedactSensitive), and no message may
// show it.
func (inv *Inventory) SensitiveEnv(service, variable string) bool {
	return inv.sensitiveEnv[service][variable]
}
