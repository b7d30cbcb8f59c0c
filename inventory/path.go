package inventory

import (
	"fmt"
	"sort"
	"strings"

	"cloud.google.com/go/redis/apiv1/redispb"
	"cloud.google.com/go/run/apiv2/runpb"
)

// Selector is what the user asked about; empty fields are chosen from the inventory.
type Selector struct {
	Project string
	Region  string
	Service string // short or full name
	Redis   string // short or full name
	// Connector, when set, replaces the service's connector: "would this connector work?"
	Connector string
	// All selects every service in the region that has VPC egress or a Redis-looking env
	// instead of requiring one.
	All bool
}

// Path is one Cloud Run service and the Redis instance it should reach: the unit the checks
// run on. Resources between the two are looked up in Inv on demand.
type Path struct {
	Inv     *Inventory
	Service *runpb.Service
	// ServiceRef is the service's canonical name with project and region resolved.
	ServiceRef LocationRef
	// Redis is nil when the instance could not be chosen or read; RedisProblem says why.
	Redis        *redispb.Instance
	RedisRef     LocationRef
	RedisProblem *Problem
	// ConnectorOverride replaces the template's connector (Selector.Connector).
	ConnectorOverride string
	// ProjectResolution says how ServiceRef.Project was found when the service names its
	// project by number (a Knative namespace); zero when the service names it by id or
	// --project set it.
	ProjectResolution ProjectResolution

	// names are the canonical names of the path's hops, parsed once by Select (see
	// resolveNames).
	names pathNames
}

// pathNames are the canonical names a path's hops carry, parsed once when Select chooses
// the path, from the service's VPC settings (or the --connector override) and the chosen
// Redis instance.
type pathNames struct {
	// namedProject is the project the service's name gives (ProjectOf).
	namedProject string
	connector    ConnectorRef
	hasConnector bool
	authorized   NetworkRef
	// authorizedErr is the RedisProblem when no instance was chosen, or why the
	// authorized network is no network name.
	authorizedErr error
	interfaces    []InterfaceNames
}

// InterfaceNames are the canonical names of one Direct VPC network interface of the
// service, with the defaults Cloud Run applies: a missing subnetwork takes the network's
// name, and a short name takes the network's project (else the service's) and the
// service's region.
type InterfaceNames struct {
	// Network is the network the interface names (zero when it names none);
	// NetworkErr says why its value is no network name.
	Network    NetworkRef
	NetworkErr error
	// Subnet is the subnetwork it uses; SubnetErr says why there is none.
	Subnet    SubnetRef
	SubnetErr error
}

// resolveNames parses the names of the path's hops once; the accessors below return them.
// named is the project the service's name gives.
func (p *Path) resolveNames(named string) {
	n := pathNames{namedProject: named}
	if name := p.VpcAccess().GetConnector(); name != "" {
		ref, err := ParseConnector(name, p.Project(), p.Region())
		n.connector, n.hasConnector = ref, err == nil
		if err != nil {
			n.connector = ConnectorRef{}
		}
	}
	if p.Redis == nil {
		n.authorizedErr = p.RedisProblem
	} else {
		n.authorized, n.authorizedErr = ParseNetwork(p.Redis.GetAuthorizedNetwork(), p.RedisRef.Project)
	}
	for _, ni := range p.VpcAccess().GetNetworkInterfaces() {
		var in InterfaceNames
		if ni.GetNetwork() != "" {
			in.Network, in.NetworkErr = ParseNetwork(ni.GetNetwork(), p.Project())
		}
		subnet, project := ni.GetSubnetwork(), p.Project()
		if subnet == "" {
			subnet = in.Network.Name
		}
		if !in.Network.IsZero() {
			project = in.Network.Project
		}
		in.Subnet, in.SubnetErr = ParseSubnet(subnet, project, p.Region())
		n.interfaces = append(n.interfaces, in)
	}
	p.names = n
}

// NamedProject is the project as the service's own name gives it: for a Knative service,
// the project number of its namespace, where Project is the id it was resolved to; "" when
// the name gives none.
func (p *Path) NamedProject() string { return p.names.namedProject }

// Interfaces returns the canonical names of the service's Direct VPC network interfaces,
// in the template's order (see VpcAccess).
func (p *Path) Interfaces() []InterfaceNames { return p.names.interfaces }

// Project is the service's project.
func (p *Path) Project() string { return p.ServiceRef.Project }

// Region is the service's region.
func (p *Path) Region() string { return p.ServiceRef.Region }

// VpcAccess returns the service template's VPC settings (never nil).
func (p *Path) VpcAccess() *runpb.VpcAccess {
	vpc := p.Service.GetTemplate().GetVpcAccess()
	if p.ConnectorOverride != "" {
		return &runpb.VpcAccess{Connector: p.ConnectorOverride, Egress: vpc.GetEgress()}
	}
	if vpc == nil {
		return &runpb.VpcAccess{}
	}
	return vpc
}

