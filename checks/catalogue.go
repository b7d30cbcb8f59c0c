package checks

import "github.com/vpcdoctor/vpcdoctor/inventory"

// Catalogue returns the checks in the order they run: along the path from the service to
// Redis, hop by hop, so a streamed report can group them. The order is a contract (reports list findings in it) and a topological order of
// Requires (Validate enforces it). A new slice each call, so callers may filter it.
func Catalogue() []Check {
	return []Check{
		{
			ID: "run.vpc-egress", Hop: HopRun, Title: "Service has VPC egress",
			Summary: "the revision template sets a VPC connector or Direct VPC network interfaces, not both",
			Reads:   map[inventory.Kind][]string{inventory.KindService: {"template.vpcAccess.connector", "template.vpcAccess.networkInterfaces"}},
			Run:     checkVPCEgress,
		},
		{
			ID: "run.egress-scope", Hop: HopRun, Title: "Egress setting routes the Redis IP",
			Summary:  "with private-ranges-only egress, the Redis host is in a range Cloud Run sends through the VPC",
			Requires: []string{"run.vpc-egress"},
			Reads:    map[inventory.Kind][]string{inventory.KindRedis: {"host"}, inventory.KindService: {"template.vpcAccess.egress"}},
			Run:      checkEgressScope,
		},
		{
			ID: "run.direct-vpc", Hop: HopRun, Title: "Direct VPC egress reaches Redis",
			Summary: "Direct VPC interfaces sit on the Redis authorized network, in a /26 or larger subnet of the service's region (warns when 2 addresses per max instance do not fit)",
			Reads:   map[inventory.Kind][]string{inventory.KindService: {"template.vpcAccess.networkInterfaces", "template.scaling.maxInstanceCount"}, inventory.KindRedis: {"authorizedNetwork"}},
			Run:     checkDirectVPC,
		},
		{
			ID: "run.serving-revision", Hop: HopRun, Title: "Serving revisions have the VPC setting",
			Summary:  "every revision that receives traffic has the template's VPC egress setting, not an older one",
			Requires: []string{"run.vpc-egress"},
			Run:      checkServingRevision,
		},
		{
			ID: "run.redis-host", Hop: HopRun, Title: "Environment names the Redis endpoint",
			Summary: "REDIS_HOST/REDIS_PORT, redis:// URLs and any env value equal to a Redis IP name the instance's host and port",
			Reads:   map[inventory.Kind][]string{inventory.KindRedis: {"host", "port"}},
			Run:     checkRedisHost,
		},
		{
			ID: "run.redis-auth", Hop: HopRun, Title: "AUTH string reaches the container",
			Summary: "with AUTH enabled, an AUTH string reaches the container, from Secret Manager rather than a plain value",
			Reads:   map[inventory.Kind][]string{inventory.KindRedis: {"authEnabled"}},
			Run:     checkRedisAuth,
		},
		{
			ID: "run.cold-start", Hop: HopRun, Title: "An instance stays warm",
			Summary: "min instances is at least 1, so idle periods do not cost a cold start and new Redis connections",
			Run:     checkColdStart,
		},
		{
			ID: "connector.found", Hop: HopConnector, Title: "Connector exists",
			Summary:  "the connector the service names exists",
			Requires: []string{"run.vpc-egress"},
			Run:      checkConnectorFound,
		},
		{
			ID: "connector.ready", Hop: HopConnector, Title: "Connector is READY",
			Summary:  "the connector's state is READY",
			Requires: []string{"connector.found"},
			Reads:    map[inventory.Kind][]string{inventory.KindConnector: {"state"}},
			Run:      checkConnectorReady,
		},
		{
			ID: "connector.region", Hop: HopConnector, Title: "Connector is in the service's region",
			Summary:  "the connector is in the same region as the service",
			Requires: []string{"connector.found"},
			Run:      checkConnectorRegion,
		},
		{
			ID: "connector.network", Hop: HopConnector, Title: "Connector is on the Redis network",
			Summary:  "the connector's network (or its subnet's network) is the Redis authorizedNetwork",
			Requires: []string{"connector.found"},
			Reads:    map[inventory.Kind][]string{inventory.KindConnector: {"network", "subnet"}, inventory.KindRedis: {"authorizedNetwork"}},
			Run:      checkConnectorNetwork,
		},
		{
			ID: "connector.range", Hop: HopConnector, Title: "Connector range is a free /28",
			Summary:  "the connector's ipCidrRange is a /28 overlapping no subnet, connector, private services access or Redis range",
			Requires: []string{"connector.found"},
			Reads:    map[inventory.Kind][]string{inventory.KindConnector: {"ipCidrRange", "network", "subnet"}, inventory.KindRedis: {"reservedIpRange"}},
			Run:      checkConnectorRange,
		},
		{
			ID: "connector.subnet", Hop: HopConnector, Title: "Connector subnet is a /28 of its region",
			Summary:  "a connector created on an existing subnet names a /28 that exists, in the connector's region",
			Requires: []string{"connector.found"},
			Reads:    map[inventory.Kind][]string{inventory.KindConnector: {"subnet"}},
			Run:      checkConnectorSubnet,
		},
		{
			ID: "connector.shared-vpc", Hop: HopConnector, Title: "Service project may use the connector",
			Summary:  "a connector in another project is one the service's Cloud Run service agent may use: roles/vpcaccess.user on the connector's project, verified from its IAM policy when loaded",
			Requires: []string{"connector.found"},
			Run:      checkConnectorSharedVPC,
		},
		{
			ID: "connector.capacity", Hop: HopConnector, Title: "Connector is sized for Redis traffic",
			Summary:  "the connector does not run shared-core (f1-micro, e2-micro) instances or a maximum at its floor",
			Requires: []string{"connector.found"},
			Reads:    map[inventory.Kind][]string{inventory.KindConnector: {"machineType", "minInstances", "maxInstances", "minThroughput", "maxThroughput"}},
			Run:      checkConnectorCapacity,
		},
		{
			ID: "vpc.peering", Hop: HopVPC, Title: "Network peers with Memorystore",
			Summary: "the authorized network has an ACTIVE peering to the Redis producer network (redis-peer-* or servicenetworking-googleapis-com)",
			Reads:   map[inventory.Kind][]string{inventory.KindRedis: {"authorizedNetwork", "connectMode", inventory.RedisPeering}},
			Run:     checkVPCPeering,
		},
		{
			ID: "vpc.firewall-egress", Hop: HopVPC, Title: "Firewall lets traffic out to Redis",
			Summary: "the network's firewall policies and egress firewall rules allow tcp from the connector or Direct VPC interface to the Redis host and port",
			Reads: map[inventory.Kind][]string{inventory.KindRedis: {"host", "port"}, inventory.KindConnector: {"network", "subnet", "ipCidrRange"},
				inventory.KindService: {"template.vpcAccess.networkInterfaces"}},
			Run: checkFirewallEgress,
		},
		{
			ID: "vpc.connector-firewall", Hop: HopVPC, Title: "Firewall lets the connector work",
			Summary:  "ingress from Google's serverless infrastructure and health checks to the connector, and its answers, are allowed",
			Requires: []string{"connector.found"},
			// ConnectorFirewallRules is not here: the check passes on the rules it can see,
			// and skips only when it would otherwise fail on rules Google creates at apply.
			Reads: map[inventory.Kind][]string{inventory.KindConnector: {"network", "subnet", "ipCidrRange"}},
			Run:   checkConnectorFirewall,
		},
		{
			ID: "vpc.egress-nat", Hop: HopVPC, Title: "Cloud NAT serves all-traffic egress",
			Summary:  "with all-traffic egress, a public Cloud NAT gateway of the egress network and region serves the connector's or Direct VPC subnet, so internet calls do not time out",
			Requires: []string{"run.vpc-egress"},
			Reads:    map[inventory.Kind][]string{inventory.KindService: {"template.vpcAccess.egress"}, inventory.KindConnector: {"network", "subnet"}},
			Run:      checkEgressNAT,
		},
		{
			ID: "redis.found", Hop: HopRedis, Title: "Redis instance exists",
			Summary: "the Memorystore for Redis instance the service should reach exists and can be read",
			Run:     checkRedisFound,
		},
		{
			ID: "redis.ready", Hop: HopRedis, Title: "Redis instance is READY",
			Summary:  "the instance's state is READY",
			Requires: []string{"redis.found"},
			Reads:    map[inventory.Kind][]string{inventory.KindRedis: {"state"}},
			Run:      checkRedisReady,
		},
		{
			ID: "redis.region", Hop: HopRedis, Title: "Redis is in the service's region",
			Summary:  "the instance is in the service's region (elsewhere works, slower)",
			Requires: []string{"redis.found"},
			Run:      checkRedisRegion,
		},
		{
			ID: "redis.tls", Hop: HopRedis, Title: "Clients match in-transit encryption",
			Summary:  "with in-transit encryption on, clients use TLS on the instance's port and its CA is not about to expire",
			Requires: []string{"redis.found"},
			Reads:    map[inventory.Kind][]string{inventory.KindRedis: {"transitEncryptionMode", "serverCaCerts"}},
			RunAt:    checkRedisTLS,
		},
		{
			ID: "redis.maintenance", Hop: HopRedis, Title: "No maintenance within 24 hours",
			Summary:  "the instance is not in maintenance or failing over, and no maintenance starts within 24 hours",
			Requires: []string{"redis.found"},
			RunAt:    checkRedisMaintenance,
		},
	}
}
