package checks

import (
	"fmt"
	"strings"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// These constructors keep check bodies short and their messages formatted alike.

func pass(resource, format string, args ...any) Result {
	return Result{Status: Pass, Resource: resource, Message: fmt.Sprintf(format, args...)}
}

func warn(resource, format string, args ...any) Result {
	return Result{Status: Warn, Resource: resource, Message: fmt.Sprintf(format, args...)}
}

func fail(resource, format string, args ...any) Result {
	return Result{Status: Fail, Resource: resource, Message: fmt.Sprintf(format, args...)}
}

func skip(resource, format string, args ...any) Result {
	return Result{Status: Skip, Resource: resource, Message: fmt.Sprintf(format, args...)}
}

// fix attaches a remediation: one sentence and the commands that apply it.
func (r Result) fix(text string, commands ...string) Result {
	r.Remediation = &Remediation{Text: text, Commands: commands}
	if r.Remediation.Commands == nil {
		r.Remediation.Commands = []string{}
	}
	return r
}

// missing turns a lookup problem into an error finding: the check could not be evaluated,
// and the message says what to grant or load so that it can.
func missing(resource string, problem *inventory.Problem) Result {
	if problem.Code == inventory.KnownAfterApply {
		// A Terraform plan leaves the value to apply time: not a failure, not a pass.
		return Result{Status: Skip, Reason: ReasonKnownAfterApply, Resource: resource, Message: "skipped until terraform apply: " + problem.Error()}
	}
	if problem.Code == inventory.NotLoaded && problem.Name == "" {
		// A whole kind is missing: name the resource this check needed it for, so the
		// command that would supply it carries the real names.
		named := *problem
		named.Name = resource
		problem = &named
	}
	r := Result{Status: Error, Reason: reasonForProblem(problem.Code), Resource: resource, Message: "cannot evaluate: " + problem.Error()}
	switch problem.Code {
	case inventory.NotFound:
		return r.fix("Check that the resource exists and that vpcdoctor looks in the right project and region.", command("gcloud %s --project %s", shell(inventory.ListingCommand(problem.Kind)), projectOrPlaceholder(problem.Name, resource)))
	case inventory.PermissionDenied:
		if problem.Role != "" {
			return r.fix(fmt.Sprintf("Grant %s (it includes %s) to the account running vpcdoctor, or run it as an account that has it.", problem.Role, problem.Permission),
				command("gcloud projects add-iam-policy-binding %s --member user:YOU@example.com --role %s", projectOrPlaceholder(problem.Name, resource), problem.Role))
		}
	case inventory.NotLoaded:
		command := inventory.SnapshotCommand(problem.Kind, problem.Name)
		extension := ".yaml"
		if strings.HasSuffix(command, "--format json") {
			extension = ".json"
		}
		return r.fix("Add the missing gcloud output to the snapshot directory and run again.", command+" > SNAPSHOT_DIR/"+string(problem.Kind)+extension)
	case inventory.Unavailable:
		return r.fix("The API did not answer in time; run again, or raise --timeout.")
	}
	return r
}

// reasonForProblem maps an inventory problem to the finding's reason code.
func reasonForProblem(code inventory.Code) string {
	switch code {
	case inventory.NotFound:
		return ReasonNotFound
	case inventory.PermissionDenied:
		return ReasonPermissionDenied
	case inventory.NotLoaded:
		return ReasonNotLoaded
	case inventory.Unavailable:
		return ReasonUnavailable
	}
	return ReasonCannotEvaluate
}

// projectOrPlaceholder names the project of the first name that has one.
func projectOrPlaceholder(names ...string) string {
	for _, name := range names {
		if p := inventory.ProjectOf(name); p != "" && p != inventory.Unknown {
			return p
		}
	}
	return "PROJECT"
}

// redisUnknown is the result of a check that compares against the Redis instance when the
// instance could not be chosen or read; redis.found reports why.
func redisUnknown(p *inventory.Path) Result {
	r := skip(p.RedisRef.String(), "skipped: the Redis instance is not available (see redis.found)")
	r.Reason = ReasonPrerequisite
	return r
}
