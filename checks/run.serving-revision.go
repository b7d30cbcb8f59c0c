package checks

import (
	"fmt"
	"sort"
	"strings"

	"cloud.google.com/go/run/apiv2/runpb"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// runServingRevision declares the check run.serving-revision: its hop, title, prerequisites, the
// fields it reads, and its Run (checkServingRevision, below).
func runServingRevision() Check {
	return Check{
		ID: "run.serving-revision", Hop: HopRun, Title: "Serving revisions have the VPC setting",
		Summary:  "every revision that receives traffic has the template's VPC egress setting, not an older one",
		Requires: []string{"run.vpc-egress"},
		Run:      checkServingRevision,
	}
}

// The revisions that actually serve: a service's template can be right while its traffic
// still goes to an older revision deployed without the VPC setting, or with another one.

// servingRevision is a revision that receives a share of the service's traffic.
type servingRevision struct {
	Name    string // short name, e.g. cache-service-00004-wiz
	Percent int32
}

// servingRevisions lists the revisions with traffic, from the service's traffic status;
// when the status lists none, the latest ready revision serves everything.
func servingRevisions(svc *runpb.Service) []servingRevision {
	var out []servingRevision
	for _, ts := range svc.GetTrafficStatuses() {
		if ts.GetPercent() > 0 && ts.GetRevision() != "" {
			out = append(out, servingRevision{Name: inventory.ShortName(ts.GetRevision()), Percent: ts.GetPercent()})
		}
	}
	if len(out) == 0 && svc.GetLatestReadyRevision() != "" {
		out = append(out, servingRevision{Name: inventory.ShortName(svc.GetLatestReadyRevision()), Percent: 100})
	}
	return out
}

// lookupRevision finds a revision by short name under the service, whichever way the
// snapshot spells the service's project (id or number).
func lookupRevision(p *inventory.Path, name string) (*runpb.Revision, *inventory.Problem) {
	candidates := []string{
		p.ServiceRef.String() + "/revisions/" + name,
		strings.TrimSuffix(p.Service.GetName(), "/") + "/revisions/" + name,
	}
	for _, candidate := range candidates {
		if rev, problem := p.Inv.Revision(candidate); problem == nil {
			return rev, nil
		}
	}
	for _, rev := range p.Inv.Revisions {
		if inventory.ShortName(rev.GetName()) == name {
			if ref, err := inventory.ParseLocation(rev.GetName(), "services"); err == nil && ref.Name == p.ServiceRef.Name {
				return rev, nil
			}
		}
	}
	_, problem := p.Inv.Revision(candidates[0])
	return nil, problem
}

// egressOf describes a VPC setting in one canonical string, so that two spellings of the
// same setting (a short connector name and its full name, an unset egress and its default)
// compare equal.
func egressOf(p *inventory.Path, vpc *runpb.VpcAccess) string {
	if vpc == nil || (vpc.GetConnector() == "" && len(vpc.GetNetworkInterfaces()) == 0) {
		return "no VPC egress"
	}
	egress := "private-ranges-only"
	if vpc.GetEgress() == runpb.VpcAccess_ALL_TRAFFIC {
		egress = "all-traffic"
	}
	// The template's names were parsed once, when the path was selected; a revision's
	// own setting is parsed here, with the same defaults.
	template := p.ConnectorOverride == "" && vpc == p.Service.GetTemplate().GetVpcAccess()
	var parts []string
	if c := vpc.GetConnector(); c != "" {
		name := c
		if template {
			if ref, ok := p.ConnectorRef(); ok {
				name = ref.String()
			}
		} else if ref, err := inventory.ParseConnector(c, p.Project(), p.Region()); err == nil {
			name = ref.String()
		}
		parts = append(parts, "connector "+name)
	}
	for i, ni := range vpc.GetNetworkInterfaces() {
		network := ni.GetNetwork()
		if template {
			if names := p.Interfaces()[i]; network != "" && names.NetworkErr == nil {
				network = names.Network.String()
			}
		} else if ref, err := inventory.ParseNetwork(network, p.Project()); err == nil {
			network = ref.String()
		}
		tags := append([]string(nil), ni.GetTags()...)
		sort.Strings(tags)
		parts = append(parts, fmt.Sprintf("Direct VPC network %s subnet %s tags [%s]", network, inventory.ShortName(ni.GetSubnetwork()), strings.Join(tags, ",")))
	}
	return strings.Join(parts, ", ") + ", " + egress
}

// egressFlags are the gcloud flags that give a revision the template's VPC setting.
func egressFlags(p *inventory.Path, vpc *runpb.VpcAccess) string {
	egress := " --vpc-egress private-ranges-only"
	if vpc.GetEgress() == runpb.VpcAccess_ALL_TRAFFIC {
		egress = " --vpc-egress all-traffic"
	}
	if c := vpc.GetConnector(); c != "" {
		return command(" --vpc-connector %s", c) + egress
	}
	if nis := vpc.GetNetworkInterfaces(); len(nis) > 0 {
		flags := ""
		if nis[0].GetNetwork() != "" {
			flags += command(" --network %s", nis[0].GetNetwork())
		}
		if nis[0].GetSubnetwork() != "" {
			flags += command(" --subnet %s", nis[0].GetSubnetwork())
		}
		if len(nis[0].GetTags()) > 0 {
			flags += command(" --network-tags %s", nameList(nis[0].GetTags()))
		}
		return flags + egress
	}
	return ""
}

func checkServingRevision(p *inventory.Path) Result {
	svc := p.ServiceRef.String()
	if p.ConnectorOverride != "" {
		return skip(svc, "--connector %s replaces the template's connector for this run, so the serving revisions are not compared with it", p.ConnectorOverride)
	}
	serving := servingRevisions(p.Service)
	if len(serving) == 0 {
		return skip(svc, "service %s has no traffic status (a service.yaml that was never deployed): no revision serves yet", p.ServiceRef.Name)
	}
	template := p.Service.GetTemplate().GetVpcAccess()
	want := egressOf(p, template)
	var stale []string
	var stalePercent int32
	for _, sr := range serving {
		rev, problem := lookupRevision(p, sr.Name)
		if problem != nil {
			return missing(svc+"/revisions/"+sr.Name, problem)
		}
		if got := egressOf(p, rev.GetVpcAccess()); got != want {
			stale = append(stale, fmt.Sprintf("revision %s serves %d%% of traffic with %s", sr.Name, sr.Percent, got))
			stalePercent += sr.Percent
		}
	}
	if len(stale) == 0 {
		names := make([]string, len(serving))
		for i, sr := range serving {
			names[i] = fmt.Sprintf("%s (%d%%)", sr.Name, sr.Percent)
		}
		return pass(svc, "every revision with traffic, %s, has the template's VPC setting (%s)", strings.Join(names, ", "), want)
	}
	msg := fmt.Sprintf("%s, but the template sets %s: %d%% of requests cannot reach Redis the way the template intends", strings.Join(stale, "; "), want, stalePercent)
	// --to-latest is the fix only when the latest ready revision already carries the
	// template's setting; otherwise the template itself has not been deployed.
	if latest := inventory.ShortName(p.Service.GetLatestReadyRevision()); latest != "" {
		if rev, problem := lookupRevision(p, latest); problem == nil && egressOf(p, rev.GetVpcAccess()) == want {
			return fail(svc, "%s", msg).fix(fmt.Sprintf("Send all traffic to the latest revision, %s, which has the template's VPC setting.", latest),
				command("gcloud run services update-traffic %s --region %s --project %s --to-latest", p.ServiceRef.Name, p.Region(), p.Project()))
		}
	}
	return fail(svc, "%s", msg).fix("Deploy a revision with the template's VPC setting, then send all traffic to it.",
		serviceUpdate(p)+egressFlags(p, template),
		command("gcloud run services update-traffic %s --region %s --project %s --to-latest", p.ServiceRef.Name, p.Region(), p.Project()))
}
