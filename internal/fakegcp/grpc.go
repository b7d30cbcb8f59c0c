package fakegcp

import (
	"context"
	"fmt"

	"cloud.google.com/go/redis/apiv1/redispb"
	clusterpb "cloud.google.com/go/redis/cluster/apiv1/clusterpb"
	"cloud.google.com/go/run/apiv2/runpb"
	"cloud.google.com/go/vpcaccess/apiv1/vpcaccesspb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

const grpcDefaultPageSize = 100

// getOne answers a Get: the resource, its recorded problem, or NotFound.
func getOne[T proto.Message](d *dataset, m map[string]T, kind inventory.Kind, name string) (T, error) {
	var zero T
	if code, why, ok := d.problem(kind, name); ok {
		return zero, status.Error(code, why)
	}
	item, ok := m[name]
	if !ok {
		return zero, status.Errorf(codes.NotFound, "Resource '%s' was not found", name)
	}
	return proto.Clone(item).(T), nil
}

// listPage answers one page of a List under parent.
func listPage[T interface {
	proto.Message
	GetName() string
}](s *Server, m map[string]T, kind inventory.Kind, parent string, pageSize int32, token string) ([]T, string, error) {
	if code, why, ok := s.data.problem(kind, ""); ok {
		return nil, "", status.Error(code, why)
	}
	items, next, err := page(inLocation(m, parent), int(pageSize), token, s.pageSize(grpcDefaultPageSize))
	if err != nil {
		return nil, "", status.Error(codes.InvalidArgument, err.Error())
	}
	return cloneAll(items), next, nil
}

type runServices struct {
	runpb.UnimplementedServicesServer
	s *Server
}

func (r *runServices) GetService(_ context.Context, req *runpb.GetServiceRequest) (*runpb.Service, error) {
	return getOne(r.s.data, r.s.data.services, inventory.KindService, req.GetName())
}

func (r *runServices) ListServices(_ context.Context, req *runpb.ListServicesRequest) (*runpb.ListServicesResponse, error) {
	items, next, err := listPage(r.s, r.s.data.services, inventory.KindService, req.GetParent(), req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &runpb.ListServicesResponse{Services: items, NextPageToken: next}, nil
}

type runRevisions struct {
	runpb.UnimplementedRevisionsServer
	s *Server
}

func (r *runRevisions) GetRevision(_ context.Context, req *runpb.GetRevisionRequest) (*runpb.Revision, error) {
	return getOne(r.s.data, r.s.data.revisions, inventory.KindRevision, req.GetName())
}

type vpcAccess struct {
	vpcaccesspb.UnimplementedVpcAccessServiceServer
	s *Server
}

func (v *vpcAccess) GetConnector(_ context.Context, req *vpcaccesspb.GetConnectorRequest) (*vpcaccesspb.Connector, error) {
	return getOne(v.s.data, v.s.data.connectors, inventory.KindConnector, req.GetName())
}

func (v *vpcAccess) ListConnectors(_ context.Context, req *vpcaccesspb.ListConnectorsRequest) (*vpcaccesspb.ListConnectorsResponse, error) {
	items, next, err := listPage(v.s, v.s.data.connectors, inventory.KindConnector, req.GetParent(), req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &vpcaccesspb.ListConnectorsResponse{Connectors: items, NextPageToken: next}, nil
}

type cloudRedis struct {
	redispb.UnimplementedCloudRedisServer
	s *Server
}

func (c *cloudRedis) GetInstance(_ context.Context, req *redispb.GetInstanceRequest) (*redispb.Instance, error) {
	return getOne(c.s.data, c.s.data.redis, inventory.KindRedis, req.GetName())
}

func (c *cloudRedis) ListInstances(_ context.Context, req *redispb.ListInstancesRequest) (*redispb.ListInstancesResponse, error) {
	items, next, err := listPage(c.s, c.s.data.redis, inventory.KindRedis, req.GetParent(), req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &redispb.ListInstancesResponse{Instances: items, NextPageToken: next}, nil
}

func (c *cloudRedis) GetInstanceAuthString(_ context.Context, req *redispb.GetInstanceAuthStringRequest) (*redispb.InstanceAuthString, error) {
	// vpcdoctor must never ask for the AUTH string: make any attempt loud in tests.
	return nil, status.Error(codes.PermissionDenied, fmt.Sprintf("fakegcp: GetInstanceAuthString(%s) called; vpcdoctor must never fetch AUTH strings", req.GetName()))
}

// redisCluster serves Memorystore for Redis Cluster from the snapshot's clusters. A snapshot
// with no cluster answers PermissionDenied, as for any kind it holds no data for; the live
// loader treats every Cluster failure as "no hint".
type redisCluster struct {
	clusterpb.UnimplementedCloudRedisClusterServer
	s *Server
}

func (c *redisCluster) GetCluster(_ context.Context, req *clusterpb.GetClusterRequest) (*clusterpb.Cluster, error) {
	return getOne(c.s.data, c.s.data.clusters, inventory.KindRedisCluster, req.GetName())
}

func (c *redisCluster) ListClusters(_ context.Context, req *clusterpb.ListClustersRequest) (*clusterpb.ListClustersResponse, error) {
	items, next, err := listPage(c.s, c.s.data.clusters, inventory.KindRedisCluster, req.GetParent(), req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &clusterpb.ListClustersResponse{Clusters: items, NextPageToken: next}, nil
}
