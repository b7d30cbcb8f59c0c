// Package fakegcp serves a snapshot as loopback fakes of the Google Cloud APIs vpcdoctor
// reads: one gRPC server for Serverless VPC Access, Memorystore for Redis (and Redis
// Cluster), Cloud Run v2 and Resource Manager v3 (projects), and an HTTP server for the Compute Engine REST paths. The real client libraries reach it
// through gcloud's API endpoint overrides (http:// means plaintext, no credentials), so the
// code under test is the code users run.
//
// Every call can be slowed down (per-call latency) or made to fail (per-method faults), and
// every call is counted per method. Tests and benchmarks only.
package fakegcp

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"sync"
	"time"

	"cloud.google.com/go/redis/apiv1/redispb"
	clusterpb "cloud.google.com/go/redis/cluster/apiv1/clusterpb"
	"cloud.google.com/go/resourcemanager/apiv3/resourcemanagerpb"
	"cloud.google.com/go/run/apiv2/runpb"
	"cloud.google.com/go/vpcaccess/apiv1/vpcaccesspb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/snapshot"
)

// The methods the fakes serve, as keys of Calls and SetFault.
const (
	GetService                = "run.GetService"
	ListServices              = "run.ListServices"
	GetRevision               = "run.GetRevision"
	GetConnector              = "vpcaccess.GetConnector"
	ListConnectors            = "vpcaccess.ListConnectors"
	GetInstance               = "redis.GetInstance"
	ListInstances             = "redis.ListInstances"
	GetCluster                = "redis.GetCluster"
	ListClusters              = "redis.ListClusters"
	GetNetwork                = "compute.networks.get"
	ListSubnetworks           = "compute.subnetworks.list"
	AggregatedListSubnetworks = "compute.subnetworks.aggregatedList"
	ListFirewalls             = "compute.firewalls.list"
	GetEffectiveFirewalls     = "compute.networks.getEffectiveFirewalls"
	// GetRegionEffectiveFirewalls is regionNetworkFirewallPolicies.getEffectiveFirewalls.
	GetRegionEffectiveFirewalls = "compute.regionNetworkFirewallPolicies.getEffectiveFirewalls"
	ListGlobalAddresses         = "compute.globalAddresses.list"
	AggregatedListRouters       = "compute.routers.aggregatedList"
	// GetProject and GetIamPolicy are Resource Manager v3 projects.get and getIamPolicy.
	GetProject   = "resourcemanager.GetProject"
	GetIamPolicy = "resourcemanager.GetIamPolicy"
)

// grpcMethods maps gRPC full method names to the method keys above.
func grpcMethods() map[string]string {
	return map[string]string{
		"/google.cloud.run.v2.Services/GetService":                   GetService,
		"/google.cloud.run.v2.Services/ListServices":                 ListServices,
		"/google.cloud.run.v2.Revisions/GetRevision":                 GetRevision,
		"/google.cloud.vpcaccess.v1.VpcAccessService/GetConnector":   GetConnector,
		"/google.cloud.vpcaccess.v1.VpcAccessService/ListConnectors": ListConnectors,
		"/google.cloud.redis.v1.CloudRedis/GetInstance":              GetInstance,
		"/google.cloud.redis.v1.CloudRedis/ListInstances":            ListInstances,
		clusterpb.CloudRedisCluster_GetCluster_FullMethodName:        GetCluster,
		clusterpb.CloudRedisCluster_ListClusters_FullMethodName:      ListClusters,
		resourcemanagerpb.Projects_GetProject_FullMethodName:         GetProject,
		resourcemanagerpb.Projects_GetIamPolicy_FullMethodName:       GetIamPolicy,
	}
}

// Fault makes a method fail. Status is an HTTP status (403, 404, 429, 501, 503, ...); gRPC
// methods answer with the matching code (PermissionDenied, NotFound, ResourceExhausted,
// Unimplemented, Unavailable). A Status of 0 with a Delay only slows the method down, e.g. past a
// client's deadline.
type Fault struct {
	Status int
	Delay  time.Duration
	// EndlessPages makes a list method answer every request with an empty page and a new
	// nextPageToken, as a hostile or broken server could, so a client never reaches the end.
	EndlessPages bool
	// EndlessBody (Compute REST methods) makes the answer a JSON body that never ends.
	EndlessBody bool
}

// Options configure a Server.
type Options struct {
	// Latency is added to every call before it is answered.
	Latency time.Duration
	// Region is given to Cloud Run services whose snapshot carries none (a service.yaml).
	Region string
	// Project is given to Cloud Run services whose snapshot names their project by a number
	// that nothing in it ties to a project id (the real API knows both names).
	Project string
	// DefaultPageSize is the page size when a request gives none (default 100; Compute 500).
	DefaultPageSize int
}

