package inventory

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"

	"cloud.google.com/go/compute/apiv1/computepb"
	"cloud.google.com/go/redis/apiv1/redispb"
	clusterpb "cloud.google.com/go/redis/cluster/apiv1/clusterpb"
	"cloud.google.com/go/run/apiv2/runpb"
	"cloud.google.com/go/vpcaccess/apiv1/vpcaccesspb"
	"google.golang.org/protobuf/proto"
)

// InputError is bad user input: an unreadable or unrecognisable file. Its message is one
// line naming the file (and line, where the parser gives one); the CLI exits 2 on it.
type InputError struct {
	Path string
	Line int
	Msg  string
}

func (e *InputError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return e.Path + ": " + e.Msg
}

// Limits on what a snapshot may make vpcdoctor read. A snapshot in CI can come from a pull
// request; these keep a hostile one from exhausting memory or hanging the run. Real ones are
// far below them: the subnetworks of a 10,000-subnet project are about 10 MiB of JSON.
const (
	// MaxFileBytes is the largest snapshot file, --service-file or other input file read.
	MaxFileBytes = 64 << 20
	// MaxSnapshotBytes is the largest total size of a snapshot directory's files.
	MaxSnapshotBytes = 256 << 20
	// MaxSnapshotFiles is the most files a snapshot directory may hold.
	MaxSnapshotFiles = 10_000
)

// LoadDir reads a snapshot directory: every regular, non-hidden file in it (and in its
// subdirectories) is YAML or JSON as gcloud or the APIs print it, and is recognised by its
// content. Files named README* are skipped so a snapshot can carry its own notes. Reading
// stays inside the directory: a symbolic link that leads out of it is refused, as is
// anything but a regular file (a FIFO, a device), and the limits above apply.
func LoadDir(dir string) (*Inventory, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, &InputError{Path: dir, Msg: "cannot read snapshot directory: " + describeOSError(err)}
	}
	if !info.IsDir() {
		return nil, &InputError{Path: dir, Msg: "is a file, not a snapshot directory (give the directory that holds the gcloud output files)"}
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, &InputError{Path: dir, Msg: "cannot read snapshot directory: " + describeOSError(err)}
	}
	defer root.Close()
	// An os.Root file system resolves every name inside the directory: a symbolic link
	// that leads out of it fails to open instead of being followed.
	return LoadFS(root.FS(), dir)
}

// snapshotFile is one file of a snapshot to read, found by the walk.
type snapshotFile struct {
	name    string // slash-separated, relative to the snapshot
	display string // prefix + name, for errors and Sources
}

