package snapshot

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/vpcdoctor/vpcdoctor/fixtures"
	"github.com/vpcdoctor/vpcdoctor/internal/inputtest"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/knative"
)

// Fuzz targets for the snapshot reader and the Knative conversion it calls. Their seed
// corpora are in testdata/fuzz (the hostile classes: alias cycles and bombs, merge keys,
// malformed ranges, negative counts, control characters) plus the built-in scenarios'
// files added below; `go test` runs the seeds, `go test -fuzz` explores. The invariants:
// no panic, bounded time, and any error is a one-line *inventory.InputError naming the
// file.

// addScenarioFiles seeds a target with the files of every built-in scenario that pass keep.
func addScenarioFiles(f *testing.F, keep func(name string, data []byte) bool) {
	for _, s := range fixtures.Scenarios() {
		_ = fs.WalkDir(s.FS, ".", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			if data, err := fs.ReadFile(s.FS, path); err == nil && keep(path, data) {
				f.Add(data)
			}
			return nil
		})
	}
}

// FuzzSnapshotFile: any snapshot file (YAML or JSON, any resource shape).
func FuzzSnapshotFile(f *testing.F) {
	addScenarioFiles(f, func(string, []byte) bool { return true })
	f.Fuzz(func(t *testing.T, data []byte) {
		inputtest.Timed(t, func() {
			inputtest.LoadError[*inventory.InputError](t, AddFile(&inventory.Inventory{}, "snap/file.yaml", data), "snap/file.yaml")
		})
	})
}

// FuzzKnative: a Cloud Run service.yaml (Knative v1) converted to the v2 shape.
func FuzzKnative(f *testing.F) {
	addScenarioFiles(f, func(_ string, data []byte) bool { return strings.Contains(string(data), "kind: Service") })
	f.Fuzz(func(t *testing.T, data []byte) {
		inputtest.Timed(t, func() {
			docs, err := decodeDocuments(data)
			if err != nil {
				return
			}
			for _, doc := range docs {
				obj, ok := doc.value.(map[string]any)
				if !ok {
					continue
				}
				// The conversion's error is one line; the reader puts the file and line first.
				if _, err := knative.Service(obj); err != nil {
					inputtest.LoadError[*inventory.InputError](t, (&reader{path: "service.yaml"}).inputError(doc.line, err.Error()), "service.yaml")
				}
			}
		})
	})
}

// FuzzServiceV2JSON: a Cloud Run v2 service (gcloud run services describe --format json
// of the v2 API, or a --service-file).
func FuzzServiceV2JSON(f *testing.F) {
	f.Add([]byte(`{"name": "projects/p/locations/us-central1/services/s", "template": {"vpcAccess": {"connector": "projects/p/locations/us-central1/connectors/c", "egress": "PRIVATE_RANGES_ONLY"}, "containers": [{"env": [{"name": "REDIS_HOST", "value": "10.0.0.3"}]}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		inputtest.Timed(t, func() {
			inputtest.LoadError[*inventory.InputError](t, AddFile(&inventory.Inventory{}, "service.json", data), "service.json")
		})
	})
}
