package checks

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
}

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
