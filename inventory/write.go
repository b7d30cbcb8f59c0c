package inventory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"cloud.google.com/go/compute/apiv1/computepb"
	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// The files WriteSnapshot writes, one per kind, in the APIs' own list formats.
const (
	ServicesFile    = "services.json"
	RevisionsFile   = "revisions.json"
	ConnectorsFile  = "connectors.json"
	RedisFile       = "redis.json"
	ClustersFile    = "clusters.json"
	NetworksFile    = "networks.json"
	SubnetworksFile = "subnetworks.json"
	FirewallsFile   = "firewalls.json"
	// FirewallPoliciesFile holds the networks.getEffectiveFirewalls answers, one per
	// network, each with a "network" field naming it, and the
	// regionNetworkFirewallPolicies.getEffectiveFirewalls answers, one per network and
	// region, each with "network" and "region" fields.
	FirewallPoliciesFile = "firewall-policies.json"
	AddressesFile        = "addresses.json"
	RoutersFile          = "routers.json"
	ProblemsFile         = "problems.json"
)

// snapshotFiles are the names WriteSnapshot owns in its directory.
func snapshotFiles() []string {
	return []string{ServicesFile, RevisionsFile, ConnectorsFile, RedisFile, ClustersFile, NetworksFile, SubnetworksFile, FirewallsFile,
		FirewallPoliciesFile, AddressesFile, RoutersFile, ProblemsFile}
}

// WriteSnapshot writes an inventory as a snapshot directory that LoadDir reads back into the
// same inventory: one file per kind, in the APIs' JSON (protojson) and list envelopes
// ({"services": [...]}, {"instances": [...]}, {"clusters": [...]}, compute#subnetworkList,
// ...), an empty list for a kind that was listed and is empty (so absence still means
// NotFound), and the problems of the load in problems.json.
//
// Secrets never reach the files: Redis AUTH strings are not part of an instance (vpcdoctor
// never calls GetInstanceAuthString), and services and revisions are written through the
// same allow-list the loaders apply (see RedactEnvValue): an env value is written only when
// its shape cannot hold a secret (a port, an IP address, a host:port, a redis:// URL
// without its user info...), everything else as Redacted; container arguments and
// commands always as Redacted.
//
// dir is created if needed; it must hold nothing but a previous snapshot's files (and a
// README), so a snapshot never mixes with unrelated files that LoadDir would also read.
func WriteSnapshot(inv *Inventory, dir string) error {
	if err := prepareSnapshotDir(dir); err != nil {
		return err
	}
	files := map[string]any{}
	if inv.Listed[KindService] || len(inv.Services) > 0 {
		services := make([]proto.Message, len(inv.Services))
		for i, svc := range inv.Services {
			services[i] = redactService(svc)
		}
		files[ServicesFile] = envelope{key: "services", items: services}
	}
	if inv.Listed[KindRevision] || len(inv.Revisions) > 0 {
		revisions := make([]proto.Message, len(inv.Revisions))
		for i, rev := range inv.Revisions {
			revisions[i] = redactRevision(rev)
		}
		files[RevisionsFile] = envelope{key: "revisions", items: revisions}
	}
	if inv.Listed[KindConnector] || len(inv.Connectors) > 0 {
		files[ConnectorsFile] = envelope{key: "connectors", items: messages(inv.Connectors)}
	}
	if inv.Listed[KindRedis] || len(inv.RedisInstances) > 0 {
		files[RedisFile] = envelope{key: "instances", items: messages(inv.RedisInstances)}
	}
	if inv.Listed[KindRedisCluster] || len(inv.RedisClusters) > 0 {
		// Memorystore for Redis Cluster instances, read only to explain a Redis name that is
		// a cluster (live mode reads them best effort: absence proves nothing).
		files[ClustersFile] = envelope{key: "clusters", items: messages(inv.RedisClusters)}
	}
	if inv.Listed[KindNetwork] || len(inv.Networks) > 0 {
		files[NetworksFile] = envelope{kind: "compute#networkList", key: "items", items: messages(inv.Networks)}
	}
	if inv.Listed[KindSubnetwork] || len(inv.Subnetworks) > 0 {
		files[SubnetworksFile] = envelope{kind: "compute#subnetworkList", key: "items", items: messages(inv.Subnetworks)}
	}
	if inv.Listed[KindFirewall] || len(inv.Firewalls) > 0 {
		files[FirewallsFile] = envelope{kind: "compute#firewallList", key: "items", items: messages(inv.Firewalls)}
	}
	if inv.Listed[KindFirewallPolicy] || len(inv.FirewallPolicies) > 0 {
		items := make([]json.RawMessage, 0, len(inv.FirewallPolicies))
		for _, entry := range inv.FirewallPolicies {
			item, err := effectiveFirewallsItem(entry)
			if err != nil {
				return fmt.Errorf("write snapshot %s: %w", FirewallPoliciesFile, err)
			}
			items = append(items, item)
		}
		files[FirewallPoliciesFile] = map[string]any{"kind": EffectiveFirewallsKind, "items": items}
	}
	if inv.Listed[KindAddress] || len(inv.Addresses) > 0 {
		files[AddressesFile] = envelope{kind: "compute#addressList", key: "items", items: messages(inv.Addresses)}
	}
	if inv.Listed[KindRouter] || len(inv.Routers) > 0 {
		files[RoutersFile] = envelope{kind: "compute#routerList", key: "items", items: messages(inv.Routers)}
	}
	if len(inv.Problems) > 0 {
		files[ProblemsFile] = map[string]any{"kind": ProblemsKind, "problems": inv.Problems}
	}
	// Every file is written inside dir through an os.Root and put in place by a rename, so
	// a symbolic link planted in the directory (say, services.json -> ~/.bashrc) is
	// replaced, never written through, and nothing lands outside dir.
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	defer root.Close()
	for _, name := range snapshotFiles() {
		content, ok := files[name]
		if !ok {
			// A kind this inventory did not load: drop a previous run's file for it (a link
			// is removed itself, not what it points to).
			if err := root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("write snapshot: %w", err)
			}
			continue
		}
		data, err := encodeSnapshotFile(content)
		if err != nil {
			return fmt.Errorf("write snapshot %s: %w", filepath.Join(dir, name), err)
		}
		if err := replaceFile(root, name, data); err != nil {
			return fmt.Errorf("write snapshot %s: %w", filepath.Join(dir, name), err)
		}
	}
	return nil
}

