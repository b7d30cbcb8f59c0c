// Package checks is the check catalogue and the small engine that runs it. A check is a
// plain value (ID, hop, title, prerequisites, Run) and a pure function of an
// inventory.Path: no I/O. The catalogue is an explicit, ordered slice (catalogue.go); each
// check is declared, above its Run function, in the file named by its ID
// (run.vpc-egress.go).
package checks

import (
	"fmt"
	"strings"
	"time"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// Check is one entry of the catalogue.
type Check struct {
	// ID is stable and public: hop.what. Never renumber or reuse one.
	ID string
	// Hop is the segment of the path the check is about.
	Hop Hop
	// Title says what the check verifies, in a few words.
	Title string
	// Summary is the one-line description `vpcdoctor checks` prints.
	Summary string
	// Requires lists the checks that must pass (or warn) before this one can say anything;
	// when one of them fails, errors or is skipped, this check is skipped with the reason.
	// Prerequisites appear earlier in the catalogue.
	Requires []string
	// Reads lists, per kind of resource on the path, the fields the check needs that a
	// Terraform plan may leave "known after apply"; when one is, the check is skipped with
	// that reason instead of judging an empty value.
	Reads map[inventory.Kind][]string
	// Run evaluates the check on one path.
	Run func(p *inventory.Path) Result
	// RunAt, set in place of Run by a check whose outcome depends on the time (a
	// maintenance window, a certificate's validity), evaluates it on one path at the run's
	// instant (see WithClock).
	RunAt func(p *inventory.Path, now time.Time) Result
}

// Result is what a check's Run returns; the engine adds the catalogue data to make a Finding.
type Result struct {
	Status      Status
	Resource    string
	Message     string
	Remediation *Remediation
	// Reason is the machine-readable reason of a skip or error (a Reason* code); the engine
	// fills a default when a check leaves it empty.
	Reason string
}

// Run runs the catalogue on one path in its declared order and returns the findings in
// that order. observe, if not nil, is called with each finding as soon as it is known,
// so text reports stream. The run reads its clock once, before the first check (the wall
// clock unless an option says otherwise), and judges every time-relative check at that
// instant.
func Run(catalogue []Check, path *inventory.Path, observe func(Finding), opts ...Option) []Finding {
	at := newRunConfig(opts).now()
	findings := make([]Finding, 0, len(catalogue))
	status := make(map[string]Status, len(catalogue))
	for _, check := range catalogue {
		result := planManagedFix(check.ID, path, runOne(check, path, status, at))
		status[check.ID] = result.Status
		finding := Finding{
			ID:          check.ID,
			Status:      result.Status,
			Title:       check.Title,
			Hop:         check.Hop,
			Service:     path.ServiceRef.Name,
			Resource:    result.Resource,
			Message:     result.Message,
			Remediation: result.Remediation,
			Docs:        DocsBase + "#" + Anchor(check.ID),
			Reason:      reasonOf(result),
		}
		finding = Sanitize(finding)
		findings = append(findings, finding)
		if observe != nil {
			observe(finding)
		}
	}
	return findings
}

func runOne(check Check, path *inventory.Path, status map[string]Status, at time.Time) (result Result) {
	for _, req := range check.Requires {
		switch st := status[req]; st {
		case Pass, Warn:
		default:
			return Result{Status: Skip, Reason: ReasonPrerequisite, Message: fmt.Sprintf("skipped: prerequisite %s is %s", req, describeStatus(st))}
		}
	}
	if gap, ok := planGap(check, path); ok {
		return gap
	}
	defer func() {
		// A check is a pure function of data we do not control; a bug in one must not take
		// the whole report down.
		if r := recover(); r != nil {
			result = Result{Status: Error, Reason: ReasonInternalError, Message: fmt.Sprintf("internal error in check %s: %v (please report this)", check.ID, r)}
		}
	}()
	if check.RunAt != nil {
		return check.RunAt(path, at)
	}
	return check.Run(path)
}

// reasonOf is the reason code of a skip or error result: the one the check gave, else the
// default for its kind. A check's own skip that points at the check that reports the cause
// ("(see connector.found)") depends on that check's outcome; any other skip means the check
// does not apply to the path.
func reasonOf(r Result) string {
	switch {
	case r.Status != Skip && r.Status != Error:
		return ""
	case r.Reason != "":
		return r.Reason
	case r.Status == Error:
		return ReasonCannotEvaluate
	case strings.Contains(r.Message, "(see "):
		return ReasonPrerequisite
	}
	return ReasonNotApplicable
}

func describeStatus(st Status) string {
	if st == "" {
		return "not run"
	}
	return string(st)
}

// planGap skips a check whose input a Terraform plan leaves unknown until apply.
func planGap(check Check, path *inventory.Path) (Result, bool) {
	// Kinds in path order, so the reason given does not depend on map iteration.
	for _, kind := range []inventory.Kind{inventory.KindService, inventory.KindConnector, inventory.KindRedis} {
		fields := check.Reads[kind]
		if len(fields) == 0 {
			continue
		}
		name := pathResource(path, kind)
		if name == "" {
			continue
		}
		if problem := path.Inv.UnknownField(kind, name, fields...); problem != nil {
			return missing(name, problem), true
		}
	}
	return Result{}, false
}

// pathResource is the canonical name of the path's resource of a kind, or "".
func pathResource(path *inventory.Path, kind inventory.Kind) string {
	switch kind {
	case inventory.KindService:
		return path.ServiceRef.String()
	case inventory.KindRedis:
		if path.RedisRef.Name == "" {
			return ""
		}
		return path.RedisRef.String()
	case inventory.KindConnector:
		if ref, ok := path.ConnectorRef(); ok {
			return ref.String()
		}
	}
	return ""
}