// LoadFS reads a snapshot from a file system (a directory, or the fixtures embedded in
// the binary); prefix is prepended to file names in errors and Sources.
func LoadFS(fsys fs.FS, prefix string) (*Inventory, error) {
	inv := &Inventory{}
	var files []snapshotFile
	var total int64
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		display := filepath.Join(prefix, filepath.FromSlash(path))
		if err != nil {
			return &InputError{Path: display, Msg: describeOSError(err)}
		}
		name := d.Name()
		if path != "." && strings.HasPrefix(name, ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || strings.HasPrefix(strings.ToUpper(name), "README") {
			return nil
		}
		// The entry's own type first: a symbolic link is judged by what it leads to, which
		// must be a regular file inside the snapshot. Its target is never quoted.
		info, err := fs.Stat(fsys, path)
		if err != nil {
			if d.Type()&fs.ModeSymlink != 0 {
				return &InputError{Path: display, Msg: "symbolic link that leads outside the snapshot directory, or to nothing: refused"}
			}
			return &InputError{Path: display, Msg: describeOSError(err)}
		}
		if !info.Mode().IsRegular() {
			what := "not a regular file"
			switch {
			case info.IsDir():
				what = "a symbolic link to a directory"
			case info.Mode()&fs.ModeNamedPipe != 0:
				what = "a named pipe (FIFO)"
			case info.Mode()&fs.ModeDevice != 0:
				what = "a device"
			case info.Mode()&fs.ModeSocket != 0:
				what = "a socket"
			}
			return &InputError{Path: display, Msg: what + ", not a file of gcloud output: refused"}
		}
		if info.Size() > MaxFileBytes {
			return &InputError{Path: display, Msg: fmt.Sprintf("%s is larger than the limit of %d MiB per file", sizeText(info.Size()), MaxFileBytes>>20)}
		}
		total += info.Size()
		if total > MaxSnapshotBytes {
			return &InputError{Path: prefix, Msg: fmt.Sprintf("snapshot files add up to more than the limit of %d MiB", MaxSnapshotBytes>>20)}
		}
		if len(files) == MaxSnapshotFiles {
			return &InputError{Path: prefix, Msg: fmt.Sprintf("snapshot holds more than the limit of %d files", MaxSnapshotFiles)}
		}
		files = append(files, snapshotFile{name: path, display: display})
		return nil
	})
	if err != nil {
		var inErr *InputError
		if errors.As(err, &inErr) {
			return nil, inErr
		}
		return nil, &InputError{Path: prefix, Msg: describeOSError(err)}
	}
	if len(files) == 0 {
		return nil, &InputError{Path: prefix, Msg: "snapshot directory holds no files (save gcloud output there; see the README)"}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	// Files are parsed concurrently (parsing dominates on large projects) and merged in
	// name order, so the inventory and the first error reported do not depend on timing.
	parsed := make([]*Inventory, len(files))
	errs := make([]error, len(files))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	var panicked PanicBox
	for i, file := range files {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			defer panicked.Capture()
			data, err := readLimited(fsys, file.name, MaxFileBytes)
			if err != nil {
				errs[i] = &InputError{Path: file.display, Msg: describeOSError(err)}
				return
			}
			part := &Inventory{}
			errs[i] = part.AddFile(file.display, data)
			parsed[i] = part
		}()
	}
	wg.Wait()
	panicked.Rethrow()
	for i := range files {
		if errs[i] != nil {
			return nil, errs[i]
		}
	}
	copies, err := checkDuplicates(files, parsed)
	if err != nil {
		return nil, err
	}
	for i := range files {
		inv.Merge(parsed[i])
	}
	dropCopies(inv, copies)
	return inv, nil
}

// errTooLarge: a file grew past its limit while it was read (it was checked before).
var errTooLarge = errors.New("file is larger than the size limit")

// readLimited reads a whole file, never more than limit bytes: a file that grows while it
// is read (or whose size the file system does not report) stops there.
func readLimited(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w of %d MiB", errTooLarge, limit>>20)
	}
	return data, nil
}

// ReadInputFile reads one input file named on the command line (a service file, a
// Terraform plan): it must be a regular file of at most limit bytes. The error is an
// *InputError naming the file.
func ReadInputFile(path string, limit int64) ([]byte, error) {
	// Stat before opening: opening a FIFO blocks until something writes to it.
	if info, err := os.Stat(path); err != nil {
		return nil, &InputError{Path: path, Msg: describeOSError(err)}
	} else if !info.Mode().IsRegular() {
		return nil, &InputError{Path: path, Msg: "not a regular file (a pipe, a device or a directory): refused"}
	}
	// O_NONBLOCK: should the name have become a FIFO since, opening still returns.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, &InputError{Path: path, Msg: describeOSError(err)}
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, &InputError{Path: path, Msg: describeOSError(err)}
	}
	if !info.Mode().IsRegular() {
		return nil, &InputError{Path: path, Msg: "not a regular file (a pipe, a device or a directory): refused"}
	}
	if info.Size() > limit {
		return nil, &InputError{Path: path, Msg: fmt.Sprintf("%s is larger than the limit of %d MiB", sizeText(info.Size()), limit>>20)}
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, &InputError{Path: path, Msg: describeOSError(err)}
	}
	if int64(len(data)) > limit {
		return nil, &InputError{Path: path, Msg: fmt.Sprintf("larger than the limit of %d MiB", limit>>20)}
	}
	return data, nil
}

