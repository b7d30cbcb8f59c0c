package checks

import (
	"fmt"
	"net/netip"
	"strings"

	"cloud.google.com/go/compute/apiv1/computepb"

	"github.com/vpcdoctor/vpcdoctor/firewall"
	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// Firewall rules on the path. The firewall package evaluates them the way Google Cloud
// does; these checks choose the packets: what leaves the connector (or the Direct VPC
// interface) for Redis, and what the connector itself must be able to receive.

// egressSource is where the service's packets enter the VPC, as firewall rules see them.
type egressSource struct {
	Endpoint firewall.Endpoint
	Network  inventory.NetworkRef
	// Region is where the source's VMs are (the connector's region, the Direct VPC
	// subnet's): the regional network firewall policies of that region apply to them.
	Region string
	// Describe names the source for messages, e.g. "connector redis-connector (10.8.0.2,
	// tags vpc-connector, vpc-connector-us-central1-redis-connector)".
	Describe string
	// TargetTag is the tag a new rule should target to cover exactly this source, "" for
	// all instances of the network.
	TargetTag string
	// Range is the connector's /28 or the Direct VPC subnet's range.
	Range string
}

// hostAddress is an address instances of a range get: the first after the network and
// gateway addresses Google Cloud reserves. Rules rarely filter on single addresses inside
// a connector range or subnet, and one address stands for all of them.
func hostAddress(cidr string) (netip.Addr, bool) {
	prefix, err := netip.ParsePrefix(strings.TrimSpace(cidr))
	if err != nil || !prefix.Addr().Is4() {
		return netip.Addr{}, false
	}
	return prefix.Masked().Addr().Next().Next(), true
}

// pathSource finds the source of the service's packets, or a Result to return instead.
func pathSource(p *inventory.Path) (egressSource, *Result) {
	vpc := p.VpcAccess()
	svc := p.ServiceRef.String()
	connector, interfaces := vpc.GetConnector(), vpc.GetNetworkInterfaces()
	switch {
	case connector != "" && len(interfaces) > 0:
		r := skip(svc, "service %s sets both a connector and Direct VPC interfaces (see run.vpc-egress)", p.ServiceRef.Name)
		return egressSource{}, &r
	case connector == "" && len(interfaces) == 0:
		r := skip(svc, "service %s has no VPC egress (see run.vpc-egress)", p.ServiceRef.Name)
		return egressSource{}, &r
	case len(interfaces) > 0:
		iface, early := resolveDirectInterface(p, interfaces[0])
		if early != nil {
			r := skip(svc, "the Direct VPC interface of service %s cannot be resolved (see run.direct-vpc)", p.ServiceRef.Name)
			return egressSource{}, &r
		}
		ip, ok := hostAddress(iface.Subnet.GetIpCidrRange())
		if !ok {
			r := skip(svc, "Direct VPC subnet %s has no IPv4 range (see run.direct-vpc)", iface.SubnetRef.Name)
			return egressSource{}, &r
		}
		src := egressSource{
			Endpoint: firewall.Endpoint{IP: ip, Tags: iface.Tags},
			Network:  iface.Network,
			Region:   iface.SubnetRef.Region,
			Describe: fmt.Sprintf("service %s's Direct VPC interface (subnet %s, %s", p.ServiceRef.Name, iface.SubnetRef.Name, ip),
		}
		if len(iface.Tags) > 0 {
			src.Describe += ", tags " + strings.Join(iface.Tags, ", ")
			src.TargetTag = iface.Tags[0]
		} else {
			src.Describe += ", no network tags"
		}
		src.Describe += ")"
		return src, nil
	}
	c, ref, early := pathConnector(p)
	if early != nil {
		r := skip(ref.String(), "connector %s is not available (see connector.found)", ref.Name)
		return egressSource{}, &r
	}
	net, problem := connectorNetworkOf(p, c)
	if problem != nil {
		r := missing(ref.String(), problem)
		return egressSource{}, &r
	}
	cidr := c.GetIpCidrRange()
	if cidr == "" && c.GetSubnet().GetName() != "" {
		project := c.GetSubnet().GetProjectId()
		if project == "" {
			project = ref.Project
		}
		if subRef, err := inventory.ParseSubnet(c.GetSubnet().GetName(), project, ref.Region); err == nil {
			if subnet, problem := p.Inv.Subnet(subRef); problem == nil {
				cidr = subnet.GetIpCidrRange()
			}
		}
	}
	ip, ok := hostAddress(cidr)
	if !ok {
		r := skip(ref.String(), "connector %s has no usable IPv4 range (see connector.range and connector.subnet)", ref.Name)
		return egressSource{}, &r
	}
	tags := firewall.ConnectorTags(ref.Region, ref.Name)
	return egressSource{
		Endpoint:  firewall.Endpoint{IP: ip, Tags: tags},
		Network:   net,
		Region:    ref.Region,
		Describe:  fmt.Sprintf("connector %s (%s, tags %s)", ref.Name, ip, strings.Join(tags, ", ")),
		TargetTag: firewall.ConnectorUniqueTag(ref.Region, ref.Name),
		Range:     cidr,
	}, nil
}

// networkFirewall is what decides a network's traffic, compiled once per check.
type networkFirewall struct {
	rs    *firewall.RuleSet
	rules []*computepb.Firewall
	// note reports malformed values, which match nothing.
	note string
	// policiesUnknown explains why the firewall policies in effect on the network are not
	// known (not in the snapshot, or the call failed): only VPC rules were evaluated.
	policiesUnknown *inventory.Problem
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

// compileRuleSet is ruleSetOf for a given list of VPC firewall rules.
func compileRuleSet(p *inventory.Path, net inventory.NetworkRef, region string, rules []*computepb.Firewall) networkFirewall {
	policies, policyProblem := p.Inv.FirewallPoliciesIn(net, region)
	order := ""
	if network, problem := p.Inv.Network(net); problem == nil {
		order = network.GetNetworkFirewallPolicyEnforcementOrder()
	}
	rs, err := firewall.NewEffectiveRuleSet(firewall.Effective{Rules: rules, Policies: policies, EnforcementOrder: order, Network: net.String()})
	nf := networkFirewall{rs: rs, rules: rules, policiesUnknown: policyProblem}
	if err != nil {
		first, _, _ := strings.Cut(err.Error(), "\n")
		nf.note = " (malformed rule values match nothing: " + first + ")"
	}
	return nf
}

// policiesUnknownResult is the warning for traffic the VPC firewall rules allow while the
// firewall policies, which Google Cloud evaluates first, could not be read.
func policiesUnknownResult(resource, what string, problem *inventory.Problem) Result {
	r := missing(resource, problem)
	r.Status = Warn
	r.Message = fmt.Sprintf("%s, but the firewall policies in effect on the network are not known (%s): a hierarchical or network firewall policy, evaluated before the VPC rules, may still block it", what, problem.Error())
	if r.Remediation == nil {
		r = r.fix("Run again with the firewall policies available.")
	}
	return r
}

// priorityAbove is the priority a new allow rule needs to win over a deny rule.
func priorityAbove(rule *computepb.Firewall) int32 {
	if rule == nil || rule.Priority == nil {
		return 900 // above the default 1000
	}
	if rule.GetPriority() == 0 {
		return 0
	}
	return rule.GetPriority() - 1
}

// ruleNameFree returns name, or name with a suffix when the network already has a rule
// by that name (for instance a disabled one).
func ruleNameFree(rules []*computepb.Firewall, name string) string {
	for _, r := range rules {
		if r.GetName() == name {
			return name + "-vpcdoctor"
		}
	}
	return name
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
