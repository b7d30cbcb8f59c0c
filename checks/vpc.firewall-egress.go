package checks

import (
	"fmt"
	"net/netip"

	"github.com/vpcdoctor/vpcdoctor/firewall"
	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// vpcFirewallEgress declares the check vpc.firewall-egress: its hop, title, prerequisites, the
// fields it reads, and its Run (checkFirewallEgress, below).
func vpcFirewallEgress() Check {
	return Check{
		ID: "vpc.firewall-egress", Hop: HopVPC, Title: "Firewall lets traffic out to Redis",
		Summary: "the network's firewall policies and egress firewall rules allow tcp from the connector or Direct VPC interface to the Redis host and port",
		Reads: map[inventory.Kind][]string{inventory.KindRedis: {"host", "port"}, inventory.KindConnector: {"network", "subnet", "ipCidrRange"},
			inventory.KindService: {"template.vpcAccess.networkInterfaces"}},
		Run: checkFirewallEgress,
	}
}

func checkFirewallEgress(p *inventory.Path) Result {
	if p.Redis == nil {
		return redisUnknown(p)
	}
	src, early := pathSource(p)
	if early != nil {
		return *early
	}
	nf, early := ruleSetOf(p, src.Network, src.Region)
	if early != nil {
		return *early
	}
	host, err := netip.ParseAddr(p.Redis.GetHost())
	if err != nil {
		return fail(p.RedisRef.String(), "Redis %s reports host %q, which is not an IP address", p.RedisRef.Name, p.Redis.GetHost())
	}
	port := redisPort(p.Redis)
	verdict := nf.rs.Egress(firewall.Packet{Src: src.Endpoint, Dst: firewall.Endpoint{IP: host}, Protocol: "tcp", Port: port})
	what := fmt.Sprintf("egress from %s to Redis %s at %s:%d (tcp) on network %s", src.Describe, p.RedisRef.Name, host, port, src.Network)
	destination := host.String() + "/32"
	if reserved, err := netip.ParsePrefix(p.Redis.GetReservedIpRange()); err == nil && reserved.Contains(host) {
		destination = reserved.String()
	}
	want := policyAllow{
		network: src.Network, region: src.Region, direction: firewall.DirectionEgress, peers: []string{destination},
		traffic: fmt.Sprintf("tcp:%d", port), serviceAccounts: src.Endpoint.ServiceAccounts,
	}
	if verdict.Uncertain != "" {
		r := warn(src.Network.String(), "%s is %s, but uncertain: %s%s", what, verdict.Reason, verdict.Uncertain, nf.note)
		text, commands := uncertainFix(verdict, want)
		return r.fix(text, commands...)
	}
	if verdict.Allowed {
		if nf.policiesUnknown != nil {
			return policiesUnknownResult(src.Network.String(), what+" is "+verdict.Reason+nf.note, nf.policiesUnknown)
		}
		return pass(src.Network.String(), "%s is %s%s", what, verdict.Reason, nf.note)
	}
	if verdict.PolicyRule != nil {
		text, command := policyAllowFix(verdict.Policy, verdict.PolicyRule, want)
		return fail(src.Network.String(), "%s is %s (Connectivity Tests: FIREWALL_RULE)%s", what, verdict.Reason, nf.note).fix(text, command...)
	}
	rules := nf.rules
	cmd := command("gcloud compute firewall-rules create %s --network %s --direction EGRESS --action ALLOW --rules tcp:%d --destination-ranges %s --priority %d",
		ruleNameFree(rules, "allow-redis-egress"), src.Network.Name, port, destination, priorityAbove(verdict.Rule))
	if src.TargetTag != "" {
		cmd += command(" --target-tags %s", src.TargetTag)
	}
	cmd += command(" --project %s", src.Network.Project)
	text := fmt.Sprintf("Allow the traffic with a rule that outranks %s, limited to the Redis range and port.", firewall.Describe(verdict.Rule))
	if verdict.Rule != nil && verdict.Rule.GetPriority() == 0 {
		text = fmt.Sprintf("Rule %s has priority 0, which no rule can outrank: narrow its destination ranges so they exclude %s, then add the allow rule.", verdict.Rule.GetName(), destination)
	}
	message := fmt.Sprintf("%s is %s (Connectivity Tests: FIREWALL_RULE)%s", what, verdict.Reason, nf.note)
	if nf.policiesUnknown != nil {
		message += fmt.Sprintf("; the firewall policies in effect on the network are not known (%s)", nf.policiesUnknown.Error())
	}
	return Result{Status: Fail, Resource: src.Network.String(), Message: message}.fix(text, cmd)
}

// ruleSetOf compiles a network's VPC firewall rules and the firewall policies in effect on
// its VMs in a region, in the order its networkFirewallPolicyEnforcementOrder gives.
// Malformed values are reported in the note rather than hiding what the other rules decide.
func ruleSetOf(p *inventory.Path, net inventory.NetworkRef, region string) (networkFirewall, *Result) {
	rules, problem := p.Inv.FirewallsOf(net)
	if problem != nil {
		r := missing(net.String(), problem)
		return networkFirewall{}, &r
	}
	return compileRuleSet(p, net, region, rules), nil
}