// WriteFileInDir writes data to dir/name the way the snapshot's own files are written:
// inside dir only, replacing a file or symbolic link there rather than writing through it.
func WriteFileInDir(dir, name string, data []byte) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	return replaceFile(root, name, data)
}

// replaceFile writes data to a new file beside name, then renames it over name: whatever
// name was (a file, a symbolic link), it is replaced whole.
func replaceFile(root *os.Root, name string, data []byte) error {
	tmp := "." + name + ".tmp"
	if err := root.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return root.Rename(tmp, name)
}

// prepareSnapshotDir creates dir, or checks that it holds only snapshot files.
func prepareSnapshotDir(dir string) error {
	if info, err := os.Lstat(dir); err == nil && info.Mode()&fs.ModeSymlink != 0 {
		return &InputError{Path: dir, Msg: "is a symbolic link; give the directory itself"}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create snapshot directory: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("read snapshot directory: %w", err)
	}
	own := map[string]bool{}
	for _, name := range snapshotFiles() {
		own[name] = true
	}
	var foreign []string
	for _, e := range entries {
		name := e.Name()
		if own[name] || strings.HasPrefix(strings.ToUpper(name), "README") || strings.HasPrefix(name, ".") {
			continue
		}
		foreign = append(foreign, name)
	}
	if len(foreign) > 0 {
		sort.Strings(foreign)
		return &InputError{Path: dir, Msg: fmt.Sprintf("already holds other files (%s); choose an empty or new directory", strings.Join(foreign, ", "))}
	}
	return nil
}

// envelope is a list file: {"KEY": [...]} or {"kind": KIND, "items": [...]}.
type envelope struct {
	kind  string
	key   string
	items []proto.Message
}

func messages[T proto.Message](items []T) []proto.Message {
	out := make([]proto.Message, len(items))
	for i, item := range items {
		out[i] = item
	}
	return out
}

func encodeSnapshotFile(content any) ([]byte, error) {
	var value any = content
	if env, ok := content.(envelope); ok {
		items := make([]json.RawMessage, len(env.items))
		for i, item := range env.items {
			data, err := protojson.Marshal(item)
			if err != nil {
				return nil, err
			}
			items[i] = data
		}
		obj := map[string]any{env.key: items}
		if env.kind != "" {
			obj["kind"] = env.kind
		}
		value = obj
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(value); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// effectiveFirewallsItem is one network's networks.getEffectiveFirewalls answer (its
// policies; the VPC rules are in FirewallsFile) with the "network" field that names it, or
// a regionNetworkFirewallPolicies.getEffectiveFirewalls answer with its "region" too.
func effectiveFirewallsItem(entry *NetworkFirewallPolicies) (json.RawMessage, error) {
	data, err := protojson.Marshal(&computepb.NetworksGetEffectiveFirewallsResponse{FirewallPolicys: entry.Policies})
	if err != nil {
		return nil, err
	}
	var obj map[string]any
	if err := json.Unmarshal(data, &obj); err != nil {
		return nil, err
	}
	if obj == nil {
		obj = map[string]any{}
	}
	if _, ok := obj["firewallPolicys"]; !ok {
		obj["firewallPolicys"] = []any{} // the key is what marks the response
	}
	if entry.Network != "" {
		obj["network"] = entry.Network
	}
	if entry.Regional {
		// A regional answer without a region applies to every region; an empty field would
		// not mark it, so it is written only when known (its regional policies mark it).
		if entry.Region != "" {
			obj["region"] = entry.Region
		}
	}
	return json.Marshal(obj)
}

// redactService returns a copy of a service with secret-looking env values redacted.
func redactService(svc *runpb.Service) *runpb.Service {
	out := proto.Clone(svc).(*runpb.Service)
	redactContainers(out.GetTemplate().GetContainers())
	return out
}

func redactRevision(rev *runpb.Revision) *runpb.Revision {
	out := proto.Clone(rev).(*runpb.Revision)
	redactContainers(out.GetContainers())
	return out
}

func redactContainers(containers []*runpb.Container) { scrubContainers(containers) }
