// Package firewall decides, the way Google Cloud does, whether VPC firewall rules let one
// connection through, and names the rule that decided.
//
// The input is the official model, computepb.Firewall, exactly as the Compute API (or a
// snapshot of it) returns it. Compile the rules of one network once with NewRuleSet and ask
// RuleSet.Egress for the sender's side and RuleSet.Ingress for the receiver's side; a
// connection needs both. A Verdict carries the deciding rule, or says that one of the two
// implied rules decided.
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
// Out of scope: hierarchical and network firewall policies (the firewallPolicys part of
// networks.getEffectiveFirewalls), which Google Cloud evaluates before VPC firewall rules,
// and connection tracking (replies to an allowed connection are always allowed).
package firewall
