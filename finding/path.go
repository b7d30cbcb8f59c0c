package finding

// The path shape: which hops lie between one Cloud Run service and its Redis instance, as
// plain data. The check engine computes it from the inventory (checks.ShapeOf); the
// reporters draw it (text strip, Mermaid, HTML) without reading the inventory themselves.

// Egress kinds a PathShape can have.
const (
	EgressConnector = "connector"
	EgressDirect    = "direct-vpc"
	EgressBoth      = "both"
	EgressNone      = "none"
)

// Link kinds: how the VPC network reaches the Redis instance's producer network.
const (
	LinkPeering = "peering" // DIRECT_PEERING: a redis-peer-* VPC peering
	LinkPSA     = "psa"     // PRIVATE_SERVICE_ACCESS: the servicenetworking-googleapis-com peering
)

// PathShape describes, as plain data, which hops exist between one Cloud Run service and
// its Redis instance: what the diagrams draw before any check has run.
type PathShape struct {
	Service string `json:"service"`
	Project string `json:"project,omitempty"`
	Region  string `json:"region,omitempty"`
	// Egress is EgressConnector, EgressDirect, EgressBoth or EgressNone.
	Egress           string `json:"egress"`
	Connector        string `json:"connector,omitempty"`
	ConnectorProject string `json:"connectorProject,omitempty"`
	// Subnet is the Direct VPC interface's subnet (short name), when one is named.
	Subnet string `json:"subnet,omitempty"`
	// Network is the VPC network the traffic enters (short name); NetworkProject is its
	// project, the Shared VPC host project when it is not the service's.
	Network        string `json:"network,omitempty"`
	NetworkProject string `json:"networkProject,omitempty"`
	// Link is LinkPeering or LinkPSA.
	Link         string `json:"link,omitempty"`
	Redis        string `json:"redis,omitempty"`
	RedisProject string `json:"redisProject,omitempty"`
	RedisHost    string `json:"redisHost,omitempty"`
}

// SharedVPC reports whether the network belongs to another project than the service (a
// Shared VPC host project).
func (s PathShape) SharedVPC() bool {
	return s.NetworkProject != "" && s.Project != "" && s.NetworkProject != s.Project
}
