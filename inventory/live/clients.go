package live

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"cloud.google.com/go/auth/credentials"
	compute "cloud.google.com/go/compute/apiv1"
	redis "cloud.google.com/go/redis/apiv1"
	cluster "cloud.google.com/go/redis/cluster/apiv1"
	resourcemanager "cloud.google.com/go/resourcemanager/apiv3"
	run "cloud.google.com/go/run/apiv2"
	vpcaccess "cloud.google.com/go/vpcaccess/apiv1"
	"github.com/googleapis/gax-go/v2/apierror"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// liveClients holds one client per API for one run. Memorystore for Redis Cluster is
// under the same API name as Memorystore for Redis (redis.googleapis.com), so its client
// takes the redis endpoint override.
type liveClients struct {
	services    *run.ServicesClient
	revisions   *run.RevisionsClient
	vpcAccess   *vpcaccess.Client
	redis       *redis.CloudRedisClient
	clusters    *cluster.CloudRedisClusterClient
	networks    *compute.NetworksClient
	subnetworks *compute.SubnetworksClient
	firewalls   *compute.FirewallsClient
	addresses   *compute.GlobalAddressesClient
	routers     *compute.RoutersClient
	// regionPolicies reads the firewall policies in effect on a network in one region.
	regionPolicies *compute.RegionNetworkFirewallPoliciesClient
	// projects reads project numbers and IAM policies (Resource Manager v3), only for a
	// connector in another project than the service.
	projects *resourcemanager.ProjectsClient
	// closers close the clients created so far, in creation order.
	closers []func() error
}

// cloudPlatformScope is the OAuth scope every API here accepts.
const cloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform"

