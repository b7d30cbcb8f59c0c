package checks

import "github.com/vpcdoctor/vpcdoctor/finding"

// The outcome vocabulary lives in package finding, which the probe and the reporters share
// without importing the check engine. The aliases below keep the names the checks' own
// files have always used (Pass, Finding, HopRedis, ReasonNotFound, ...), so that moving the
// types changed no check body; they are the same types, not copies, and new code outside
// this package should name package finding directly.

// Status is finding.Status: the outcome of one check.
type Status = finding.Status

// The statuses a check can end in (finding.Pass, ...).
const (
	Pass  = finding.Pass
	Warn  = finding.Warn
	Fail  = finding.Fail
	Skip  = finding.Skip
	Error = finding.Error
)

// Remediation is finding.Remediation: what to do about a finding.
type Remediation = finding.Remediation

// Finding is finding.Finding: the result of one check on one path.
type Finding = finding.Finding

// The reasons a finding is skip or error (finding.ReasonPrerequisite, ...).
const (
	ReasonPrerequisite     = finding.ReasonPrerequisite
	ReasonNotApplicable    = finding.ReasonNotApplicable
	ReasonKnownAfterApply  = finding.ReasonKnownAfterApply
	ReasonNotFound         = finding.ReasonNotFound
	ReasonPermissionDenied = finding.ReasonPermissionDenied
	ReasonNotLoaded        = finding.ReasonNotLoaded
	ReasonUnavailable      = finding.ReasonUnavailable
	ReasonCannotEvaluate   = finding.ReasonCannotEvaluate
	ReasonInternalError    = finding.ReasonInternalError
)

// Hop is finding.Hop: one segment of the Cloud Run → Memorystore path.
type Hop = finding.Hop

// The hops in path order (finding.HopRun, ...).
const (
	HopRun       = finding.HopRun
	HopConnector = finding.HopConnector
	HopVPC       = finding.HopVPC
	HopRedis     = finding.HopRedis
	HopProbe     = finding.HopProbe
)

// DocsBase is finding.DocsBase: where each check's documentation lives.
const DocsBase = finding.DocsBase

// HopTitle is finding.HopTitle: the heading a report prints for a hop.
func HopTitle(h Hop) string { return finding.HopTitle(h) }

// Anchor is finding.Anchor: the Markdown heading anchor of a check in docs/checks.md.
func Anchor(id string) string { return finding.Anchor(id) }

// Sanitize is finding.Sanitize: every input-carrying string of f made one printable line.
func Sanitize(f Finding) Finding { return finding.Sanitize(f) }

// Hops is finding.Hops: the hops in the order the path crosses them.
var Hops = finding.Hops
