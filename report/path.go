package report

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/vpcdoctor/vpcdoctor/finding"
)

// The path model: one service's route to its Redis instance as a row of hops, each with the
// findings about it and the worst of their statuses. The text strip, the Mermaid graph and
// the HTML diagram all render this one model, so they cannot disagree about which hop is
// broken.

// Hop keys: stable identifiers of the hops, used as element ids and CSS classes.
const (
	HopKeyService   = "service"
	HopKeyConnector = "connector"
	HopKeyDirect    = "direct-vpc"
	HopKeyEgress    = "egress" // no (or an invalid) VPC egress setting
	HopKeyNetwork   = "network"
	HopKeyPeering   = "peering"
	HopKeyPSA       = "psa"
	HopKeyRedis     = "redis"
	HopKeyProbe     = "probe"
)

// RouteHop is one hop of a route with the findings about it.
type RouteHop struct {
	// Key is one of the HopKey constants.
	Key string
	// Kind says what the hop is ("Serverless VPC Access connector", "VPC peering").
	Kind string
	// Name is the resource's short name ("" when the hop has none, as a peering).
	Name string
	// Project is the project the hop's resource lives in, when known.
	Project string
	// Note qualifies the hop ("Shared VPC host project net-host-prod", "subnet default").
	Note string
	// Status is the worst status of the findings that are not ignored (skip when none ran).
	Status finding.Status
	// Deferred is set when some of the hop's checks wait for terraform apply.
	Deferred bool
	// Findings about this hop, in check order.
	Findings []finding.Finding
}

// Label is the hop's short label: "connector redis-connector", "VPC peering".
func (h RouteHop) Label() string {
	short := map[string]string{
		HopKeyConnector: "connector", HopKeyDirect: "Direct VPC",
		HopKeyEgress: "no VPC egress", HopKeyNetwork: "network", HopKeyPeering: "peering",
		HopKeyPSA: "PSA", HopKeyRedis: "Redis", HopKeyProbe: "probe",
	}[h.Key]
	switch {
	case h.Key == HopKeyService && h.Name != "":
		return h.Name // the first hop: the service's name says what it is
	case h.Key == HopKeyEgress && h.Note != "none set":
		short = "VPC egress"
	case h.Key == HopKeyPeering && h.Note != "":
		short = "link"
	case h.Key == HopKeyNetwork && h.Project != "" && h.Note != "":
		return "host " + h.Project + "/" + h.Name
	}
	if h.Name == "" {
		return short
	}
	return short + " " + h.Name
}

// Compact is the hop's label without the kind, for a strip short of room: its name, or
// the short label when it has none.
func (h RouteHop) Compact() string {
	if h.Name == "" || h.Key == HopKeyNetwork && h.Note != "" {
		return h.Label()
	}
	return h.Name
}

// PendingMark is the text mark of a hop whose checks wait for terraform apply and found
// nothing wrong so far.
const PendingMark = "~"

// Pending reports whether the hop waits for terraform apply and found nothing wrong yet:
// reports show it as pending, not as passed.
func (h RouteHop) Pending() bool {
	return h.Deferred && (h.Status == finding.Pass || h.Status == finding.Skip)
}

// Route is one service's path to Redis as hops.
type Route struct {
	Service string
	Shape   finding.PathShape
	Hops    []RouteHop
	// Verdict is the first finding with the worst status (not ignored), or nil when every
	// finding passed or was skipped.
	Verdict *finding.Finding
	// Status is the route's worst status.
	Status finding.Status
	// Counts of the route's findings.
	Summary Summary
}

// Broken is the index of the hop the verdict is about, or -1.
func (r Route) Broken() int {
	if r.Verdict == nil {
		return -1
	}
	for i, h := range r.Hops {
		for _, f := range h.Findings {
			if f.ID == r.Verdict.ID {
				return i
			}
		}
	}
	return -1
}

// rank orders statuses for "worst": fail, error, warn, pass, skip.
func rank(s finding.Status) int {
	switch s {
	case finding.Fail:
		return 4
	case finding.Error:
		return 3
	case finding.Warn:
		return 2
	case finding.Pass:
		return 1
	}
	return 0
}