// ConnectorRef returns the normalised connector the service egresses through, if any.
func (p *Path) ConnectorRef() (ConnectorRef, bool) {
	return p.names.connector, p.names.hasConnector
}

// AuthorizedNetwork is the network the Redis instance accepts clients from.
func (p *Path) AuthorizedNetwork() (NetworkRef, error) {
	return p.names.authorized, p.names.authorizedErr
}

// Env returns the plain-value environment of the service's containers (secret-backed
// variables are listed with an empty value and secret=true).
func (p *Path) Env() []EnvEntry { return ServiceEnv(p.Service) }

// EnvEntry is one environment variable of a container. Value is empty for secrets.
type EnvEntry struct {
	Name   string
	Value  string
	Secret bool
	// SecretRef names the Secret Manager secret (and version) for secret-backed variables.
	SecretRef string
}

// ServiceEnv lists the environment variables of every container of a service.
func ServiceEnv(svc *runpb.Service) []EnvEntry {
	var out []EnvEntry
	for _, c := range svc.GetTemplate().GetContainers() {
		for _, e := range c.GetEnv() {
			entry := EnvEntry{Name: e.GetName(), Value: e.GetValue()}
			if ref := e.GetValueSource().GetSecretKeyRef(); ref != nil {
				entry.Secret = true
				entry.Value = ""
				entry.SecretRef = ref.GetSecret() + ":" + ref.GetVersion()
			}
			out = append(out, entry)
		}
	}
	return out
}

// EnvHosts returns the IP addresses and host names the service's environment points at,
// with the variable that holds each: plain values that are IPs, host:port pairs, and
// redis:// or rediss:// URLs.
func EnvHosts(svc *runpb.Service) map[string]string {
	hosts := map[string]string{}
	for _, e := range ServiceEnv(svc) {
		if e.Secret || e.Value == "" {
			continue
		}
		if host := hostOf(e.Value); host != "" {
			if _, seen := hosts[host]; !seen {
				hosts[host] = e.Name
			}
		}
	}
	return hosts
}

// hostOf extracts the host from an env value that names an endpoint by address: an IP,
// IP:port, or a redis:// URL; "".
func hostOf(value string) string {
	ep, ok := ParseEnvEndpoint(value)
	if !ok || (ep.Scheme == "" && !IsIP(ep.Host)) {
		return ""
	}
	return ep.Host
}

// Select resolves the paths the user asked about.
func Select(inv *Inventory, sel Selector) ([]*Path, error) {
	services, err := selectServices(inv, sel)
	if err != nil {
		return nil, err
	}
	paths := make([]*Path, 0, len(services))
	for _, svc := range services {
		ref, err := ResolveServiceRef(inv, svc, sel)
		if err != nil {
			return nil, err
		}
		path := &Path{Inv: inv, Service: svc, ServiceRef: ref, ConnectorOverride: sel.Connector}
		named := ProjectOf(svc.GetName())
		if sel.Project == "" && IsProjectNumber(named) {
			_, path.ProjectResolution = resolveProjectNumber(inv, named)
		}
		if err := selectRedis(inv, sel, path); err != nil {
			return nil, err
		}
		path.resolveNames(named)
		paths = append(paths, path)
	}
	return paths, nil
}