// newLiveClients creates the clients. Application Default Credentials are looked up once,
// and only when some API is reached over https without caller-supplied options.
func newLiveClients(ctx context.Context, opts Options) (*liveClients, error) {
	endpoints := map[string]string{
		"run": opts.Endpoints.Run, "vpcaccess": opts.Endpoints.VPCAccess,
		"redis": opts.Endpoints.Redis, "compute": opts.Endpoints.Compute,
		"cloudresourcemanager": opts.Endpoints.ResourceManager,
	}
	parsed := map[string]*inventory.Endpoint{}
	needCredentials := false
	for api, raw := range endpoints {
		if raw == "" {
			needCredentials = true
			continue
		}
		ep, err := inventory.ParseEndpoint(raw)
		if err != nil {
			return nil, &inventory.InputError{Path: "api endpoint override for " + api, Msg: err.Error()}
		}
		parsed[api] = &ep
		if !ep.Plaintext {
			needCredentials = true
		}
	}
	limits := newResponseLimits(opts)
	base := append([]option.ClientOption(nil), opts.ClientOptions...)
	if needCredentials && len(opts.ClientOptions) == 0 {
		creds, err := credentials.DetectDefault(&credentials.DetectOptions{Scopes: []string{cloudPlatformScope}})
		if err != nil {
			return nil, credentialsError(err)
		}
		base = append(base, option.WithAuthCredentials(creds))
	}
	grpcOptions := func(api string) []option.ClientOption {
		ep := parsed[api]
		if ep == nil {
			return append(append([]option.ClientOption(nil), base...), limits.grpcOptions()...)
		}
		if ep.Plaintext {
			// Loopback fakes: plaintext gRPC and no credentials at all.
			return append(append(append([]option.ClientOption(nil), opts.ClientOptions...),
				option.WithEndpoint(ep.HostPort),
				option.WithoutAuthentication(),
				option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials()))), limits.grpcOptions()...)
		}
		return append(append(append([]option.ClientOption(nil), base...), option.WithEndpoint(ep.HostPort)), limits.grpcOptions()...)
	}
	restConnection := func(api string) []option.ClientOption {
		ep := parsed[api]
		if ep == nil {
			return base
		}
		if ep.Plaintext {
			return append(append([]option.ClientOption(nil), opts.ClientOptions...),
				option.WithEndpoint(ep.RESTBase), option.WithoutAuthentication())
		}
		return append(append([]option.ClientOption(nil), base...), option.WithEndpoint(ep.RESTBase))
	}
	// The REST clients share one HTTP client whose transport carries the limits.
	computeHTTP, err := limits.httpClient(ctx, restConnection("compute"))
	if err != nil {
		return nil, clientError("Compute", err)
	}
	restOptions := func(api string) []option.ClientOption {
		with := []option.ClientOption{option.WithHTTPClient(computeHTTP)}
		if ep := parsed[api]; ep != nil {
			with = append(with, option.WithEndpoint(ep.RESTBase))
		}
		return with
	}

	c := &liveClients{}
	open(c, &err, "Cloud Run services", &c.services, func() (*run.ServicesClient, error) {
		return run.NewServicesClient(ctx, grpcOptions("run")...)
	})
	open(c, &err, "Cloud Run revisions", &c.revisions, func() (*run.RevisionsClient, error) {
		return run.NewRevisionsClient(ctx, grpcOptions("run")...)
	})
	open(c, &err, "Serverless VPC Access", &c.vpcAccess, func() (*vpcaccess.Client, error) {
		return vpcaccess.NewClient(ctx, grpcOptions("vpcaccess")...)
	})
	open(c, &err, "Memorystore for Redis", &c.redis, func() (*redis.CloudRedisClient, error) {
		return redis.NewCloudRedisClient(ctx, grpcOptions("redis")...)
	})
	open(c, &err, "Memorystore for Redis Cluster", &c.clusters, func() (*cluster.CloudRedisClusterClient, error) {
		return cluster.NewCloudRedisClusterClient(ctx, grpcOptions("redis")...)
	})
	open(c, &err, "Resource Manager projects", &c.projects, func() (*resourcemanager.ProjectsClient, error) {
		return resourcemanager.NewProjectsClient(ctx, grpcOptions("cloudresourcemanager")...)
	})
	open(c, &err, "Compute networks", &c.networks, func() (*compute.NetworksClient, error) {
		return compute.NewNetworksRESTClient(ctx, restOptions("compute")...)
	})
	open(c, &err, "Compute subnetworks", &c.subnetworks, func() (*compute.SubnetworksClient, error) {
		return compute.NewSubnetworksRESTClient(ctx, restOptions("compute")...)
	})
	open(c, &err, "Compute firewalls", &c.firewalls, func() (*compute.FirewallsClient, error) {
		return compute.NewFirewallsRESTClient(ctx, restOptions("compute")...)
	})
	open(c, &err, "Compute global addresses", &c.addresses, func() (*compute.GlobalAddressesClient, error) {
		return compute.NewGlobalAddressesRESTClient(ctx, restOptions("compute")...)
	})
	open(c, &err, "Compute routers", &c.routers, func() (*compute.RoutersClient, error) {
		return compute.NewRoutersRESTClient(ctx, restOptions("compute")...)
	})
	open(c, &err, "Compute regional network firewall policies", &c.regionPolicies, func() (*compute.RegionNetworkFirewallPoliciesClient, error) {
		return compute.NewRegionNetworkFirewallPoliciesRESTClient(ctx, restOptions("compute")...)
	})
	if err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

// open creates one client with create unless an earlier one failed (*err is set), keeps
// it in *dst, and remembers its Close for close; a failure becomes *err.
func open[C interface{ Close() error }](c *liveClients, err *error, what string, dst *C, create func() (C, error)) {
	if *err != nil {
		return
	}
	client, e := create()
	if e != nil {
		*err = clientError(what, e)
		return
	}
	*dst = client
	c.closers = append(c.closers, client.Close)
}

// close closes every client that was created.
func (c *liveClients) close() {
	for _, closeClient := range c.closers {
		_ = closeClient()
	}
}

// credentialsError turns the auth library's multi-sentence errors into ErrNoCredentials
// with, at most, the first line of the cause.
func credentialsError(err error) error {
	msg := err.Error()
	if strings.Contains(msg, "could not find default credentials") {
		return ErrNoCredentials
	}
	return fmt.Errorf("%w (%s)", ErrNoCredentials, firstLine(strings.TrimPrefix(msg, "credentials: ")))
}

