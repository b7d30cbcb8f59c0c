package live_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/protobuf/proto"

	"github.com/vpcdoctor/vpcdoctor/internal/fakegcp"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/live"
)

// benchLatency is the latency injected into every API call.
const benchLatency = 100 * time.Millisecond

// benchmarkLoad measures one Load per iteration against a fake with benchLatency per
// call, concurrently (the default) and serially (one call in flight: the same calls, one
// after another), and reports the calls each load makes.
func benchmarkLoad(b *testing.B, inv *inventory.Inventory, opts func(*fakegcp.Server) live.Options) {
	server, err := fakegcp.Start(inv, fakegcp.Options{Latency: benchLatency, Region: fixtureRegion})
	if err != nil {
		b.Fatal(err)
	}
	defer server.Close()
	for _, mode := range []struct {
		name        string
		concurrency int
	}{{"concurrent", 0}, {"serial", 1}} {
		b.Run(mode.name, func(b *testing.B) {
			options := opts(server)
			options.MaxConcurrency = mode.concurrency
			options.Timeout = time.Minute
			server.ResetCalls()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				loaded, err := live.Load(context.Background(), options)
				if err != nil {
					b.Fatal(err)
				}
				if len(loaded.Problems) > 0 {
					b.Fatalf("problems: %q", problemSet(loaded))
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(server.TotalCalls())/float64(b.N), "calls/op")
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
		})
	}
}

// BenchmarkLiveOneService loads the healthy scenario's one service: about three rounds of
// calls (service, Redis and connectors; then revision, network, subnetworks, firewalls).
func BenchmarkLiveOneService(b *testing.B) {
	inv := healthyWithRevision(b)
	benchmarkLoad(b, inv, func(s *fakegcp.Server) live.Options {
		return liveOptions(s, fixtureProject, fixtureRegion, fixtureService)
	})
}

// BenchmarkLiveRegion50 loads every service of a region holding 50 services that share one
// connector, network and Redis instance: shared resources are fetched once, and the 50
// revisions in one round.
func BenchmarkLiveRegion50(b *testing.B) {
	inv := regionWithServices(b, 50)
	benchmarkLoad(b, inv, func(s *fakegcp.Server) live.Options {
		return liveOptions(s, fixtureProject, fixtureRegion, "")
	})
}

// healthyWithRevision is the healthy scenario with its serving revision, so a live load
// reads everything and records no problem.
func healthyWithRevision(b *testing.B) *inventory.Inventory {
	return regionWithServices(b, 1)
}

// regionWithServices copies the healthy scenario's service n times (n == 1 keeps its
// name), each with its own serving revision.
func regionWithServices(b *testing.B, n int) *inventory.Inventory {
	b.Helper()
	inv := loadScenario(b, "healthy")
	template, err := fakegcp.CanonicalService(inv, inv.Services[0], fixtureRegion)
	if err != nil {
		b.Fatal(err)
	}
	inv.Services = nil
	for i := 0; i < n; i++ {
		svc := proto.Clone(template).(*runpb.Service)
		if n > 1 {
			svc.Name = fmt.Sprintf("projects/%s/locations/%s/services/svc-%02d", fixtureProject, fixtureRegion, i)
		}
		revision := svc.GetName() + "/revisions/" + inventory.ShortName(svc.GetName()) + "-00001-abc"
		svc.LatestReadyRevision = revision
		svc.TrafficStatuses = []*runpb.TrafficTargetStatus{{
			Type: runpb.TrafficTargetAllocationType_TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST, Percent: 100,
		}}
		inv.Services = append(inv.Services, svc)
		inv.Revisions = append(inv.Revisions, &runpb.Revision{
			Name: revision, Service: inventory.ShortName(svc.GetName()),
			VpcAccess: svc.GetTemplate().GetVpcAccess(), Containers: svc.GetTemplate().GetContainers(),
		})
	}
	inv.MarkListed(inventory.KindRevision)
	return inv
}