func selectServices(inv *Inventory, sel Selector) ([]*runpb.Service, error) {
	if len(inv.Services) == 0 {
		p := inv.lookupProblem(KindService, "")
		switch {
		case p.Code != NotLoaded && p.Code != NotFound:
			return nil, &SelectError{Msg: p.Error()}
		case p.Code == NotFound || inv.Listed[KindService]:
			// A live run: the API answered, and there is no such service.
			where := strings.TrimSpace(sel.Project + " " + sel.Region)
			if sel.Service != "" {
				return nil, &SelectError{Msg: fmt.Sprintf("Cloud Run service %s not found (%s); list them with `gcloud run services list --region %s --project %s`", sel.Service, where, sel.Region, sel.Project)}
			}
			return nil, &SelectError{Msg: fmt.Sprintf("no Cloud Run service in project %s, region %s", sel.Project, sel.Region)}
		}
		return nil, &SelectError{Msg: "no Cloud Run service found; add the output of `" + GcloudCommand(KindService) + "` (or the service.yaml you deploy)"}
	}
	if sel.Service != "" {
		var match []*runpb.Service
		for _, svc := range inv.Services {
			if nameMatches(svc.GetName(), sel.Service) {
				match = append(match, svc)
			}
		}
		if len(match) == 1 {
			return match, nil
		}
		if len(match) == 0 {
			return nil, &SelectError{Msg: fmt.Sprintf("--service %s: no such service; candidates: %s", sel.Service, candidateList(serviceNames(inv.Services)))}
		}
		return nil, &SelectError{Msg: fmt.Sprintf("--service %s is ambiguous; candidates: %s (give the full name)", sel.Service, candidateList(serviceNames(match)))}
	}
	var inRegion []*runpb.Service
	for _, svc := range inv.Services {
		if region := RegionOf(svc.GetName()); sel.Region == "" || region == Unknown || region == sel.Region {
			inRegion = append(inRegion, svc)
		}
	}
	if sel.All {
		var relevant []*runpb.Service
		for _, svc := range inRegion {
			if svc.GetTemplate().GetVpcAccess() != nil || len(EnvHosts(svc)) > 0 || hasRedisEnv(svc) {
				relevant = append(relevant, svc)
			}
		}
		return relevant, nil
	}
	if len(inRegion) == 1 {
		return inRegion, nil
	}
	if len(inRegion) == 0 {
		return nil, &SelectError{Msg: fmt.Sprintf("--region %s: no service in that region; candidates: %s", sel.Region, candidateList(serviceNames(inv.Services)))}
	}
	return nil, &SelectError{Msg: "several Cloud Run services; choose one with --service: " + candidateList(serviceNames(inRegion))}
}

func hasRedisEnv(svc *runpb.Service) bool {
	for _, e := range ServiceEnv(svc) {
		if strings.Contains(strings.ToUpper(e.Name), "REDIS") {
			return true
		}
	}
	return false
}

// ResolveServiceRef returns a service's canonical name, filling the project and region a
// service.yaml does not carry (from the selector, or the project the rest of the inventory
// agrees on when the file names the project by number).
func ResolveServiceRef(inv *Inventory, svc *runpb.Service, sel Selector) (LocationRef, error) {
	ref, err := ParseLocation(svc.GetName(), "services")
	if err != nil {
		return LocationRef{}, &SelectError{Msg: err.Error()}
	}
	if ref.Region == Unknown {
		if sel.Region == "" {
			return LocationRef{}, &SelectError{Msg: fmt.Sprintf("service %s (%s) carries no region, as a service.yaml that was never deployed; pass --region", ref.Name, inv.Sources[svc.GetName()])}
		}
		ref.Region = sel.Region
	}
	switch {
	case sel.Project != "":
		ref.Project = sel.Project
	case IsProjectNumber(ref.Project):
		ref.Project, _ = resolveProjectNumber(inv, ref.Project)
	case ref.Project == Unknown:
		id := soleProject(inv)
		if id == "" {
			return LocationRef{}, &SelectError{Msg: fmt.Sprintf("service %s carries no project and the snapshot names several; pass --project", ref.Name)}
		}
		ref.Project = id
	}
	return ref, nil
}

// ProjectResolution says how a service's project number (gcloud prints it as the Knative
// namespace) was turned into the project id the other resources use.
type ProjectResolution struct {
	// Evidence names what tied the number to the id; "" when nothing did.
	Evidence string
	// Weak marks a guess (see ProjectIdentity.Weak).
	Weak bool
	// Unresolved marks a number nothing ties to an id; it stays the project.
	Unresolved bool
}

// resolveProjectNumber resolves number from the evidence the inventory carries
// (ProjectID), else takes the one project the other resources agree on (a guess, marked
// weak), else leaves it unresolved.
func resolveProjectNumber(inv *Inventory, number string) (string, ProjectResolution) {
	if pi, ok := inv.ProjectID(number); ok {
		return pi.ID, ProjectResolution{Evidence: pi.Evidence, Weak: pi.Weak}
	}
	if id := soleProject(inv); id != "" {
		return id, ProjectResolution{Evidence: "the only project the snapshot's other resources name", Weak: true}
	}
	return number, ProjectResolution{Unresolved: true}
}

// soleProject is the one project id the non-service resources agree on, or "".
func soleProject(inv *Inventory) string {
	projects := map[string]bool{}
	for _, c := range inv.Connectors {
		projects[ProjectOf(c.GetName())] = true
	}
	for _, r := range inv.RedisInstances {
		projects[ProjectOf(r.GetName())] = true
	}
	for _, s := range inv.Subnetworks {
		projects[ProjectOf(s.GetSelfLink())] = true
	}
	delete(projects, "")
	if len(projects) != 1 {
		return ""
	}
	for p := range projects {
		return p
	}
	return ""
}

