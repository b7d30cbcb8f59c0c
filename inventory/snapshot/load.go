// Package snapshot reads and writes snapshot directories: the output of gcloud (YAML or
// JSON, as gcloud or the APIs print it), one file per describe or list, recognised by its
// content, and the directory `vpcdoctor snapshot` writes from a live run. A file's
// resources go into an *inventory.Inventory through the inventory's loader API; the table
// of resource kinds (inventory.Kinds) says how each kind is recognised and written.
package snapshot

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"google.golang.org/protobuf/proto"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// Limits on what a snapshot may make vpcdoctor read. A snapshot in CI can come from a pull
// request; these keep a hostile one from exhausting memory or hanging the run. Real ones are
// far below them: the subnetworks of a 10,000-subnet project are about 10 MiB of JSON. Each
// file is at most inventory.MaxFileBytes.
const (
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
func LoadDir(dir string) (*inventory.Inventory, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, &inventory.InputError{Path: dir, Msg: "cannot read snapshot directory: " + inventory.OSErrorText(err)}
	}
	if !info.IsDir() {
		return nil, &inventory.InputError{Path: dir, Msg: "is a file, not a snapshot directory (give the directory that holds the gcloud output files)"}
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, &inventory.InputError{Path: dir, Msg: "cannot read snapshot directory: " + inventory.OSErrorText(err)}
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
func LoadFS(fsys fs.FS, prefix string) (*inventory.Inventory, error) {
	inv := &inventory.Inventory{}
	var files []snapshotFile
	var total int64
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		display := filepath.Join(prefix, filepath.FromSlash(path))
		if err != nil {
			return &inventory.InputError{Path: display, Msg: inventory.OSErrorText(err)}
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
				return &inventory.InputError{Path: display, Msg: "symbolic link that leads outside the snapshot directory, or to nothing: refused"}
			}
			return &inventory.InputError{Path: display, Msg: inventory.OSErrorText(err)}
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
			return &inventory.InputError{Path: display, Msg: what + ", not a file of gcloud output: refused"}
		}
		if info.Size() > inventory.MaxFileBytes {
			return &inventory.InputError{Path: display, Msg: fmt.Sprintf("%s is larger than the limit of %d MiB per file", inventory.SizeText(info.Size()), inventory.MaxFileBytes>>20)}
		}
		total += info.Size()
		if total > MaxSnapshotBytes {
			return &inventory.InputError{Path: prefix, Msg: fmt.Sprintf("snapshot files add up to more than the limit of %d MiB", MaxSnapshotBytes>>20)}
		}
		if len(files) == MaxSnapshotFiles {
			return &inventory.InputError{Path: prefix, Msg: fmt.Sprintf("snapshot holds more than the limit of %d files", MaxSnapshotFiles)}
		}
		files = append(files, snapshotFile{name: path, display: display})
		return nil
	})
	if err != nil {
		var inErr *inventory.InputError
		if errors.As(err, &inErr) {
			return nil, inErr
		}
		return nil, &inventory.InputError{Path: prefix, Msg: inventory.OSErrorText(err)}
	}
	if len(files) == 0 {
		return nil, &inventory.InputError{Path: prefix, Msg: "snapshot directory holds no files (save gcloud output there; see the README)"}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	// Files are parsed concurrently (parsing dominates on large projects) and merged in
	// name order, so the inventory and the first error reported do not depend on timing.
	parsed := make([]*inventory.Inventory, len(files))
	errs := make([]error, len(files))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	var panicked inventory.PanicBox
	for i, file := range files {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			defer panicked.Capture()
			data, err := readLimited(fsys, file.name, inventory.MaxFileBytes)
			if err != nil {
				errs[i] = &inventory.InputError{Path: file.display, Msg: inventory.OSErrorText(err)}
				return
			}
			part := &inventory.Inventory{}
			errs[i] = AddFile(part, file.display, data)
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

// checkDuplicates refuses two descriptions of one resource (the same kind and canonical
// name) that differ: which one a run used would depend on file names, so a renamed file
// could flip a verdict. The same resource saved twice alike (a describe and a list) is fine:
// the later copies are returned, to be dropped, so it counts once.
func checkDuplicates(files []snapshotFile, parsed []*inventory.Inventory) (map[proto.Message]bool, error) {
	copies := map[proto.Message]bool{}
	type seen struct {
		msg  proto.Message
		file string
	}
	first := map[string]seen{}
	for i, part := range parsed {
		var conflict error
		part.Each(func(kind inventory.Kind, name string, msg proto.Message) {
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
			conflict = &inventory.InputError{Path: files[i].display, Msg: fmt.Sprintf("%s %s is described twice, differently (%s): keep one", kind, name, where)}
		})
		if conflict != nil {
			return nil, conflict
		}
	}
	return copies, nil
}

// dropCopies removes the redundant copies checkDuplicates found.
func dropCopies(inv *inventory.Inventory, copies map[proto.Message]bool) {
	if len(copies) == 0 {
		return
	}
	inv.Retain(func(_ inventory.Kind, msg proto.Message) bool { return !copies[msg] })
}
