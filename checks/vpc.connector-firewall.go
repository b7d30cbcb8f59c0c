package checks

import (
	"fmt"
	"strings"

	"cloud.google.com/go/compute/apiv1/computepb"

	"github.com/vpcdoctor/vpcdoctor/firewall"
	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// vpcConnectorFirewall declares the check vpc.connector-firewall: its hop, title, prerequisites, the
// fields it reads, and its Run (checkConnectorFirewall, below).
func vpcConnectorFirewall() Check {
	return Check{
		ID: "vpc.connector-firewall", Hop: HopVPC, Title: "Firewall lets the connector work",
		Summary:  "ingress from Google's serverless infrastructure and health checks to the connector, and its answers, are allowed",
		Requires: []string{"connector.found"},
		// ConnectorFirewallRules is not here: the check passes on the rules it can see,
		// and skips only when it would otherwise fail on rules Google creates at apply.
		Reads: map[inventory.Kind][]string{inventory.KindConnector: {"network", "subnet", "ipCidrRange"}},
		Run:   checkConnectorFirewall,
	}
}

func checkConnectorFirewall(p *inventory.Path) Result {
	_, ref, early := pathConnector(p)
	if early != nil {
		return *early
	}
	src, early := pathSource(p)
	if early != nil {
		return *early
	}
	rules, problem := p.Inv.FirewallsOf(src.Network)
	if problem != nil {
		return missing(src.Network.String(), problem)
	}
	byGoogle := googleCreatesConnectorRules(ref, src.Network)
	gap := p.Inv.UnknownField(inventory.KindConnector, ref.String(), inventory.ConnectorFirewallRules)
	evaluated := rules
	// assumed lists Google's rules that decide the connector's traffic (hcfw, rsgfw, earfw)
	// but are not in the data, for a connector in its network's own project: they are
	// evaluated as documented (the plan creates the connector, or the list was cut short,
	// filtered, or the rules were deleted). Every absent automatic rule is evaluated so.
	var assumed []string
	var absent []string
	if byGoogle {
		_, absent = autoRulesOf(rules, ref.Region, ref.Name)
		if len(absent) > 0 {
			evaluated = append([]*computepb.Firewall(nil), rules...)
			for _, auto := range firewall.ConnectorAutoRules(src.Network.String(), ref.Region, ref.Name, src.Range) {
				for _, suffix := range absent {
					if auto.GetName() == firewall.AutoRuleName(ref.Region, ref.Name, suffix) {
						evaluated = append(evaluated, auto)
					}
				}
			}
		}
		for _, suffix := range absent {
			switch suffix {
			case firewall.AutoRuleHealthChecks, firewall.AutoRuleServerless, firewall.AutoRuleEgressAllow:
				assumed = append(assumed, firewall.AutoRuleName(ref.Region, ref.Name, suffix))
			}
		}
	}
	nf := compileRuleSet(p, src.Network, src.Region, evaluated)
	nf.rules = rules
	results, err := firewall.CheckConnector(nf.rs, src.Endpoint)
	if err != nil {
		return Result{Status: Error, Resource: ref.String(), Message: "cannot evaluate the connector's firewall requirements: " + err.Error()}.
			fix("This is a defect in vpcdoctor's requirement table; please report it.")
	}
	var problems, commands, doubts []string
	var doubtCommands []string
	certain := false // blocked by a priority-0 deny rule, which no rule created later outranks
	policyBlock := false
	for _, r := range results {
		if r.Uncertain.Uncertain != "" {
			doubts = append(doubts, fmt.Sprintf("%s: %s %s is %s, but uncertain: %s", r.Requirement.Name, describeTraffic(r.UncertainExample), describePeer(r), r.Uncertain.Reason, r.Uncertain.Uncertain))
			_, more := uncertainFix(r.Uncertain, requirementAllow(src, r.Requirement))
			doubtCommands = append(doubtCommands, more...)
		}
		if r.OK() {
			continue
		}
		problems = append(problems, fmt.Sprintf("%s (Connectivity Tests: %s)", r.String(), connectorDropCause(r.Requirement)))
		if r.Verdict.PolicyRule != nil {
			policyBlock = true
			_, command := policyAllowFix(r.Verdict.Policy, r.Verdict.PolicyRule, requirementAllow(src, r.Requirement))
			commands = append(commands, command...)
			continue
		}
		commands = append(commands, requirementRule(rules, src.Network, r))
		if r.Status == firewall.RequirementBlocked && r.Verdict.Rule != nil && r.Verdict.Rule.GetPriority() == 0 {
			certain = true
		}
	}
	owner := fmt.Sprintf("connector %s is in project %s, which owns network %s, so Google creates its firewall rules (aet-*, priority %d)", ref.Name, ref.Project, src.Network.Name, firewall.AutoRulePriority)
	if !byGoogle {
		owner = fmt.Sprintf("connector %s is in service project %s and network %s in host project %s, whose network admins must create its firewall rules", ref.Name, ref.Project, src.Network.Name, src.Network.Project)
	}
	if len(problems) == 0 {
		what := fmt.Sprintf("%s; the network's firewall lets it receive requests from Google's serverless infrastructure (%s) and its health checks (%s), and answer them%s",
			owner, firewall.ServerlessRange, strings.Join(firewall.HealthCheckRanges(), ", "), nf.note)
		switch {
		case len(doubts) > 0:
			return warn(src.Network.String(), "%s, as far as vpcdoctor can evaluate: %s", what, strings.Join(doubts, "; ")).
				fix("Check whether the rules named can match Google's serverless and health-check ranges; if they can, allow the traffic above them.", doubtCommands...)
		case nf.policiesUnknown != nil:
			return policiesUnknownResult(src.Network.String(), what+" as far as the VPC firewall rules go", nf.policiesUnknown)
		case len(assumed) > 0 && gap != nil:
			return pass(src.Network.String(), "%s when the plan creates it; with them, nothing in the plan or the snapshot outranks them", what)
		case len(assumed) > 0:
			list := command("gcloud compute firewall-rules list --filter 'name~^%s' --project %s --format yaml",
				firewall.AutoRuleStem(ref.Region, ref.Name)+"-", src.Network.Project)
			return warn(src.Network.String(), "%s, but Google's rules %s are not in the data, so they were evaluated as documented; nothing seen outranks them",
				what, strings.Join(assumed, ", ")).
				fix("Add the connector's rules to the snapshot to settle it; if they are really gone, recreate the connector so Google creates them again.", list)
		}
		return pass(src.Network.String(), "%s", what)
	}
	// A connector a Terraform plan creates in a service project gets no rules from Google:
	// what the rules known now leave out may still be created by the host admins with it.
	if gap != nil && !byGoogle && !certain && !policyBlock {
		r := missing(src.Network.String(), gap)
		r.Message += fmt.Sprintf("; the rules known now on network %s do not cover: %s%s", src.Network, strings.Join(problems, "; "), nf.note)
		return r
	}
	var text string
	switch {
	case byGoogle:
		text = fmt.Sprintf("A rule outranks Google's priority-%d rules for connector %s: narrow it so it leaves out %s and %s, or allow the traffic above it (for every connector of the network, tag vpc-connector).",
			firewall.AutoRulePriority, ref.Name, firewall.ServerlessRange, strings.Join(firewall.HealthCheckRanges(), ", "))
	default:
		text = fmt.Sprintf("Connector %s is in service project %s, so Google does not create its firewall rules: the network admins of host project %s must allow the traffic on network %s (for every connector, tag vpc-connector).",
			ref.Name, ref.Project, src.Network.Project, src.Network.Name)
	}
	if policyBlock {
		text += " A firewall policy rule blocks part of it: allow it in that policy, above the blocking rule (a hierarchical policy needs an organization or folder firewall policy admin, roles/compute.orgFirewallPolicyAdmin)."
	}
	message := fmt.Sprintf("%s; on the network: %s%s", owner, strings.Join(problems, "; "), nf.note)
	if len(assumed) > 0 {
		message += fmt.Sprintf(" (Google's rules %s are not in the data and were evaluated as documented)", strings.Join(assumed, ", "))
	}
	if len(doubts) > 0 {
		message += "; also uncertain: " + strings.Join(doubts, "; ")
	}
	return fail(src.Network.String(), "%s", message).fix(text, commands...)
}

// connectorDropCause is the Connectivity Tests drop cause for each connector requirement.
func connectorDropCause(req firewall.Requirement) string {
	switch {
	case strings.Contains(req.Name, "health"):
		return "VPC_CONNECTOR_HEALTH_CHECK_TRAFFIC_BLOCKED"
	case req.Direction == firewall.DirectionIngress:
		return "VPC_CONNECTOR_SERVERLESS_TRAFFIC_BLOCKED"
	}
	return "FIREWALL_RULE"
}

// googleCreatesConnectorRules reports whether Google creates the connector's firewall rules. Serverless VPC Access
// creates the aet-* rules for a connector in its network's own project (a standalone VPC,
// or a shared connector in a Shared VPC host project); for a connector in a service
// project the host project's admins must create them.
func googleCreatesConnectorRules(connector inventory.ConnectorRef, net inventory.NetworkRef) bool {
	return connector.Project == net.Project
}

// autoRulesOf splits the network's rules into the connector's automatic rules, by suffix,
// and reports which documented ones are not in the list.
func autoRulesOf(rules []*computepb.Firewall, region, connector string) (found map[string]*computepb.Firewall, absent []string) {
	found = map[string]*computepb.Firewall{}
	for _, r := range rules {
		if suffix, ok := firewall.AutoRuleSuffix(r.GetName(), region, connector); ok {
			found[suffix] = r
		}
	}
	for _, suffix := range firewall.AutoRuleSuffixes() {
		if found[suffix] == nil {
			absent = append(absent, suffix)
		}
	}
	return found, absent
}

// describeTraffic prints a packet's protocol and port as gcloud reads them ("tcp:667").
func describeTraffic(pk firewall.Packet) string {
	if pk.Protocol == "tcp" || pk.Protocol == "udp" || pk.Protocol == "sctp" {
		return fmt.Sprintf("%s:%d", pk.Protocol, pk.Port)
	}
	return pk.Protocol
}

// describePeer names the other end of an uncertain requirement's example packet.
func describePeer(r firewall.RequirementResult) string {
	if r.Requirement.Direction == firewall.DirectionEgress {
		return "to " + r.UncertainExample.Dst.IP.String()
	}
	return "from " + r.UncertainExample.Src.IP.String()
}

// requirementAllow is the policy rule that would allow a connector requirement.
func requirementAllow(src egressSource, req firewall.Requirement) policyAllow {
	traffic := make([]string, len(req.Traffic))
	for i, t := range req.Traffic {
		traffic[i] = t.String()
	}
	return policyAllow{network: src.Network, region: src.Region, direction: req.Direction, peers: req.Ranges, traffic: strings.Join(traffic, ",")}
}

// requirementRule creates an allow rule covering one requirement, above the rule that
// blocks it.
func requirementRule(rules []*computepb.Firewall, net inventory.NetworkRef, r firewall.RequirementResult) string {
	req := r.Requirement
	traffic := make([]string, len(req.Traffic))
	for i, t := range req.Traffic {
		traffic[i] = t.String()
	}
	priority := int32(1000)
	if r.Status == firewall.RequirementBlocked {
		priority = priorityAbove(r.Verdict.Rule)
	}
	// An allow rule of that name already exists but does not win (a deny outranks it, or it
	// is disabled): raise it rather than adding a twin.
	for _, existing := range rules {
		if existing.GetName() == req.Name && len(existing.GetAllowed()) > 0 && strings.EqualFold(existing.GetDirection(), req.Direction) {
			cmd := command("gcloud compute firewall-rules update %s --priority %d", req.Name, priority)
			if existing.GetDisabled() {
				cmd += " --no-disabled"
			}
			return cmd + command(" --project %s", net.Project)
		}
	}
	peers := "--source-ranges"
	if req.Direction == firewall.DirectionEgress {
		peers = "--destination-ranges"
	}
	return command("gcloud compute firewall-rules create %s --network %s --direction %s --action ALLOW --rules %s %s %s --target-tags %s --priority %d --project %s",
		ruleNameFree(rules, req.Name), net.Name, req.Direction, nameList(traffic), shell(peers), nameList(req.Ranges), firewall.ConnectorTag, priority, net.Project)
}