func sizeText(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// checkDuplicates refuses two descriptions of one resource (the same kind and canonical
// name) that differ: which one a run used would depend on file names, so a renamed file
// could flip a verdict. The same resource saved twice alike (a describe and a list) is fine:
// the later copies are returned, to be dropped, so it counts once.
func checkDuplicates(files []snapshotFile, parsed []*Inventory) (map[proto.Message]bool, error) {
	copies := map[proto.Message]bool{}
	type seen struct {
		msg  proto.Message
		file string
	}
	first := map[string]seen{}
	for i, part := range parsed {
		var conflict error
		part.Each(func(kind Kind, name string, msg proto.Message) {
			if conflict != nil || name == "" {
				return
			}
			key := string(kind) + " " + name
			prev, ok := first[key]
			if !ok {
				first[key] = seen{msg: msg, file: files[i].display}
				return
			}
			if proto.Equal(prev.msg, msg) {
				copies[msg] = true
				return
			}
			where := "both in " + prev.file
			if prev.file != files[i].display {
				where = prev.file + " and " + files[i].display
			}
			conflict = &InputError{Path: files[i].display, Msg: fmt.Sprintf("%s %s is described twice, differently (%s): keep one", kind, name, where)}
		})
		if conflict != nil {
			return nil, conflict
		}
	}
	return copies, nil
}

// dropCopies removes the redundant copies checkDuplicates found.
func dropCopies(inv *Inventory, copies map[proto.Message]bool) {
	if len(copies) == 0 {
		return
	}
	inv.Retain(func(_ Kind, msg proto.Message) bool { return !copies[msg] })
}

// AddFile adds every resource in one file's content to the inventory.
func (inv *Inventory) AddFile(path string, data []byte) error {
	docs, err := decodeDocuments(data)
	if err != nil {
		// Documentation pages quote gcloud output indented as a code block: try once more
		// without the common indentation before giving up.
		if retry, retryErr := decodeDocuments(dedent(data)); retryErr == nil {
			docs, err = retry, nil
		}
	}
	if err != nil {
		return &InputError{Path: path, Line: lineOf(err.Error()), Msg: "not valid YAML or JSON: " + stripLine(err.Error())}
	}
	if len(docs) == 0 {
		return &InputError{Path: path, Msg: "file is empty"}
	}
	for _, doc := range docs {
		if err := inv.addValue(path, doc.line, doc.value); err != nil {
			return err
		}
	}
	return nil
}

var lineRe = regexp.MustCompile(`^line (\d+): `)

func lineOf(msg string) int {
	m := lineRe.FindStringSubmatch(msg)
	if m == nil {
		return 0
	}
	var n int
	fmt.Sscanf(m[1], "%d", &n)
	return n
}

func stripLine(msg string) string { return lineRe.ReplaceAllString(msg, "") }

// listKeys are the envelope keys of list responses: {"services": [...]} and friends.
var listKeys = []string{"items", "services", "instances", "clusters", "connectors", "subnetworks", "firewalls", "networks", "revisions"}

func (inv *Inventory) addValue(path string, line int, value any) error {
	switch v := value.(type) {
	case []any:
		for _, item := range v {
			if err := inv.addValue(path, line, item); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		return inv.addObject(path, line, v)
	}
	return &InputError{Path: path, Line: line, Msg: "not a Google Cloud resource: expected a mapping or a list, found a plain value"}
}

var (
	connectorNameRe = regexp.MustCompile(`^projects/[^/]+/locations/[^/]+/connectors/[^/]+$`)
	redisNameRe     = regexp.MustCompile(`^projects/[^/]+/locations/[^/]+/instances/[^/]+$`)
	clusterNameRe   = regexp.MustCompile(`^projects/[^/]+/locations/[^/]+/clusters/[^/]+$`)
	serviceNameRe   = regexp.MustCompile(`^projects/[^/]+/locations/[^/]+/services/[^/]+$`)
	revisionNameRe  = regexp.MustCompile(`^projects/[^/]+/locations/[^/]+/services/[^/]+/revisions/[^/]+$`)
)

func (inv *Inventory) addObject(path string, line int, obj map[string]any) error {
	kind, _ := obj["kind"].(string)
	name, _ := obj["name"].(string)
	switch {
	case kind == "compute#network":
		return inv.addProto(path, line, obj, &computepb.Network{}, KindNetwork)
	case kind == "compute#subnetwork":
		return inv.addProto(path, line, obj, &computepb.Subnetwork{}, KindSubnetwork)
	case kind == "compute#firewall":
		return inv.addProto(path, line, obj, &computepb.Firewall{}, KindFirewall)
	case kind == "compute#address":
		return inv.addProto(path, line, obj, &computepb.Address{}, KindAddress)
	case kind == "compute#router":
		return inv.addProto(path, line, obj, &computepb.Router{}, KindRouter)
	case kind == "compute#subnetworkAggregatedList":
		return inv.addAggregated(path, line, obj, KindSubnetwork, "subnetworks")
	case kind == "compute#routerAggregatedList":
		return inv.addAggregated(path, line, obj, KindRouter, "routers")
	case strings.HasPrefix(kind, "compute#") && strings.HasSuffix(kind, "List"):
		switch kind {
		case "compute#subnetworkList":
			inv.MarkListed(KindSubnetwork)
		case "compute#firewallList":
			inv.MarkListed(KindFirewall)
		case "compute#networkList":
			inv.MarkListed(KindNetwork)
		case "compute#addressList":
			inv.MarkListed(KindAddress)
		case "compute#routerList":
			inv.MarkListed(KindRouter)
		}
		return inv.addValue(path, line, emptyIfNil(obj["items"]))
	case kind == "Service" || (kind == "" && isKnativeShape(obj)):
		return inv.addKnativeService(path, line, obj)
	case kind == ProblemsKind:
		return inv.addProblems(path, line, obj)
	case kind == "Revision":
		return inv.addKnativeRevision(path, line, obj)
	case kind == "List":
		return inv.addValue(path, line, emptyIfNil(obj["items"]))
	case kind == EffectiveFirewallsKind:
		inv.MarkListed(KindFirewallPolicy)
		return inv.addValue(path, line, emptyIfNil(obj["items"]))
	case connectorNameRe.MatchString(name):
		return inv.addProto(path, line, obj, &vpcaccesspb.Connector{}, KindConnector)
	case redisNameRe.MatchString(name):
		return inv.addProto(path, line, obj, &redispb.Instance{}, KindRedis)
	case revisionNameRe.MatchString(name):
		return inv.addProto(path, line, obj, &runpb.Revision{}, KindRevision)
	case serviceNameRe.MatchString(name):
		return inv.addProto(path, line, obj, &runpb.Service{}, KindService)
	case clusterNameRe.MatchString(name):
		return inv.addProto(path, line, obj, &clusterpb.Cluster{}, KindRedisCluster)
	}
	if isEffectiveFirewalls(kind, obj) {
		return inv.addEffectiveFirewalls(path, line, obj)
	}
	switch {
	case isIAMPolicy(obj):
		return inv.addIAMPolicy(path, line, obj)
	case isProjectDescription(obj):
		return inv.addProjectDescription(path, line, obj)
	}
	for _, key := range listKeys {
		if list, ok := obj[key].([]any); ok {
			if err := inv.addValue(path, line, list); err != nil {
				return err
			}
			inv.markEnvelope(key)
			return nil
		}
	}
	return &InputError{Path: path, Line: line, Msg: unrecognised(kind, name)}
}

// addAggregated reads an aggregatedList answer, items keyed by scope ("regions/R") each
// holding the list under key: a complete listing of the kind.
func (inv *Inventory) addAggregated(path string, line int, obj map[string]any, k Kind, key string) error {
	inv.MarkListed(k)
	items, _ := obj["items"].(map[string]any)
	for _, scoped := range items {
		if scopedMap, ok := scoped.(map[string]any); ok {
			if err := inv.addValue(path, line, emptyIfNil(scopedMap[key])); err != nil {
				return err
			}
		}
	}
	return nil
}

func (inv *Inventory) markEnvelope(key string) {
	switch key {
	case "subnetworks":
		inv.MarkListed(KindSubnetwork)
	case "firewalls":
		inv.MarkListed(KindFirewall)
	case "connectors":
		inv.MarkListed(KindConnector)
	case "instances":
		inv.MarkListed(KindRedis)
	}
}

func unrecognised(kind, name string) string {
	switch {
	case kind != "":
		return fmt.Sprintf("unrecognised resource kind %q (vpcdoctor reads Cloud Run services, VPC connectors, Redis instances, networks, subnetworks, firewall rules, global addresses and Cloud Routers)", kind)
	case name != "":
		return fmt.Sprintf("unrecognised resource %q: expected a full name such as projects/P/locations/R/connectors/C or .../instances/I, or a compute resource with its kind", name)
	}
	return "not a recognisable Google Cloud resource: no kind and no full resource name (save the output of gcloud ... describe --format yaml)"
}

func emptyIfNil(v any) any {
	if v == nil {
		return []any{}
	}
	return v
}

// isKnativeShape recognises a Cloud Run service.yaml that lost its kind line.
func isKnativeShape(obj map[string]any) bool {
	spec, ok := obj["spec"].(map[string]any)
	if !ok {
		return false
	}
	_, hasTemplate := spec["template"]
	_, hasMeta := obj["metadata"]
	return hasTemplate && hasMeta
}

func (inv *Inventory) addProto(path string, line int, obj map[string]any, msg proto.Message, kind Kind) error {
	if err := DecodeResource(obj, msg); err != nil {
		return &InputError{Path: path, Line: line, Msg: fmt.Sprintf("not a valid %s: %v", kind, err)}
	}
	if err := Validate(msg); err != nil {
		return &InputError{Path: path, Line: line, Msg: fmt.Sprintf("not a valid %s: %v", kind, err)}
	}
	if err := inv.Add(kind, msg, path); err != nil {
		return &InputError{Path: path, Line: line, Msg: err.Error()}
	}
	return nil
}

func describeOSError(err error) string {
	switch {
	case os.IsNotExist(err):
		return "no such file or directory"
	case os.IsPermission(err):
		return "permission denied"
	}
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Err.Error()
	}
	return err.Error()
}

// isEffectiveFirewalls recognises a networks.getEffectiveFirewalls answer: it has a
// firewallPolicys key, or, since gcloud and the API leave out empty lists, only a firewalls
// key (a network without firewall policies). A firewalls.list answer has items instead.
func isEffectiveFirewalls(kind string, obj map[string]any) bool {
	if _, ok := obj["firewallPolicys"]; ok {
		return true
	}
	_, rules := obj["firewalls"]
	_, items := obj["items"]
	return rules && !items && kind == ""
}

// EffectiveFirewallsKind marks the file in which `vpcdoctor snapshot` records the
// networks.getEffectiveFirewalls answers, one item per network, each with a "network"
// field naming it (the API's response does not).
const EffectiveFirewallsKind = "vpcdoctor#effectiveFirewalls"

// addEffectiveFirewalls reads a networks.getEffectiveFirewalls response, as
// `gcloud compute networks get-effective-firewalls NETWORK --format json` prints it: its
// VPC firewall rules like any firewall listing, and its firewall policies for the network
// the response is about. The response does not name that network, so it is taken from a
// "network" field when the file has one (vpcdoctor snapshot writes it; a user may add it),
// else from the network of the response's VPC rules; a response with neither applies to
// every network no other response names.
//
// A regionNetworkFirewallPolicies.getEffectiveFirewalls response (`gcloud compute
// network-firewall-policies get-effective-firewalls --network N --region R --format json`)
// has the same shape. It is read as the answer for one region when the file has a
// "region" field (vpcdoctor snapshot writes it; a user may add it) or when it lists a
// regional policy (type NETWORK_REGIONAL or SYSTEM_REGIONAL); without a "region" field it
// then applies to every region no other regional answer names. A regional answer without
// regional policies and without a "region" field holds what a global answer holds, and is
// read as one.
func (inv *Inventory) addEffectiveFirewalls(path string, line int, obj map[string]any) error {
	if _, ok := obj["firewalls"]; ok {
		if err := inv.addValue(path, line, emptyIfNil(obj["firewalls"])); err != nil {
			return err
		}
		inv.MarkListed(KindFirewall)
	}
	var response computepb.NetworksGetEffectiveFirewallsResponse
	if err := DecodeResource(map[string]any{"firewallPolicys": obj["firewallPolicys"]}, &response); err != nil {
		return &InputError{Path: path, Line: line, Msg: "not a valid networks.getEffectiveFirewalls response: " + err.Error()}
	}
	network := ""
	if named, ok := obj["network"].(string); ok && named != "" {
		ref, err := ParseNetwork(named, "")
		if err != nil || ref.Project == "" {
			return &InputError{Path: path, Line: line, Msg: fmt.Sprintf("network %q: want projects/PROJECT/global/networks/NETWORK", named)}
		}
		network = ref.String()
	} else if rules, ok := obj["firewalls"].([]any); ok {
		for _, rule := range rules {
			if ruleObj, ok := rule.(map[string]any); ok {
				if text, ok := ruleObj["network"].(string); ok {
					if ref, err := ParseNetwork(text, ProjectOf(fmt.Sprint(ruleObj["selfLink"]))); err == nil && ref.Project != "" {
						network = ref.String()
						break
					}
				}
			}
		}
	}
	entry := &NetworkFirewallPolicies{Network: network, Policies: response.GetFirewallPolicys()}
	if named, ok := obj["region"].(string); ok && named != "" {
		if strings.Contains(named, "/") || strings.TrimSpace(named) != named {
			return &InputError{Path: path, Line: line, Msg: fmt.Sprintf("region %q: want a region name such as us-central1", named)}
		}
		entry.Regional, entry.Region = true, named
	}
	for _, policy := range entry.Policies {
		switch strings.ToUpper(policy.GetType()) {
		case "NETWORK_REGIONAL", "SYSTEM_REGIONAL":
			entry.Regional = true
		}
	}
	inv.FirewallPolicies = append(inv.FirewallPolicies, entry)
	inv.MarkListed(KindFirewallPolicy)
	return nil
}

// ProblemsKind marks the file in which `vpcdoctor snapshot` records the resources it could
// not read, so a snapshot reproduces a live run's error findings too.
const ProblemsKind = "vpcdoctor#problems"

func (inv *Inventory) addProblems(path string, line int, obj map[string]any) error {
	data, err := json.Marshal(obj["problems"])
	if err != nil {
		return &InputError{Path: path, Line: line, Msg: err.Error()}
	}
	var problems []*Problem
	if err := json.Unmarshal(data, &problems); err != nil {
		return &InputError{Path: path, Line: line, Msg: "not a valid problems list: " + err.Error()}
	}
	for i, p := range problems {
		if p == nil {
			return &InputError{Path: path, Line: line, Msg: fmt.Sprintf("problems[%d] is null", i)}
		}
		inv.AddProblem(p)
	}
	return nil
}
