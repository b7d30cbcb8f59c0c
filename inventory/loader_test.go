package inventory_test

import (
	"testing"

	"cloud.google.com/go/compute/apiv1/computepb"
	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/protobuf/proto"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// TestLoaderAPI: Add keeps a resource under its kind with its source, scrubbed; Has and
// Remove find it by canonical name (a self link too); a message of another kind's type is
// refused.
func TestLoaderAPI(t *testing.T) {
	inv := &inventory.Inventory{}
	network := &computepb.Network{Name: proto.String("prod"), SelfLink: proto.String("https://www.googleapis.com/compute/v1/projects/p/global/networks/prod")}
	if err := inv.Add(inventory.KindNetwork, network, "network.yaml"); err != nil {
		t.Fatal(err)
	}
	service := &runpb.Service{Name: "projects/p/locations/r/services/s", Template: &runpb.RevisionTemplate{Containers: []*runpb.Container{{
		Env: []*runpb.EnvVar{{Name: "TOKEN", Values: &runpb.EnvVar_Value{Value: "hunter2"}}},
	}}}}
	if err := inv.Add(inventory.KindService, service, ""); err != nil {
		t.Fatal(err)
	}
	if err := inv.Add(inventory.KindConnector, network, "x"); err == nil {
		t.Error("a network added as a connector: want an error")
	}
	if !inv.Listed[inventory.KindNetwork] || !inv.Listed[inventory.KindService] || inv.Listed[inventory.KindConnector] {
		t.Errorf("listed kinds: %v", inv.Listed)
	}
	if got := inv.Sources["projects/p/global/networks/prod"]; got != "network.yaml" {
		t.Errorf("source of the network: %q", got)
	}
	if got := inventory.ServiceEnv(inv.Services[0])[0].Value; got != inventory.Redacted {
		t.Errorf("secret kept: %q", got)
	}
	if !inv.Has(inventory.KindNetwork, network.GetSelfLink()) || inv.Has(inventory.KindNetwork, "projects/p/global/networks/other") {
		t.Error("Has: wrong answer")
	}
	if _, problem := inv.Network(inventory.NetworkRef{Project: "p", Name: "prod"}); problem != nil {
		t.Errorf("lookup after Add: %v", problem)
	}
	if n := inv.Remove(inventory.KindNetwork, "projects/p/global/networks/prod"); n != 1 || len(inv.Networks) != 0 {
		t.Errorf("Remove: %d removed, %d left", n, len(inv.Networks))
	}
	if _, problem := inv.Network(inventory.NetworkRef{Project: "p", Name: "prod"}); problem == nil || problem.Code != inventory.NotFound {
		t.Errorf("lookup after Remove: %v", problem)
	}
	var visited []inventory.Kind
	inv.Each(func(k inventory.Kind, name string, _ proto.Message) { visited = append(visited, k) })
	if len(visited) != 1 || visited[0] != inventory.KindService {
		t.Errorf("Each visited %v", visited)
	}
}

// TestKindTable: every kind the inventory names has one row, each with a snapshot file,
// and every row that holds resources makes an empty message of its own kind.
func TestKindTable(t *testing.T) {
	seen := map[inventory.Kind]bool{}
	files := map[string]bool{}
	for _, info := range inventory.Kinds() {
		if seen[info.Kind] || files[info.File] || info.File == "" {
			t.Errorf("kind %s: duplicate row or file %q", info.Kind, info.File)
		}
		seen[info.Kind], files[info.File] = true, true
		if info.HoldsResources() {
			msg := info.NewMessage()
			if back, ok := inventory.KindOfMessage(msg); !ok || back.Kind != info.Kind {
				t.Errorf("kind %s: its message %T is of kind %s", info.Kind, msg, back.Kind)
			}
		}
	}
	for _, k := range []inventory.Kind{inventory.KindService, inventory.KindRevision, inventory.KindConnector, inventory.KindRedis,
		inventory.KindRedisCluster, inventory.KindNetwork, inventory.KindSubnetwork, inventory.KindFirewall, inventory.KindFirewallPolicy, inventory.KindAddress} {
		if !seen[k] {
			t.Errorf("kind %s has no row", k)
		}
	}
}

// TestCanonicalNames: a Compute resource without a selfLink (a hand-written file) is named
// from what it carries, and Has and Remove find it by that name.
func TestCanonicalNames(t *testing.T) {
	inv := &inventory.Inventory{}
	subnet := &computepb.Subnetwork{Name: proto.String("s"), Region: proto.String("us-central1"), Network: proto.String("projects/p/global/networks/n")}
	rule := &computepb.Firewall{Name: proto.String("allow"), Network: proto.String("projects/p/global/networks/n")}
	for kind, msg := range map[inventory.Kind]proto.Message{inventory.KindSubnetwork: subnet, inventory.KindFirewall: rule} {
		if err := inv.Add(kind, msg, ""); err != nil {
			t.Fatal(err)
		}
	}
	for kind, want := range map[inventory.Kind]string{inventory.KindSubnetwork: "projects/p/regions/us-central1/subnetworks/s", inventory.KindFirewall: "projects/p/global/firewalls/allow"} {
		info, _ := inventory.KindOf(kind)
		if got := info.Canonical(info.Messages(inv)[0]); got != want {
			t.Errorf("%s: canonical name %q, want %q", kind, got, want)
		}
		if !inv.Has(kind, want) || inv.Remove(kind, want) != 1 || inv.Has(kind, want) {
			t.Errorf("%s: Has/Remove by %s", kind, want)
		}
	}
}