// Worse reports whether status a is worse than b (fail, error, warn, pass, skip).
func Worse(a, b finding.Status) bool { return rank(a) > rank(b) }

// deferredPrefix starts the message of a check skipped because a Terraform plan leaves one
// of its inputs known only after apply (checks/result.go).
const deferredPrefix = "skipped until terraform apply"

// IsDeferred reports whether a finding waits for terraform apply.
func IsDeferred(f finding.Finding) bool {
	return f.Status == finding.Skip && strings.HasPrefix(f.Message, deferredPrefix)
}

// Routes builds one route per service, in the order the findings name them. shapes gives
// each service's hops; a service without one gets the hops its findings are about.
func Routes(findings []finding.Finding, shapes []finding.PathShape) []Route {
	var order []string
	byService := map[string][]finding.Finding{}
	for _, f := range findings {
		if _, ok := byService[f.Service]; !ok {
			order = append(order, f.Service)
		}
		byService[f.Service] = append(byService[f.Service], f)
	}
	shapeOf := map[string]finding.PathShape{}
	for _, s := range shapes {
		shapeOf[s.Service] = s
	}
	routes := make([]Route, 0, len(order))
	for _, service := range order {
		shape, known := shapeOf[service]
		if !known {
			shape = finding.PathShape{Service: service, Egress: guessEgress(byService[service])}
		}
		routes = append(routes, buildRoute(shape, known, byService[service]))
	}
	return routes
}

// guessEgress reads the egress kind from the findings when no shape was given.
func guessEgress(findings []finding.Finding) string {
	for _, f := range findings {
		if f.ID == "run.direct-vpc" && f.Status != finding.Skip {
			return finding.EgressDirect
		}
		if strings.HasPrefix(f.ID, "connector.") && f.Status != finding.Skip {
			return finding.EgressConnector
		}
	}
	return finding.EgressNone
}

func buildRoute(shape finding.PathShape, known bool, findings []finding.Finding) Route {
	egress := RouteHop{Key: HopKeyEgress, Kind: "VPC egress"}
	switch shape.Egress {
	case finding.EgressConnector:
		egress = RouteHop{Key: HopKeyConnector, Kind: "Serverless VPC Access connector", Name: shape.Connector, Project: shape.ConnectorProject}
	case finding.EgressDirect:
		egress = RouteHop{Key: HopKeyDirect, Kind: "Direct VPC egress", Project: shape.Project}
		if shape.Subnet != "" {
			egress.Note = "subnet " + shape.Subnet
		}
	case finding.EgressBoth:
		egress.Note = "both a connector and Direct VPC interfaces"
	default:
		egress.Note = "none set"
	}
	network := RouteHop{Key: HopKeyNetwork, Kind: "VPC network", Name: shape.Network, Project: shape.NetworkProject}
	if shape.SharedVPC() {
		network.Kind = "Shared VPC network"
		network.Note = "host project " + shape.NetworkProject
	}
	link := RouteHop{Key: HopKeyPeering, Kind: "VPC peering to Memorystore"}
	switch shape.Link {
	case finding.LinkPSA:
		link = RouteHop{Key: HopKeyPSA, Kind: "Private services access"}
	case "":
		// No instance was read: how the network would reach it is unknown.
		link = RouteHop{Key: HopKeyPeering, Kind: "Link to Memorystore", Note: "unknown until the instance is read"}
	}
	redis := RouteHop{Key: HopKeyRedis, Kind: "Memorystore for Redis", Name: shape.Redis, Project: shape.RedisProject}
	if shape.RedisHost != "" {
		redis.Note = shape.RedisHost
	}
	hops := []RouteHop{
		{Key: HopKeyService, Kind: "Cloud Run service", Name: shape.Service, Project: shape.Project},
		egress, network, link, redis,
		{Key: HopKeyProbe, Kind: "Data plane probe", Note: "from where vpcdoctor ran"},
	}
	index := map[string]int{}
	for i, h := range hops {
		index[h.Key] = i
	}
	route := Route{Service: shape.Service, Shape: shape}
	for _, f := range findings {
		route.Summary.Add(f)
		i := index[hopKeyOf(f, egress.Key, link.Key)]
		hops[i].Findings = append(hops[i].Findings, f)
		if !f.Ignored && (route.Verdict == nil && rank(f.Status) > rank(finding.Pass) || route.Verdict != nil && Worse(f.Status, route.Verdict.Status)) {
			verdict := f
			route.Verdict = &verdict
		}
	}
	route.Status = finding.Skip
	for _, h := range hops {
		h.Status = finding.Skip
		for _, f := range h.Findings {
			status := f.Status
			if f.Ignored {
				status = finding.Pass
			}
			if Worse(status, h.Status) {
				h.Status = status
			}
			h.Deferred = h.Deferred || IsDeferred(f)
		}
		// A hop nobody checked is drawn only when it is part of the path: the probe hop
		// only when a probe ran, the others when the shape is known or a finding is about them.
		if len(h.Findings) == 0 && (h.Key == HopKeyProbe || !known) {
			continue
		}
		if Worse(h.Status, route.Status) {
			route.Status = h.Status
		}
		route.Hops = append(route.Hops, h)
	}
	return route
}

