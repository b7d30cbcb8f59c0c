package inventory

import (
	"regexp"
	"sort"
	"strings"

	"cloud.google.com/go/iam/apiv1/iampb"
	"cloud.google.com/go/run/apiv2/runpb"
)

// Projects are named two ways: gcloud prints the project *number* as a Knative service's
// namespace, while the other APIs name the project by its *id*. The inventory keeps the
// evidence a snapshot carries that ties one to the other, so a check never compares a
// number with an id (and never fails on an identity it could not resolve).

// ProjectIdentity ties a project number to a project id, with the evidence for it.
type ProjectIdentity struct {
	ID, Number string
	// Evidence says where the pair comes from, for messages.
	Evidence string
	// Weak marks evidence that names a likely rather than a certain pair (the one project
	// the other resources of a snapshot agree on).
	Weak bool
}

// IAMPolicy is a project's IAM policy, as `gcloud projects get-iam-policy PROJECT --format
// json` prints it. The answer does not name its project: ProjectNumber is read from the
// policy's own service agents (the service-NUMBER@… members bound to a roles/*.serviceAgent
// role, which each API grants its agent on the agent's own project), "" when they name none
// or disagree.
type IAMPolicy struct {
	Policy        *iampb.Policy
	ProjectNumber string
	// Source is the file the policy was read from.
	Source string
}

var (
	serviceAgentMemberRe = regexp.MustCompile(`^serviceAccount:service-([0-9]+)@[a-z0-9-]+\.iam\.gserviceaccount\.com$`)
	redisAgentRe         = regexp.MustCompile(`service-([0-9]+)@cloud-redis\.iam\.gserviceaccount\.com$`)
	computeDefaultSARe   = regexp.MustCompile(`^([0-9]+)-compute@developer\.gserviceaccount\.com$`)
	userManagedSARe      = regexp.MustCompile(`^[a-z][a-z0-9-]*@([a-z][a-z0-9-]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$`)
)

// AddIAMPolicy adds a project's IAM policy, read from source. Its project is told by the
// policy's own service agents (see IAMPolicy).
func (inv *Inventory) AddIAMPolicy(policy *iampb.Policy, source string) {
	inv.IAMPolicies = append(inv.IAMPolicies, &IAMPolicy{Policy: policy, ProjectNumber: policyProjectNumber(policy), Source: source})
}

// policyProjectNumber is the number of the project whose policy this is, read from its
// service agents; "" when they name none or disagree.
func policyProjectNumber(policy *iampb.Policy) string {
	votes := map[string]int{}
	for _, b := range policy.GetBindings() {
		for _, member := range b.GetMembers() {
			if strings.HasSuffix(b.GetRole(), ".serviceAgent") {
				if m := serviceAgentMemberRe.FindStringSubmatch(member); m != nil {
					votes[m[1]]++
				}
			}
		}
	}
	if len(votes) != 1 {
		return ""
	}
	for number := range votes {
		return number
	}
	return ""
}

// projectIdentities gathers every number ↔ id pair the inventory carries evidence for:
// project descriptions; a Redis instance's persistenceIamIdentity (the Memorystore service
// agent service-NUMBER@cloud-redis of the instance's own project); a service named by id
// that runs as its project's Compute Engine default service account NUMBER-compute@…; a
// Knative service named by number whose latest ready revision the inventory holds under a
// project id (the API's v2 answer names it by id); and
// a Knative service named by number that runs as a user-managed service account of
// project ID (NAME@ID.iam.gserviceaccount.com; a service account can also be used from
// another project, which is uncommon, so every message names the evidence it rests on).
// They are gathered once per index (see collectIdentities): a change a loader makes
// gathers them again.
func (inv *Inventory) projectIdentities() []ProjectIdentity {
	ix := inv.idx()
	ix.identitiesOnce.Do(func() { ix.identities = inv.collectIdentities() })
	return ix.identities
}