// Server is a running pair of fakes serving one inventory.
type Server struct {
	data *dataset

	grpcServer *grpc.Server
	grpcAddr   string
	httpServer *httptest.Server

	defaultPageSize int

	mu      sync.Mutex
	latency time.Duration
	faults  map[string]Fault
	calls   map[string]int
	endless int // tokens handed out by EndlessPages faults
}

// StartDir loads a snapshot directory and serves it.
func StartDir(dir string, opts Options) (*Server, error) {
	inv, err := snapshot.LoadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("load snapshot for fakegcp: %w", err)
	}
	return Start(inv, opts)
}

// Start serves an inventory on two loopback listeners. Close stops both.
func Start(inv *inventory.Inventory, opts Options) (*Server, error) {
	data, err := newDataset(inv, opts.Region, opts.Project)
	if err != nil {
		return nil, err
	}
	s := &Server{
		data:            data,
		defaultPageSize: opts.DefaultPageSize,
		latency:         opts.Latency,
		faults:          map[string]Fault{},
		calls:           map[string]int{},
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fakegcp: listen: %w", err)
	}
	s.grpcAddr = listener.Addr().String()
	s.grpcServer = grpc.NewServer(grpc.UnaryInterceptor(s.intercept(grpcMethods())))
	runpb.RegisterServicesServer(s.grpcServer, &runServices{s: s})
	runpb.RegisterRevisionsServer(s.grpcServer, &runRevisions{s: s})
	vpcaccesspb.RegisterVpcAccessServiceServer(s.grpcServer, &vpcAccess{s: s})
	redispb.RegisterCloudRedisServer(s.grpcServer, &cloudRedis{s: s})
	clusterpb.RegisterCloudRedisClusterServer(s.grpcServer, &redisCluster{s: s})
	resourcemanagerpb.RegisterProjectsServer(s.grpcServer, &resourceManager{s: s})
	go func() { _ = s.grpcServer.Serve(listener) }()

	s.httpServer = httptest.NewServer(s.computeHandler())
	return s, nil
}

// Close stops both servers.
func (s *Server) Close() {
	s.grpcServer.Stop()
	// Cut connections first: a client may have abandoned a stalled request, and Close
	// waits for every handler to return.
	s.httpServer.CloseClientConnections()
	s.httpServer.Close()
}

// GRPCAddr is the host:port of the gRPC server.
func (s *Server) GRPCAddr() string { return s.grpcAddr }

// ComputeURL is the base URL of the Compute REST fake.
func (s *Server) ComputeURL() string { return s.httpServer.URL }

// Endpoints are the endpoint overrides that point the live loader at the fakes.
func (s *Server) Endpoints() inventory.Endpoints {
	grpcURL := "http://" + s.grpcAddr + "/"
	return inventory.Endpoints{
		Run:       grpcURL,
		VPCAccess: grpcURL,
		Redis:     grpcURL,
		Compute:   s.httpServer.URL + "/compute/v1/",

		ResourceManager: grpcURL,
	}
}

// Env is the environment, as KEY=VALUE, that points gcloud-configured programs (vpcdoctor
// itself) at the fakes: gcloud's CLOUDSDK_API_ENDPOINT_OVERRIDES_* variables.
func (s *Server) Env() []string {
	e := s.Endpoints()
	return []string{
		"CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN=" + e.Run,
		"CLOUDSDK_API_ENDPOINT_OVERRIDES_VPCACCESS=" + e.VPCAccess,
		"CLOUDSDK_API_ENDPOINT_OVERRIDES_REDIS=" + e.Redis,
		"CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE=" + e.Compute,
		"CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER=" + e.ResourceManager,
	}
}

// SetLatency sets the latency added to every call from now on.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// SetFault makes every later call of method fail (or stall) as f says.
func (s *Server) SetFault(method string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = f
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[string]Fault{}
}

// Calls returns how many calls each method received (pages of a list count one each).
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// TotalCalls is the number of calls of every method together.
func (s *Server) TotalCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	total := 0
	for _, v := range s.calls {
		total += v
	}
	return total
}

// ResetCalls sets every call counter back to zero.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = map[string]int{}
}

// begin counts a call, waits out the latency and any fault delay, and returns the fault
// (a zero Status when the call should be answered normally).
func (s *Server) begin(ctx context.Context, method string) (Fault, error) {
	s.mu.Lock()
	s.calls[method]++
	delay := s.latency
	fault := s.faults[method]
	s.mu.Unlock()
	delay += fault.Delay
	if delay > 0 {
		timer := time.NewTimer(delay)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-ctx.Done():
			return Fault{}, ctx.Err()
		}
	}
	return fault, nil
}

