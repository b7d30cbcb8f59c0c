package checks

import (
	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// runColdStart declares the check run.cold-start: its hop, title, prerequisites, the
// fields it reads, and its Run (checkColdStart, below).
func runColdStart() Check {
	return Check{
		ID: "run.cold-start", Hop: HopRun, Title: "An instance stays warm",
		Summary: "min instances is at least 1, so idle periods do not cost a cold start and new Redis connections",
		Run:     checkColdStart,
	}
}

func checkColdStart(p *inventory.Path) Result {
	svc := p.ServiceRef.String()
	revisionMin := p.Service.GetTemplate().GetScaling().GetMinInstanceCount()
	serviceMin := p.Service.GetScaling().GetMinInstanceCount()
	switch {
	case revisionMin > 0:
		return pass(svc, "service %s keeps %d instance(s) warm (min instances on the revision template), so Redis connections survive idle periods", p.ServiceRef.Name, revisionMin)
	case serviceMin > 0:
		return pass(svc, "service %s keeps %d instance(s) warm (service-level min instances), so Redis connections survive idle periods", p.ServiceRef.Name, serviceMin)
	}
	msg := "service %s has min instances 0: after an idle period the first request waits for a new instance, which must open its Redis connections (and TLS/AUTH handshakes) before it can answer"
	if len(p.VpcAccess().GetNetworkInterfaces()) > 0 {
		msg += "; with Direct VPC egress, establishing connections at instance start can take a minute or more"
	}
	return warn(svc, msg, p.ServiceRef.Name).
		fix("Keep one instance warm (it is billed while idle), and make the client connect with retries at startup.",
			serviceUpdate(p)+" --min-instances 1")
}
