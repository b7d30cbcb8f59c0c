package snapshot

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
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// ProblemsFile holds the problems of the load the snapshot was written from.
const ProblemsFile = "problems.json"

// snapshotFiles are the names Write owns in its directory: one per kind, and ProblemsFile.
func snapshotFiles() []string {
	var names []string
	for _, info := range inventory.Kinds() {
		names = append(names, info.File)
	}
	return append(names, ProblemsFile)
}

// Write writes an inventory as a snapshot directory that LoadDir reads back into the
// same inventory: one file per kind, in the APIs' JSON (protojson) and list envelopes
// ({"services": [...]}, {"instances": [...]}, {"clusters": [...]}, compute#subnetworkList,
// ...), an empty list for a kind that was listed and is empty (so absence still means
// NotFound), and the problems of the load in ProblemsFile.
//
// Secrets never reach the files: Redis AUTH strings are not part of an instance (vpcdoctor
// never calls GetInstanceAuthString), and services and revisions are written through the
// same allow-list the loaders apply (see inventory.RedactEnvValue): an env value is written only when
// its shape cannot hold a secret (a port, an IP address, a host:port, a redis:// URL
// without its user info...), everything else as Redacted; container arguments and
// commands always as Redacted.
//
// dir is created if needed; it must hold nothing but a previous snapshot's files (and a
// README), so a snapshot never mixes with unrelated files that LoadDir would also read.
func Write(inv *inventory.Inventory, dir string) error {
	if err := prepareSnapshotDir(dir); err != nil {
		return err
	}
	files := map[string]any{}
	for _, info := range inventory.Kinds() {
		switch {
		case info.Kind == inventory.KindFirewallPolicy:
			if !inv.Listed[info.Kind] && len(inv.FirewallPolicies) == 0 {
				continue
			}
			items := make([]json.RawMessage, 0, len(inv.FirewallPolicies))
			for _, entry := range inv.FirewallPolicies {
				item, err := effectiveFirewallsItem(entry)
				if err != nil {
					return fmt.Errorf("write snapshot %s: %w", info.File, err)
				}
				items = append(items, item)
			}
			files[info.File] = map[string]any{"kind": info.ListKind, info.Envelope: items}
		case info.HoldsResources() && (inv.Listed[info.Kind] || info.Len(inv) > 0):
			items := info.Messages(inv)
			for i, item := range items {
				// The loaders scrub what they add; an inventory built another way is
				// scrubbed here, on a copy.
				items[i] = info.Redacted(item)
			}
			files[info.File] = envelope{kind: info.ListKind, key: info.Envelope, items: items}
		}
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
		return &inventory.InputError{Path: dir, Msg: "is a symbolic link; give the directory itself"}
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
		return &inventory.InputError{Path: dir, Msg: fmt.Sprintf("already holds other files (%s); choose an empty or new directory", strings.Join(foreign, ", "))}
	}
	return nil
}

// envelope is a list file: {"KEY": [...]} or {"kind": KIND, "items": [...]}.
type envelope struct {
	kind  string
	key   string
	items []proto.Message
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
// policies; the VPC rules are in inventory.FirewallsFile) with the "network" field that names it, or
// a regionNetworkFirewallPolicies.getEffectiveFirewalls answer with its "region" too.
func effectiveFirewallsItem(entry *inventory.NetworkFirewallPolicies) (json.RawMessage, error) {
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