// selectRedis chooses the Redis instance of a path: the named one; else the one whose
// host or read endpoint the service's env points at; else the one a Terraform plan takes
// an env value from that is known only after apply; else the only one.
func selectRedis(inv *Inventory, sel Selector, path *Path) error {
	if sel.Redis != "" {
		ref, err := redisRefFor(sel.Redis, path)
		if err != nil {
			return err
		}
		path.RedisRef = ref
		path.Redis, path.RedisProblem = inv.Redis(ref)
		if path.RedisProblem != nil && path.RedisProblem.Code == NotFound && !strings.Contains(sel.Redis, "/") {
			// A short name that is not in the service's region may be elsewhere.
			var match []string
			for _, name := range inv.RedisNames() {
				if nameMatches(name, sel.Redis) {
					match = append(match, name)
				}
			}
			if len(match) == 1 {
				ref, _ = ParseLocation(match[0], "instances")
				path.RedisRef = ref
				path.Redis, path.RedisProblem = inv.Redis(ref)
			}
		}
		return nil
	}
	hosts := EnvHosts(path.Service)
	var byHost []*redispb.Instance
	for _, r := range inv.RedisInstances {
		if _, ok := hosts[r.GetHost()]; ok {
			byHost = append(byHost, r)
		} else if _, ok := hosts[r.GetReadEndpoint()]; ok && r.GetReadEndpoint() != "" {
			byHost = append(byHost, r)
		}
	}
	if len(byHost) == 0 {
		// A plan that creates the instance leaves its host unknown, but the configuration
		// says which instance the service's env takes it from: that is the one.
		if planned := plannedRedis(inv, path); planned != nil {
			return setRedis(inv, path, planned)
		}
	}
	switch {
	case len(byHost) == 1:
		return setRedis(inv, path, byHost[0])
	case len(inv.RedisInstances) == 1:
		return setRedis(inv, path, inv.RedisInstances[0])
	case len(inv.RedisInstances) == 0:
		path.RedisProblem = inv.lookupProblem(KindRedis, "")
		if path.RedisProblem.Code == NotFound {
			path.RedisProblem = &Problem{Kind: KindRedis, Code: NotFound, Detail: "no Redis instance in " + path.Region()}
		}
		return nil
	}
	// Several instances and nothing in the service's env points at one: prefer the only one
	// in the service's region, otherwise ask.
	var sameRegion []*redispb.Instance
	for _, r := range inv.RedisInstances {
		if RegionOf(r.GetName()) == path.Region() {
			sameRegion = append(sameRegion, r)
		}
	}
	if len(sameRegion) == 1 {
		return setRedis(inv, path, sameRegion[0])
	}
	return &SelectError{Msg: fmt.Sprintf("several Redis instances and service %s's env names none of them; choose one with --redis: %s", path.ServiceRef.Name, candidateList(inv.RedisNames()))}
}

// plannedRedis is the instance of the inventory that the service's env names through a
// plan value known only after apply (see planrefs.go), or nil.
func plannedRedis(inv *Inventory, path *Path) *redispb.Instance {
	name := inv.PlannedEnvRedis(path.Service.GetName())
	if name == "" {
		name = inv.PlannedEnvRedis(path.ServiceRef.String())
	}
	if name == "" {
		return nil
	}
	for _, r := range inv.RedisInstances {
		if ref, err := ParseLocation(r.GetName(), "instances"); err == nil && ref.String() == name {
			return r
		}
	}
	return nil
}

func setRedis(inv *Inventory, path *Path, r *redispb.Instance) error {
	ref, err := ParseLocation(r.GetName(), "instances")
	if err != nil {
		return &SelectError{Msg: err.Error()}
	}
	path.Redis, path.RedisRef = r, ref
	return nil
}

func redisRefFor(name string, path *Path) (LocationRef, error) {
	if strings.Contains(name, "/") {
		ref, err := ParseLocation(name, "instances")
		if err != nil {
			return LocationRef{}, &SelectError{Msg: "--redis: " + err.Error()}
		}
		return ref, nil
	}
	return LocationRef{Project: path.Project(), Region: path.Region(), Collection: "instances", Name: name}, nil
}

// nameMatches compares a full resource name with what a user typed: the short name or the
// full name.
func nameMatches(full, typed string) bool {
	full, typed = RelativeName(full), RelativeName(typed)
	return full == typed || ShortName(full) == typed
}

func serviceNames(services []*runpb.Service) []string {
	names := make([]string, 0, len(services))
	for _, s := range services {
		names = append(names, s.GetName())
	}
	sort.Strings(names)
	return names
}

func candidateList(names []string) string {
	if len(names) == 0 {
		return "(none)"
	}
	return strings.Join(names, ", ")
}

// SelectError is a usage error while choosing what to check (exit 2).
type SelectError struct{ Msg string }

func (e *SelectError) Error() string { return e.Msg }
