package inventory

import "strings"

// A Terraform plan describes values that only exist once it is applied: the host of a Redis
// instance it creates, the id of a connector, anything computed from those. A check that
// needs such a value cannot say pass or fail before the apply; it is skipped with the reason.
// The inventory carries these gaps as Problems with Code KnownAfterApply, in two sizes:
//
//   - a whole resource: its name itself is unknown (e.g. built from a random suffix), so it
//     cannot be placed in the inventory. The Problem is named like the resource would be and
//     every lookup of that name returns it, exactly as for a resource that could not be read.
//   - one field of a resource that is in the inventory (Redis host, a connector's network):
//     the resource is there with the field empty, and UnknownField reports the gap; a check
//     that reads the field asks UnknownField first.

// KnownAfterApply: the value is only known once the Terraform plan is applied.
const KnownAfterApply Code = "known-after-apply"

// afterApply is the usual reason in the Detail of a KnownAfterApply problem, which reads
// "FIELD is known only after terraform apply (ADDRESS)": Problem.Error() is then a sentence,
// and the field is the text before " is ".
const afterApply = " is known only after terraform apply"

// MarkUnknown records that a field of a resource (its API JSON name, e.g. "host",
// "authorizedNetwork", "template.vpcAccess.connector") will only be known after apply. The
// address is the Terraform resource address the value comes from, for the message.
func (inv *Inventory) MarkUnknown(kind Kind, name, field, address string) {
	inv.NoteGap(kind, name, field, afterApply[1:], address)
}

// UnknownField returns the KnownAfterApply problem of the first of fields that a Terraform
// plan leaves unknown for the named resource (its canonical name), or nil when they are all
// known. A field matches itself and any field inside it ("template.vpcAccess" covers
// "template.vpcAccess.connector" and the other way round). Fields are tried in the order
// given, and the problems of one field in the order they were recorded, so the reason a
// check is skipped for is the same on every run.
func (inv *Inventory) UnknownField(kind Kind, name string, fields ...string) *Problem {
	for _, field := range fields {
		for _, p := range inv.Problems {
			if p.Code != KnownAfterApply || p.Kind != kind || p.Name != name {
				continue
			}
			unknown := UnknownFieldOf(p)
			if unknown == field || strings.HasPrefix(unknown, field+".") || strings.HasPrefix(field, unknown+".") {
				return p
			}
		}
	}
	return nil
}

// EnvField is the field under which a plan's gaps in a Cloud Run service's environment are
// recorded. The gap of one variable, whose value is unknown or sensitive, is EnvField + "."
// + its name; EnvField itself is unknown when the plan does not know which variables there
// are (the list, or a variable's name, is decided at apply). A check asks UnknownEnvVar for
// the variables it reads, so an unknown variable it does not read does not skip it.
const EnvField = "template.containers.env"

// UnknownEnvVar returns the KnownAfterApply problem of the first of the named environment
// variables of a service (canonical name) that a plan leaves unknown or sensitive, or of
// the environment as a whole when the plan does not know which variables it has (any of
// them might be one of these); nil when the plan gives them all. With no names, only the
// whole environment is asked about.
func (inv *Inventory) UnknownEnvVar(service string, names ...string) *Problem {
	// A gap of the environment as a whole, or of what contains it, comes first: it is the
	// reason any one variable is unknown.
	for _, p := range inv.Problems {
		if p.Code != KnownAfterApply || p.Kind != KindService || p.Name != service {
			continue
		}
		if field := UnknownFieldOf(p); field == EnvField || strings.HasPrefix(EnvField, field+".") {
			return p
		}
	}
	for _, name := range names {
		if p := inv.UnknownField(KindService, service, EnvField+"."+name); p != nil {
			return p
		}
	}
	return nil
}

// UnknownEnv returns the first KnownAfterApply problem of any variable of a service's
// environment, or of the environment as a whole; nil when the plan gives every value.
func (inv *Inventory) UnknownEnv(service string) *Problem {
	return inv.UnknownField(KindService, service, EnvField)
}

// UnknownFieldOf returns the field a KnownAfterApply problem is about ("" for other codes):
// the Detail up to its verb, " is " or " are ".
func UnknownFieldOf(p *Problem) string {
	if p == nil || p.Code != KnownAfterApply {
		return ""
	}
	end := len(p.Detail)
	for _, verb := range []string{" is ", " are "} {
		if i := strings.Index(p.Detail, verb); i >= 0 && i < end {
			end = i
		}
	}
	return p.Detail[:end]
}

// Side effects of an apply. Some resources exist after `terraform apply` although no plan
// lists them, because Google creates them along with one the plan creates. A check that
// looks for them in a plan would fail a deploy that works; the resource the plan creates
// carries the gap instead (a KnownAfterApply problem on a pseudo-field), and the check asks
// UnknownField for it.
const (
	// ConnectorFirewallRules: the ingress rules a Serverless VPC Access connector needs
	// (aet-... rules) are created by Google when it creates the connector in its network's
	// own project; in a Shared VPC service project they are not, and must be in the plan or
	// the snapshot.
	ConnectorFirewallRules = "its firewall rules"
	// RedisPeering: Memorystore sets up the redis-peer-* peering to the authorized network
	// when it creates a DIRECT_PEERING instance.
	RedisPeering = "its peering"
)

// UnknownResource records a resource whose name is only known after apply: every lookup
// of name (the canonical name it is referred to by) returns this problem.
func (inv *Inventory) UnknownResource(kind Kind, name, address string) {
	inv.MarkUnknown(kind, name, "its name", address)
}
