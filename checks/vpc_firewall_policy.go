package checks

import (
	"fmt"
	"strings"

	"cloud.google.com/go/compute/apiv1/computepb"

	"github.com/vpcdoctor/vpcdoctor/firewall"
	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// Firewall policy remediation: an allow rule in the policy whose rule blocks, at a
// priority number just below the blocking rule's, with the gcloud command that policy's
// type takes.

// policyAllow is the traffic an allow rule must cover.
type policyAllow struct {
	network inventory.NetworkRef
	// region is where the sending VMs are, the region of a regional policy that applies.
	region    string
	direction string
	// peers are destinations for egress, sources for ingress.
	peers []string
	// traffic is gcloud's --layer4-configs value, e.g. "tcp:6379".
	traffic         string
	serviceAccounts []string
}

// freePriorityAbove is the highest priority (largest number) below the rule's that no rule
// of the policy uses: every rule of a policy needs its own priority.
func freePriorityAbove(policy *firewall.Policy, rule *computepb.FirewallPolicyRule) (int32, bool) {
	used := map[int32]bool{}
	for _, r := range policy.GetRules() {
		used[r.GetPriority()] = true
	}
	for priority := rule.GetPriority() - 1; priority >= 0; priority-- {
		if !used[priority] {
			return priority, true
		}
	}
	return 0, false
}

// policyAllowFix returns the remediation for traffic a firewall policy rule blocks: the
// sentence and the command creating an allow rule above it in the same policy.
func policyAllowFix(policy *firewall.Policy, rule *computepb.FirewallPolicyRule, want policyAllow) (string, []string) {
	describe := firewall.DescribePolicyRuleShort(policy, rule)
	priority, ok := freePriorityAbove(policy, rule)
	if !ok {
		return fmt.Sprintf("%s has a priority no free priority number outranks: narrow its match so it excludes %s.", describe, strings.Join(want.peers, ",")), []string{}
	}
	peers := command("--dest-ip-ranges=%s", nameList(want.peers))
	if want.direction == firewall.DirectionIngress {
		peers = command("--src-ip-ranges=%s", nameList(want.peers))
	}
	common := command("--action=allow --direction=%s %s --layer4-configs=%s", want.direction, shell(peers), nameList(strings.Split(want.traffic, ",")))
	if len(want.serviceAccounts) > 0 {
		common += command(" --target-service-accounts=%s", nameList(want.serviceAccounts))
	}
	switch strings.ToUpper(policy.GetType()) {
	case firewall.PolicyHierarchy:
		// A hierarchical policy's name is its number, which needs no --organization.
		policyFlag := command("--firewall-policy=%s", policy.GetName())
		if policy.GetName() == "" {
			policyFlag = command("--firewall-policy=%s --organization=ORGANIZATION_ID", firewall.PolicyName(policy))
		}
		cmd := command("gcloud compute firewall-policies rules create %d %s %s --target-resources=%s",
			priority, shell(policyFlag), shell(common), networkURL(want.network))
		return fmt.Sprintf("Allow the traffic in %s %s with a rule at priority %d, above its rule %d, limited to network %s; this needs an organization or folder firewall policy admin (roles/compute.orgFirewallPolicyAdmin).",
			firewall.PolicyLevel(policy), firewall.PolicyName(policy), priority, rule.GetPriority(), want.network.Name), []string{cmd}
	case firewall.PolicyNetwork:
		cmd := command("gcloud compute network-firewall-policies rules create %d --firewall-policy=%s --global-firewall-policy %s --project=%s",
			priority, firewall.PolicyName(policy), shell(common), want.network.Project)
		return fmt.Sprintf("Allow the traffic in %s %s with a rule at priority %d, above its rule %d.", firewall.PolicyLevel(policy), firewall.PolicyName(policy), priority, rule.GetPriority()), []string{cmd}
	case firewall.PolicyNetworkRegional:
		// The regional answer names a policy by its name (it has no short name).
		name, region := policy.GetName(), want.region
		if name == "" {
			name = firewall.PolicyName(policy)
		}
		if region == "" {
			region = "REGION"
		}
		cmd := command("gcloud compute network-firewall-policies rules create %d --firewall-policy=%s --firewall-policy-region=%s %s --project=%s",
			priority, name, region, shell(common), want.network.Project)
		return fmt.Sprintf("Allow the traffic in %s %s with a rule at priority %d, above its rule %d.", firewall.PolicyLevel(policy), firewall.PolicyName(policy), priority, rule.GetPriority()), []string{cmd}
	}
	return fmt.Sprintf("%s belongs to a firewall policy Google manages, which cannot be edited: ask the service that created it, or route the traffic elsewhere.", describe), []string{}
}

// uncertainFix is the remediation for a verdict a rule vpcdoctor cannot evaluate might
// change: look at the rule, and when it would block, allow the traffic above it.
func uncertainFix(v firewall.Verdict, want policyAllow) (string, []string) {
	text := fmt.Sprintf("Check whether %s matches this traffic (vpcdoctor cannot evaluate its matchers; Connectivity Tests can).", firewall.DescribePolicyRuleShort(v.UncertainPolicy, v.UncertainRule))
	if v.Allowed {
		more, commands := policyAllowFix(v.UncertainPolicy, v.UncertainRule, want)
		return text + " If it does, " + lowerFirst(more), commands
	}
	return text, []string{}
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// networkURL is the form targetResources holds a network in.
func networkURL(net inventory.NetworkRef) string {
	return "https://www.googleapis.com/compute/v1/" + net.String()
}
