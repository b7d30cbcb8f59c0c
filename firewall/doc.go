// Package firewall decides, the way Google Cloud does, whether VPC firewall rules and
// hierarchical and network firewall policies let one connection through, and names the
// rule that decided.
//
// The input is the official model exactly as the Compute API (or a snapshot of it) returns
// it: computepb.Firewall for VPC firewall rules, and for firewall policies the
// firewallPolicys of networks.getEffectiveFirewalls
// (computepb.NetworksGetEffectiveFirewallsResponseEffectiveFirewallPolicy, here Policy).
// That type rather than computepb.FirewallPolicy because it is what the network is
// subject to: the API has already resolved which organization, folder and network policies
// are associated with the network, lists the hierarchical ones in order, and says each
// policy's type, all in one call a network viewer may make; computepb.FirewallPolicy would
// need the associations resolved by hand, with more calls and organization-level
// permissions.
//
// Compile the rules of one network once with NewRuleSet (VPC rules only) or
// NewEffectiveRuleSet (rules and policies) and ask RuleSet.Egress for the sender's side
// and RuleSet.Ingress for the receiver's side; a connection needs both. A Verdict carries
// the deciding VPC rule or policy rule, or says that one of the two implied rules decided,
// and says when it is uncertain.
//
// # Semantics
//
// Sources: the VPC firewall rules overview
// (https://docs.cloud.google.com/firewall/docs/firewalls, formerly
// https://cloud.google.com/vpc/docs/firewalls) and the field documentation of the Firewall
// resource (https://cloud.google.com/compute/docs/reference/rest/v1/firewalls), which the
// computepb field comments repeat.
//
//   - Only enabled rules count ("disabled": the network behaves as if the rule did not exist).
//   - A rule's direction defaults to INGRESS and its priority to 1000 when unset. Priority 0
//     is the highest and 65535 the lowest.
//   - Rules are considered in priority order and the first matching rule decides. At equal
//     priority a deny rule takes precedence over an allow rule.
//   - A rule applies to every instance of the network when it has neither targetTags nor
//     targetServiceAccounts; otherwise to instances carrying any of the tags, or running as
//     any of the service accounts. The target is the sender for egress rules and the
//     receiver for ingress rules.
//   - Egress rules match the destination address against destinationRanges; an egress rule
//     without destinationRanges matches every IPv4 destination (0.0.0.0/0).
//   - Ingress rules match the source against sourceRanges OR sourceTags OR
//     sourceServiceAccounts: any one of them suffices. An ingress rule without any source
//     matches every IPv4 source (0.0.0.0/0), the default gcloud and the API apply. An
//     ingress rule with destinationRanges also requires the destination address to be in
//     one of them; an egress rule with sourceRanges likewise filters the sender's address.
//   - Protocols: "all" matches every protocol; tcp, udp, icmp, esp, ah, sctp and ipip are
//     the names the API accepts, and an IP protocol number ("6") equals its name ("tcp").
//     Ports ("22", "6000-7000") constrain only tcp, udp and sctp; no ports means every port.
//   - When no rule matches, the implied rules decide: egress is allowed and ingress is
//     denied (both at priority 65535, for IPv4 and IPv6 alike). The rules the default
//     network is created with (default-allow-internal, default-allow-ssh, ...) are
//     ordinary rules that come in the inventory like any other.
//
// # Firewall policies
//
// Sources: "Evaluation order for firewall policies and rules"
// (https://docs.cloud.google.com/firewall/docs/firewall-policies-rule-eval-order),
// "Firewall policy rule components"
// (https://docs.cloud.google.com/firewall/docs/firewall-policies-rule-details),
// "Firewall policies" (https://docs.cloud.google.com/firewall/docs/firewall-policies-overview),
// "Use hierarchical firewall policies and rules"
// (https://cloud.google.com/firewall/docs/using-firewall-policies) and
// networks.getEffectiveFirewalls
// (https://cloud.google.com/compute/docs/reference/rest/v1/networks/getEffectiveFirewalls)
// and regionNetworkFirewallPolicies.getEffectiveFirewalls
// (https://cloud.google.com/compute/docs/reference/rest/v1/regionNetworkFirewallPolicies/getEffectiveFirewalls).
//
//   - A regional network firewall policy applies only to VMs in its region. The regional
//     call answers for one region: the hierarchical and global network policies the
//     global call returns, plus that region's regional policies (FromRegional converts
//     them). The caller chooses the answer of the region the sending VMs are in and
//     passes each policy once (inventory.FirewallPoliciesIn merges the two answers).
//   - Stages, in order: the hierarchical policies (the organization's first, then the
//     folders' down to the project: the order getEffectiveFirewalls lists them in), the
//     system firewall policies Google manages, then, with the network's
//     networkFirewallPolicyEnforcementOrder AFTER_CLASSIC_FIREWALL (the default), the VPC
//     firewall rules, the global network firewall policy and the regional network firewall
//     policy; with BEFORE_CLASSIC_FIREWALL the two network policies come before the VPC
//     rules. Then the implied rules.
//   - Within a policy the matching rule with the lowest priority number decides (every
//     rule of a policy has its own priority). allow and deny end the whole evaluation;
//     goto_next ends the policy and passes to the next stage, as does a policy where no
//     rule matches. apply_security_profile_group sends the connection to a firewall
//     endpoint for layer 7 inspection: vpcdoctor counts it as allowed (at layers 3 and 4)
//     and says the inspection may still drop it.
//   - Disabled rules do not exist; packet mirroring rules do not decide traffic. A rule
//     applies to the network's instances unless its targetResources name only other
//     networks, its targetType is INTERNAL_MANAGED_LB, or its targetServiceAccounts leave
//     the instance out. Direction, srcIpRanges / destIpRanges and layer4Configs (ipProtocol
//     and ports, as allowed[] of a VPC rule) match as for VPC rules; an ingress rule without
//     any source, or an egress rule without any destination, matches every IPv4 address.
//   - Matchers vpcdoctor cannot evaluate, because their meaning lives outside the
//     inventory (FQDNs, address groups, geolocations, threat intelligence lists, secure
//     tags, network contexts), never make a rule match and never make it silently not
//     match: the rule "might match". When its action would change the outcome (a deny that
//     might match before an allow, an allow before a deny, a goto_next whose skip changes
//     the result), the Verdict is marked Uncertain with the rule and the reason; its
//     Allowed is what the rules that can be evaluated decide.
//
// Out of scope: connection tracking (replies to an allowed connection are always allowed).
package firewall