func clientError(what string, err error) error {
	msg := err.Error()
	if strings.Contains(msg, "credentials") {
		return credentialsError(err)
	}
	return fmt.Errorf("create %s client: %s", what, firstLine(msg))
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	const max = 300
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

// liveOp is one kind of API call, with the IAM permission it needs and the predefined role
// that grants it.
type liveOp int

const (
	opRunServicesGet liveOp = iota
	opRunServicesList
	opRunRevisionsGet
	opConnectorsGet
	opConnectorsList
	opRedisGet
	opRedisList
	opRedisClustersGet
	opRedisClustersList
	opNetworksGet
	opSubnetworksList
	opFirewallsList
	opNetworksGetEffectiveFirewalls
	opRegionGetEffectiveFirewalls
	opGlobalAddressesList
	opRoutersList
	opProjectsGet
	opProjectsGetIamPolicy
)

// Permission is one row of the permission table: what a live run calls and the IAM
// permission and predefined role it needs.
type Permission struct {
	API        string
	Permission string
	Role       string
}

// Permissions lists every permission Load may need, in call order.
func Permissions() []Permission {
	ops := []liveOp{opRunServicesGet, opRunServicesList, opRunRevisionsGet, opConnectorsGet, opConnectorsList,
		opRedisGet, opRedisList, opRedisClustersGet, opRedisClustersList, opNetworksGet, opSubnetworksList, opFirewallsList,
		opNetworksGetEffectiveFirewalls, opRegionGetEffectiveFirewalls, opGlobalAddressesList, opRoutersList, opProjectsGet, opProjectsGetIamPolicy}
	out := make([]Permission, len(ops))
	for i, op := range ops {
		out[i] = op.permission()
	}
	return out
}

func (op liveOp) permission() Permission {
	switch op {
	case opRunServicesGet:
		return Permission{"run.googleapis.com", "run.services.get", "roles/run.viewer"}
	case opRunServicesList:
		return Permission{"run.googleapis.com", "run.services.list", "roles/run.viewer"}
	case opRunRevisionsGet:
		return Permission{"run.googleapis.com", "run.revisions.get", "roles/run.viewer"}
	case opConnectorsGet:
		return Permission{"vpcaccess.googleapis.com", "vpcaccess.connectors.get", "roles/vpcaccess.viewer"}
	case opConnectorsList:
		return Permission{"vpcaccess.googleapis.com", "vpcaccess.connectors.list", "roles/vpcaccess.viewer"}
	case opRedisGet:
		return Permission{"redis.googleapis.com", "redis.instances.get", "roles/redis.viewer"}
	case opRedisList:
		return Permission{"redis.googleapis.com", "redis.instances.list", "roles/redis.viewer"}
	case opRedisClustersGet:
		return Permission{"redis.googleapis.com", "redis.clusters.get", "roles/redis.viewer"}
	case opRedisClustersList:
		return Permission{"redis.googleapis.com", "redis.clusters.list", "roles/redis.viewer"}
	case opNetworksGet:
		return Permission{"compute.googleapis.com", "compute.networks.get", "roles/compute.networkViewer"}
	case opSubnetworksList:
		return Permission{"compute.googleapis.com", "compute.subnetworks.list", "roles/compute.networkViewer"}
	case opFirewallsList:
		return Permission{"compute.googleapis.com", "compute.firewalls.list", "roles/compute.networkViewer"}
	case opNetworksGetEffectiveFirewalls:
		return Permission{"compute.googleapis.com", "compute.networks.getEffectiveFirewalls", "roles/compute.networkViewer"}
	case opRegionGetEffectiveFirewalls:
		// regionNetworkFirewallPolicies.getEffectiveFirewalls checks this permission on the
		// network (the Compute API reference); Compute Network Viewer includes it.
		return Permission{"compute.googleapis.com", "compute.networks.getRegionEffectiveFirewalls", "roles/compute.networkViewer"}
	case opGlobalAddressesList:
		return Permission{"compute.googleapis.com", "compute.globalAddresses.list", "roles/compute.networkViewer"}
	case opRoutersList:
		return Permission{"compute.googleapis.com", "compute.routers.list", "roles/compute.networkViewer"}
	case opProjectsGet:
		// Browser includes both Resource Manager permissions (IAM roles reference, Browser).
		return Permission{"cloudresourcemanager.googleapis.com", "resourcemanager.projects.get", "roles/browser"}
	case opProjectsGetIamPolicy:
		return Permission{"cloudresourcemanager.googleapis.com", "resourcemanager.projects.getIamPolicy", "roles/browser"}
	}
	return Permission{}
}

// problem maps a failed call to the Problem the checks report. Credentials the API
// rejects are remembered so Load can fail with ErrNoCredentials.
func (l *liveLoader) problem(err error, kind inventory.Kind, name string, op liveOp) *inventory.Problem {
	perm := op.permission()
	p := &inventory.Problem{Kind: kind, Name: name, API: perm.API}
	code, httpCode, message, reason := describeCallError(err)
	p.Detail = firstLine(message)
	switch {
	case limitDetail(err) != "":
		p.Code = inventory.Unavailable
		p.Detail = limitDetail(err)
	case code == codes.PermissionDenied || httpCode == http.StatusForbidden:
		p.Code = inventory.PermissionDenied
		if reason == "SERVICE_DISABLED" || reason == "accessNotConfigured" {
			p.Detail = joinDetail(perm.API+" is not enabled in the project: gcloud services enable "+perm.API, p.Detail)
		} else {
			p.Permission, p.Role = perm.Permission, perm.Role
		}
	case code == codes.NotFound || httpCode == http.StatusNotFound:
		p.Code = inventory.NotFound
	case code == codes.Unauthenticated || httpCode == http.StatusUnauthorized:
		p.Code = inventory.Unavailable
		l.mu.Lock()
		if l.unauthenticated == "" {
			l.unauthenticated = p.Detail
		}
		l.mu.Unlock()
	case code == codes.DeadlineExceeded || code == codes.Canceled:
		p.Code = inventory.Unavailable
		p.Detail = joinDetail("no answer before the deadline (--timeout)", "")
	case code == codes.ResourceExhausted || httpCode == http.StatusTooManyRequests:
		p.Code = inventory.Unavailable
		p.Detail = joinDetail("quota exceeded, retry later", p.Detail)
	default:
		p.Code = inventory.Unavailable
	}
	return p
}

// describeCallError extracts the gRPC code (or HTTP status), message and ErrorInfo reason
// of a client library error, whichever transport it came over.
func describeCallError(err error) (code codes.Code, httpCode int, message, reason string) {
	if errors.Is(err, context.DeadlineExceeded) {
		return codes.DeadlineExceeded, 0, err.Error(), ""
	}
	if errors.Is(err, context.Canceled) {
		return codes.Canceled, 0, err.Error(), ""
	}
	if ae, ok := apierror.FromError(err); ok {
		httpCode = ae.HTTPCode()
		reason = ae.Reason()
		if st := ae.GRPCStatus(); st != nil {
			code, message = st.Code(), st.Message()
		}
		if httpCode > 0 && code == codes.OK {
			code = codes.Unknown
		}
		if message == "" {
			message = ae.Error()
		}
		if httpCode > 0 {
			// The REST error text starts with "googleapi: Error 403: "; keep the API's words.
			message = strings.TrimSpace(message)
			if i := strings.Index(message, ": "); strings.HasPrefix(message, "googleapi: Error") && i >= 0 {
				rest := message[i+2:]
				if j := strings.Index(rest, ": "); j >= 0 && j < 5 {
					rest = rest[j+2:]
				}
				message = rest
			}
		}
		return code, httpCode, message, reason
	}
	if st, ok := status.FromError(err); ok {
		return st.Code(), 0, st.Message(), ""
	}
	return codes.Unknown, 0, err.Error(), ""
}

func joinDetail(first, second string) string {
	switch {
	case first == "":
		return second
	case second == "":
		return first
	}
	return first + ": " + second
}
