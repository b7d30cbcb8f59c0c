package inventory

import (
	"fmt"
	"net/netip"
	"strings"

	"cloud.google.com/go/compute/apiv1/computepb"
	"cloud.google.com/go/redis/apiv1/redispb"
	clusterpb "cloud.google.com/go/redis/cluster/apiv1/clusterpb"
	"cloud.google.com/go/run/apiv2/runpb"
	"cloud.google.com/go/vpcaccess/apiv1/vpcaccesspb"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Validate rejects values no Google Cloud API returns, which a hand-edited or hostile file
// can hold: an IP range that is not one, a negative count, port or duration. Checks would
// otherwise skip such a range without a word or print the value as if it were real. The
// error names the field (API JSON name) and the value.
func Validate(msg proto.Message) error {
	if info, ok := KindOfMessage(msg); ok {
		return info.res.validate(msg)
	}
	return nil
}

// The values each kind is checked for, named in KindInfo's table.

func validConnector(c *vpcaccesspb.Connector) error {
	if err := cidrField("ipCidrRange", c.GetIpCidrRange(), false); err != nil {
		return err
	}
	return nonNegative(map[string]int64{"minInstances": int64(c.GetMinInstances()), "maxInstances": int64(c.GetMaxInstances()),
		"minThroughput": int64(c.GetMinThroughput()), "maxThroughput": int64(c.GetMaxThroughput())})
}

func validSubnetwork(s *computepb.Subnetwork) error {
	if err := cidrField("ipCidrRange", s.GetIpCidrRange(), false); err != nil {
		return err
	}
	for _, r := range s.GetSecondaryIpRanges() {
		if err := cidrField("secondaryIpRanges.ipCidrRange", r.GetIpCidrRange(), false); err != nil {
			return err
		}
	}
	return nil
}

func validFirewall(f *computepb.Firewall) error {
	for _, r := range f.GetSourceRanges() {
		if err := cidrField("sourceRanges", r, true); err != nil {
			return err
		}
	}
	for _, r := range f.GetDestinationRanges() {
		if err := cidrField("destinationRanges", r, true); err != nil {
			return err
		}
	}
	return nonNegative(map[string]int64{"priority": int64(f.GetPriority())})
}

func validAddress(a *computepb.Address) error {
	if text := a.GetAddress(); text != "" {
		if _, err := netip.ParseAddr(strings.TrimSpace(text)); err != nil {
			return fmt.Errorf("address %q is not an IP address", text)
		}
	}
	if a.PrefixLength != nil && (a.GetPrefixLength() < 0 || a.GetPrefixLength() > 128) {
		return fmt.Errorf("prefixLength %d is not a prefix length", a.GetPrefixLength())
	}
	return nil
}

func validRedis(r *redispb.Instance) error {
	if reserved := r.GetReservedIpRange(); strings.Contains(reserved, "/") {
		// A CIDR range once the instance exists; the name of an allocated range in a
		// request for private services access.
		if err := cidrField("reservedIpRange", reserved, false); err != nil {
			return err
		}
	}
	if p := r.GetPort(); p < 0 || p > 65535 {
		return fmt.Errorf("port %d is not a TCP port", p)
	}
	return nonNegative(map[string]int64{"memorySizeGb": int64(r.GetMemorySizeGb()), "replicaCount": int64(r.GetReplicaCount())})
}

func validCluster(c *clusterpb.Cluster) error {
	return nonNegative(map[string]int64{"shardCount": int64(c.GetShardCount()), "replicaCount": int64(c.GetReplicaCount())})
}

func validService(svc *runpb.Service) error {
	if s := svc.GetScaling(); s != nil {
		if err := nonNegative(map[string]int64{"scaling.minInstanceCount": int64(s.GetMinInstanceCount()), "scaling.maxInstanceCount": int64(s.GetMaxInstanceCount())}); err != nil {
			return err
		}
	}
	return validateTemplate("template.", svc.GetTemplate().GetScaling(), svc.GetTemplate().GetTimeout(), int64(svc.GetTemplate().GetMaxInstanceRequestConcurrency()))
}

func validRevision(rev *runpb.Revision) error {
	return validateTemplate("", rev.GetScaling(), rev.GetTimeout(), int64(rev.GetMaxInstanceRequestConcurrency()))
}

func validateTemplate(prefix string, scaling *runpb.RevisionScaling, timeout *durationpb.Duration, concurrency int64) error {
	if err := nonNegative(map[string]int64{prefix + "scaling.minInstanceCount": int64(scaling.GetMinInstanceCount()),
		prefix + "scaling.maxInstanceCount": int64(scaling.GetMaxInstanceCount()), prefix + "maxInstanceRequestConcurrency": concurrency}); err != nil {
		return err
	}
	if timeout != nil {
		if err := timeout.CheckValid(); err != nil || timeout.AsDuration() < 0 {
			return fmt.Errorf("%stimeout %s is not a duration of zero or more", prefix, timeout.AsDuration())
		}
	}
	return nil
}

// nonNegative returns an error for the first (by name) negative value.
func nonNegative(values map[string]int64) error {
	var bad []string
	for name, v := range values {
		if v < 0 {
			bad = append(bad, fmt.Sprintf("%s %d is negative", name, v))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	first := bad[0]
	for _, b := range bad[1:] {
		if b < first {
			first = b
		}
	}
	return fmt.Errorf("%s", first)
}

// cidrField checks an IP range: empty is "not set"; orAddress also accepts a single
// address, read as a one-address range, as the firewall evaluation reads it.
func cidrField(field, value string, orAddress bool) error {
	if value == "" {
		return nil
	}
	text := strings.TrimSpace(value)
	if _, err := netip.ParsePrefix(text); err == nil {
		return nil
	}
	if orAddress {
		if _, err := netip.ParseAddr(text); err == nil {
			return nil
		}
	}
	return fmt.Errorf("%s %q is not an IP range in CIDR notation (such as 10.8.0.0/28)", field, value)
}

// DropInvalid removes from a live inventory every resource validate rejects and records
// an Unavailable problem instead: an API (or whatever an endpoint override points at) that
// answers with a malformed range or a negative count gets "error" findings, never a verdict
// computed from the value. A rule, subnetwork or address range is one of a listing that
// checks read as a whole (one missing deny rule could turn a fail into a pass), so the
// problem is then the listing's.
func DropInvalid(inv *Inventory) {
	inv.Retain(func(kind Kind, msg proto.Message) bool {
		err := Validate(msg)
		if err == nil {
			return true
		}
		info, _ := KindOf(kind)
		detail := "the API answered with a value no Google Cloud API returns: " + err.Error()
		problemName := info.Name(msg)
		if info.WholeListing {
			detail = problemName + ": " + detail
			problemName = ""
		}
		inv.AddProblem(&Problem{Kind: kind, Name: problemName, Code: Unavailable, Detail: detail})
		return false
	})
}