// collectIdentities gathers the pairs projectIdentities returns, reading every project
// description, Redis instance, service and revision once.
func (inv *Inventory) collectIdentities() []ProjectIdentity {
	out := append([]ProjectIdentity(nil), inv.Projects...)
	for _, r := range inv.RedisInstances {
		id := ProjectOf(r.GetName())
		if m := redisAgentRe.FindStringSubmatch(r.GetPersistenceIamIdentity()); m != nil && id != "" && !IsProjectNumber(id) {
			out = append(out, ProjectIdentity{ID: id, Number: m[1], Evidence: "persistenceIamIdentity of Redis " + ShortName(r.GetName())})
		}
	}
	for _, svc := range inv.Services {
		project := ProjectOf(svc.GetName())
		sa := svc.GetTemplate().GetServiceAccount()
		switch {
		case project == "" || project == Unknown:
		case !IsProjectNumber(project):
			if m := computeDefaultSARe.FindStringSubmatch(sa); m != nil {
				out = append(out, ProjectIdentity{ID: project, Number: m[1], Evidence: "service " + ShortName(svc.GetName()) + " runs as " + sa})
			}
		default:
			if id, rev := revisionProject(inv, svc); id != "" {
				out = append(out, ProjectIdentity{ID: id, Number: project, Evidence: "revision " + rev + " of service " + ShortName(svc.GetName()) + " is named in project " + id})
			}
			if m := userManagedSARe.FindStringSubmatch(sa); m != nil {
				out = append(out, ProjectIdentity{ID: m[1], Number: project, Evidence: "service " + ShortName(svc.GetName()) + " (namespace " + project + ") runs as " + sa})
			}
		}
	}
	return out
}

// revisionProject is the project id in the name of a revision of svc (a Knative service
// named by project number): the revision its status names as latest ready, found among the
// revisions the inventory holds under the same region and service name with a project id.
func revisionProject(inv *Inventory, svc *runpb.Service) (id, revision string) {
	revision = ShortName(svc.GetLatestReadyRevision())
	if revision == "" {
		return "", ""
	}
	service, err := ParseLocation(svc.GetName(), "services")
	if err != nil {
		return "", ""
	}
	for _, r := range inv.Revisions {
		ref, err := ParseLocation(strings.Split(r.GetName(), "/revisions/")[0], "services")
		if err != nil || IsProjectNumber(ref.Project) || ref.Name != service.Name || ref.Region != service.Region || ShortName(r.GetName()) != revision {
			continue
		}
		return ref.Project, revision
	}
	return "", ""
}

// ProjectID returns the id of the project numbered number, with the evidence; ok is false
// when the inventory does not say. Certain evidence wins over weak.
func (inv *Inventory) ProjectID(number string) (ProjectIdentity, bool) {
	return bestIdentity(inv.projectIdentities(), func(pi ProjectIdentity) bool { return pi.Number == number })
}

// ProjectNumber returns the number of the project with id id, with the evidence.
func (inv *Inventory) ProjectNumber(id string) (ProjectIdentity, bool) {
	if IsProjectNumber(id) {
		return ProjectIdentity{ID: id, Number: id, Evidence: "the name itself"}, true
	}
	return bestIdentity(inv.projectIdentities(), func(pi ProjectIdentity) bool { return pi.ID == id })
}

func bestIdentity(all []ProjectIdentity, match func(ProjectIdentity) bool) (ProjectIdentity, bool) {
	var found []ProjectIdentity
	for _, pi := range all {
		if match(pi) {
			found = append(found, pi)
		}
	}
	if len(found) == 0 {
		return ProjectIdentity{}, false
	}
	sort.SliceStable(found, func(i, j int) bool { return !found[i].Weak && found[j].Weak })
	return found[0], true
}

// SameProject says whether two project names (each an id or a number) name the same
// project; known is false when one is a number the inventory cannot tie to the other.
func (inv *Inventory) SameProject(a, b string) (same, known bool) {
	if a == b {
		return true, true
	}
	an, bn := IsProjectNumber(a), IsProjectNumber(b)
	switch {
	case an && bn, !an && !bn:
		return false, true
	case an:
		a, b = b, a // a is the id, b the number
	}
	if pi, ok := inv.ProjectNumber(a); ok && !pi.Weak {
		return pi.Number == b, true
	}
	if pi, ok := inv.ProjectID(b); ok && !pi.Weak {
		return pi.ID == a, true
	}
	return false, false
}

// IAMPolicyOf returns the loaded IAM policy of project (an id or a number), if one was
// loaded and its project can be told.
func (inv *Inventory) IAMPolicyOf(project string) (*IAMPolicy, bool) {
	number := project
	if !IsProjectNumber(project) {
		pi, ok := inv.ProjectNumber(project)
		if !ok || pi.Weak {
			return nil, false
		}
		number = pi.Number
	}
	for _, p := range inv.IAMPolicies {
		if p.ProjectNumber != "" && p.ProjectNumber == number {
			return p, true
		}
	}
	return nil, false
}