// hopKeyOf is the hop a finding is about. The egress setting and the Direct VPC check belong
// to the egress hop (connector or Direct VPC); the peering check to the link.
func hopKeyOf(f finding.Finding, egressKey, linkKey string) string {
	switch {
	case f.ID == "run.vpc-egress" || f.ID == "run.direct-vpc" || f.Hop == finding.HopConnector:
		return egressKey
	case f.ID == "vpc.peering":
		return linkKey
	case f.Hop == finding.HopVPC:
		return HopKeyNetwork
	case f.Hop == finding.HopRedis:
		return HopKeyRedis
	case f.Hop == finding.HopProbe || strings.HasPrefix(f.ID, "probe."):
		return HopKeyProbe
	}
	return HopKeyService
}

// resourceNameRe matches full resource names (projects/P/.../COLLECTION/NAME) in messages.
var resourceNameRe = regexp.MustCompile(`projects/[A-Za-z0-9._:-]+/(?:global|locations/[a-z0-9-]+|regions/[a-z0-9-]+|zones/[a-z0-9-]+)/[A-Za-z]+/([A-Za-z0-9._-]+)`)

// ShortNames replaces full resource names in a message with their last segment, for the
// one-line verdicts (the full message follows in the report).
func ShortNames(message string) string {
	return resourceNameRe.ReplaceAllString(message, "$1")
}

// VerdictText is the one-line verdict of a set of routes, without its mark: the check and
// what it observed for the worst finding, or that everything passed.
func VerdictText(routes []Route) (finding.Status, string) {
	var worst *Route
	broken := 0
	checked := 0
	for i := range routes {
		r := &routes[i]
		checked += r.Summary.Pass + r.Summary.Warn + r.Summary.Fail + r.Summary.Error
		if r.Verdict == nil {
			continue
		}
		if r.Verdict.Status == finding.Fail {
			broken++
		}
		if worst == nil || Worse(r.Verdict.Status, worst.Verdict.Status) {
			worst = r
		}
	}
	if worst == nil {
		deferred := 0
		for _, r := range routes {
			for _, h := range r.Hops {
				for _, f := range h.Findings {
					if IsDeferred(f) {
						deferred++
					}
				}
			}
		}
		text := "every check passed"
		if len(routes) > 1 {
			text = "every check passed on " + itoa(len(routes)) + " services"
		}
		if deferred > 0 {
			text += "; " + itoa(deferred) + " check" + plural(deferred) + " wait for terraform apply"
		}
		return finding.Pass, text
	}
	text := worst.Verdict.ID + ": " + ShortNames(worst.Verdict.Message)
	if len(routes) > 1 {
		text = worst.Service + ": " + text
		if broken > 1 {
			text = itoa(broken) + " of " + itoa(len(routes)) + " services fail; first " + text
		}
	}
	return worst.Verdict.Status, text
}

func itoa(n int) string { return strconv.Itoa(n) }
