// Package finding is the vocabulary every part of vpcdoctor shares about an outcome: the
// Status of a check, the Finding it produces (with its Remediation, Hop and reason code),
// the hops' titles and the documentation anchors. It is a leaf: it imports nothing of
// vpcdoctor but internal/sanitize, so the check engine, the data-plane probe and the
// reporters can all depend on it without depending on one another.
package finding

// Status is the outcome of one check. The values are part of the JSON contract.
type Status string

// The statuses a check can end in, from best to worst for exit-code purposes
// (skip and error are not "worse" than pass for --fail-on; error drives exit 3).
const (
	Pass  Status = "pass"
	Warn  Status = "warn"
	Fail  Status = "fail"
	Skip  Status = "skip"
	Error Status = "error"
)

// Statuses lists every status in the order reports print their counts.
var Statuses = []Status{Pass, Warn, Fail, Skip, Error}

// Severity orders pass < warn < fail, which is what --fail-on compares against.
// skip and error rank with pass: they are not failures (error sets exit code 3 instead).
func (s Status) Severity() int {
	switch s {
	case Warn:
		return 1
	case Fail:
		return 2
	default:
		return 0
	}
}

// Remediation is what to do about a finding: one sentence and the exact commands,
// filled in with the user's real names.
type Remediation struct {
	Text     string   `json:"text"`
	Commands []string `json:"commands"`
}

// Finding is the result of one check on one path. Its JSON form is the public contract
// that runbooks and CI consume: fields may be added, never renamed or removed without
// bumping the report schema version.
type Finding struct {
	ID          string       `json:"id"`
	Status      Status       `json:"status"`
	Title       string       `json:"title"`
	Hop         Hop          `json:"hop"`
	Service     string       `json:"service,omitempty"`
	Resource    string       `json:"resource,omitempty"`
	Message     string       `json:"message"`
	Remediation *Remediation `json:"remediation,omitempty"`
	Docs        string       `json:"docs,omitempty"`
	Ignored     bool         `json:"ignored,omitempty"`
	// Source is the input file the finding's resource was read from (a snapshot file, the
	// Terraform plan, the service file), as given on the command line; empty for the live
	// APIs and the built-in demo scenarios.
	Source string `json:"source,omitempty"`
	// Line is the line of Source where the finding's resource is declared (1-based); 0 when
	// the line is not known.
	Line int `json:"line,omitempty"`
	// Reason is the machine-readable reason of a skip or error finding, one of the Reason*
	// codes; empty on pass, warn and fail.
	Reason string `json:"reason,omitempty"`
	// Cause is the machine-readable classification of what a data-plane probe step observed
	// (the probe's cause codes, documented in docs/probe.md); empty for the other checks.
	Cause string `json:"cause,omitempty"`
}

// The reasons a finding is skip or error. They are part of the JSON contract: never renamed
// or reused; new ones may be added.
const (
	// ReasonPrerequisite: a check this one requires did not pass or warn.
	ReasonPrerequisite = "prerequisite-not-met"
	// ReasonNotApplicable: the check does not apply to this path (e.g. a connector check on
	// a service that uses Direct VPC egress).
	ReasonNotApplicable = "not-applicable"
	// ReasonKnownAfterApply: a value the check needs is decided by terraform apply.
	ReasonKnownAfterApply = "known-after-apply"
	// ReasonNotFound: a resource the check reads does not exist where it was looked for.
	ReasonNotFound = "not-found"
	// ReasonPermissionDenied: the account running vpcdoctor may not read a resource.
	ReasonPermissionDenied = "permission-denied"
	// ReasonNotLoaded: the input (a snapshot directory) does not hold a resource it needs.
	ReasonNotLoaded = "not-loaded"
	// ReasonUnavailable: the API did not answer in time.
	ReasonUnavailable = "unavailable"
	// ReasonCannotEvaluate: the check could not be evaluated for another reason its
	// message states.
	ReasonCannotEvaluate = "cannot-evaluate"
	// ReasonInternalError: the check itself failed (a bug in vpcdoctor).
	ReasonInternalError = "internal-error"
)

// Reasons lists every reason code, for the JSON schema's test.
var Reasons = []string{ReasonPrerequisite, ReasonNotApplicable, ReasonKnownAfterApply, ReasonNotFound,
	ReasonPermissionDenied, ReasonNotLoaded, ReasonUnavailable, ReasonCannotEvaluate, ReasonInternalError}

// Hop names one segment of the Cloud Run → Memorystore path; text reports group by it.
type Hop string

// The hops in path order.
const (
	HopRun       Hop = "run"
	HopConnector Hop = "connector"
	HopVPC       Hop = "vpc"
	HopRedis     Hop = "redis"
	HopProbe     Hop = "probe"
)

// Hops lists the hops in the order the path crosses them.
var Hops = []Hop{HopRun, HopConnector, HopVPC, HopRedis, HopProbe}

// HopTitle is the heading a report prints for a hop.
func HopTitle(h Hop) string {
	switch h {
	case HopRun:
		return "Cloud Run service"
	case HopConnector:
		return "Serverless VPC Access connector"
	case HopVPC:
		return "VPC network"
	case HopRedis:
		return "Memorystore for Redis"
	case HopProbe:
		return "Data plane probe"
	}
	return string(h)
}
