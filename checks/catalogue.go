package checks

import (
	"fmt"
	"strings"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// The catalogue: the ordered list of checks and its validation. Each check is a plain value
// declared in its own file, named by its ID (run.vpc-egress.go declares run.vpc-egress,
// above its Run function); helpers shared by several checks live in files whose names have
// no dot (suggest.go, vpc_firewall.go, ...). A new check is one more file and one more line
// here, where the path reaches it.

// Catalogue returns the checks in the order they run: along the path from the service to
// Redis, hop by hop, so a streamed report can group them. The order is a contract (reports
// list findings in it) and a topological order of Requires (Validate enforces it). Each call
// builds new values, so callers may filter or change them.
func Catalogue() []Check {
	return []Check{
		runVPCEgress(),
		runEgressScope(),
		runDirectVPC(),
		runServingRevision(),
		runRedisHost(),
		runRedisAuth(),
		runColdStart(),
		connectorFound(),
		connectorReady(),
		connectorRegion(),
		connectorNetwork(),
		connectorRange(),
		connectorSubnet(),
		connectorSharedVPC(),
		connectorCapacity(),
		vpcPeering(),
		vpcFirewallEgress(),
		vpcConnectorFirewall(),
		vpcEgressNAT(),
		redisFound(),
		redisReady(),
		redisRegion(),
		redisTLS(),
		redisMaintenance(),
	}
}

// Validate checks the catalogue's own invariants: unique, well-formed IDs; titles and
// summaries present; prerequisites that exist and come earlier (so declaration order is a
// topological order and there can be no cycle).
func Validate(catalogue []Check) error {
	seen := map[string]bool{}
	for i, check := range catalogue {
		if check.ID == "" || check.ID != strings.ToLower(check.ID) || !strings.HasPrefix(check.ID, string(check.Hop)+".") {
			return fmt.Errorf("check %d: id %q must be lower-case hop.what with hop %q", i, check.ID, check.Hop)
		}
		if seen[check.ID] {
			return fmt.Errorf("check %s: duplicate id", check.ID)
		}
		if check.Title == "" || check.Summary == "" || (check.Run == nil) == (check.RunAt == nil) {
			return fmt.Errorf("check %s: title, summary and one of Run and RunAt are required", check.ID)
		}
		for kind := range check.Reads {
			if kind != inventory.KindService && kind != inventory.KindConnector && kind != inventory.KindRedis {
				return fmt.Errorf("check %s: Reads names %s; only the path's service, connector and Redis instance can be looked up", check.ID, kind)
			}
		}
		for _, req := range check.Requires {
			if !seen[req] {
				return fmt.Errorf("check %s: prerequisite %s is unknown or declared later", check.ID, req)
			}
		}
		seen[check.ID] = true
	}
	return nil
}

// Lookup finds a check by id.
func Lookup(catalogue []Check, id string) (Check, bool) {
	for _, c := range catalogue {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}
