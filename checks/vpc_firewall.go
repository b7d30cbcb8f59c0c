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
// does; vpc.firewall-egress and vpc.connector-firewall choose the packets: what leaves the
// connector (or the Direct VPC interface) for Redis, and what the connector itself must be
// able to receive. This file holds what the two share.

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
		iface, early := resolveDirectInterface(p)
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
	if names := p.Inv.NamesOfConnector(c); cidr == "" && names.HasSubnet && names.SubnetErr == nil {
		if subnet, problem := p.Inv.Subnet(names.Subnet); problem == nil {
			cidr = subnet.GetIpCidrRange()
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