func (s *Server) intercept(methods map[string]string) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		method, ok := methods[info.FullMethod]
		if !ok {
			method = info.FullMethod
		}
		fault, err := s.begin(ctx, method)
		if err != nil {
			return nil, status.FromContextError(err).Err()
		}
		if fault.Status != 0 {
			return nil, status.Error(grpcCode(fault.Status), faultMessage(method, fault.Status))
		}
		if fault.EndlessPages {
			// The request's token is one the fake made up: answer as for the first page.
			if m, ok := req.(proto.Message); ok {
				clearField(m, "page_token")
			}
			reply, err := handler(ctx, req)
			if m, ok := reply.(proto.Message); ok && err == nil {
				endlessPage(m, s.nextEndlessToken())
			}
			return reply, err
		}
		return handler(ctx, req)
	}
}

// nextEndlessToken is a page token never handed out before.
func (s *Server) nextEndlessToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.endless++
	return "endless-" + strconv.Itoa(s.endless)
}

// endlessPage empties a list response and gives it a next page token.
func endlessPage(m proto.Message, token string) {
	msg := m.ProtoReflect()
	fields := msg.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		if f := fields.Get(i); f.IsList() || f.IsMap() {
			msg.Clear(f)
		}
	}
	if f := fields.ByName("next_page_token"); f != nil {
		msg.Set(f, protoreflect.ValueOfString(token))
	}
}

// clearField clears a field of a message by its proto name, when it has one.
func clearField(m proto.Message, name protoreflect.Name) {
	msg := m.ProtoReflect()
	if f := msg.Descriptor().Fields().ByName(name); f != nil {
		msg.Clear(f)
	}
}

// grpcCode is the gRPC code Google's APIs send for an HTTP status.
func grpcCode(httpStatus int) codes.Code {
	switch httpStatus {
	case http.StatusBadRequest:
		return codes.InvalidArgument
	case http.StatusUnauthorized:
		return codes.Unauthenticated
	case http.StatusForbidden:
		return codes.PermissionDenied
	case http.StatusNotFound:
		return codes.NotFound
	case http.StatusConflict:
		return codes.AlreadyExists
	case http.StatusTooManyRequests:
		return codes.ResourceExhausted
	case http.StatusNotImplemented:
		return codes.Unimplemented
	case http.StatusServiceUnavailable:
		return codes.Unavailable
	case http.StatusGatewayTimeout:
		return codes.DeadlineExceeded
	}
	return codes.Internal
}

// httpStatus is the HTTP status of a gRPC code, for problems recorded in a snapshot.
func httpStatus(code codes.Code) int {
	switch code {
	case codes.PermissionDenied:
		return http.StatusForbidden
	case codes.NotFound:
		return http.StatusNotFound
	case codes.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

func faultMessage(method string, httpStatus int) string {
	switch httpStatus {
	case http.StatusForbidden:
		return fmt.Sprintf("The caller does not have permission (injected fault on %s)", method)
	case http.StatusNotFound:
		return fmt.Sprintf("Resource not found (injected fault on %s)", method)
	case http.StatusTooManyRequests:
		return fmt.Sprintf("Quota exceeded (injected fault on %s)", method)
	case http.StatusServiceUnavailable:
		return fmt.Sprintf("The service is currently unavailable (injected fault on %s)", method)
	}
	return fmt.Sprintf("%s (injected fault on %s)", http.StatusText(httpStatus), method)
}

// page returns one page of a sorted list and the token of the next one. Tokens are
// offsets; a token the fake did not hand out is an InvalidArgument, as on the real APIs.
func page[T any](items []T, pageSize int, token string, defaultSize int) ([]T, string, error) {
	if pageSize <= 0 {
		pageSize = defaultSize
	}
	start := 0
	if token != "" {
		n, err := strconv.Atoi(token)
		if err != nil || n < 0 || n > len(items) {
			return nil, "", fmt.Errorf("invalid page token %q", token)
		}
		start = n
	}
	end := min(start+pageSize, len(items))
	next := ""
	if end < len(items) {
		next = strconv.Itoa(end)
	}
	return items[start:end], next, nil
}

func (s *Server) pageSize(fallback int) int {
	if s.defaultPageSize > 0 {
		return s.defaultPageSize
	}
	return fallback
}

// cloneAll deep-copies protos so callers can never alias the served data.
func cloneAll[T proto.Message](items []T) []T {
	out := make([]T, len(items))
	for i, item := range items {
		out[i] = proto.Clone(item).(T)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
