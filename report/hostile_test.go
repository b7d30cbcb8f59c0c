package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/vpcdoctor/vpcdoctor/finding"
	"github.com/vpcdoctor/vpcdoctor/fixtures"
	"github.com/vpcdoctor/vpcdoctor/internal/sariftest"
	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/snapshot"
)

// hostileValue is, in YAML double-quoted form, what a pull request can write into a
// snapshot to attack each sink: terminal escapes (OSC 8 link, SGR, clear screen), a bidi
// override, line breaks followed by GitHub workflow commands, Markdown and HTML markup,
// shell expansion, quotes, XML's CDATA end and a NUL.
func hostileValue() string {
	return `"evil\x1b]8;;http://x\x07\x1b[31mred\u202e\n::error::pwn%0A` + "`tick`" + `</details>|pipe|<img src=x onerror=alert(1)><script>alert(2)</script>$(id)\u0027q\"\r\n::add-mask::x ]]> --> \u0000\x1b[2J` + strings.Repeat("long", 200) + `"`
}

// hostileSnapshot is the healthy scenario with the service's connector and its REDIS_AUTH
// secret set to hostileValue().
func hostileSnapshot(t *testing.T) fs.FS {
	t.Helper()
	scenario, ok := fixtures.Lookup("healthy")
	if !ok {
		t.Fatal("no healthy scenario")
	}
	snap := fstest.MapFS{}
	err := fs.WalkDir(scenario.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(scenario.FS, path)
		if err != nil {
			return err
		}
		if path == "service.yaml" {
			text := strings.Replace(string(data), "run.googleapis.com/vpc-access-connector: redis-connector", "run.googleapis.com/vpc-access-connector: "+hostileValue(), 1)
			text = strings.Replace(text, "          name: redis-auth", "          name: "+hostileValue(), 1)
			if text == string(data) {
				t.Fatal("the healthy service.yaml changed shape; update hostileSnapshot")
			}
			data = []byte(text)
		}
		snap[path] = &fstest.MapFile{Data: data}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// hostileDocument is the report of hostileSnapshot, as the CLI would build it.
func hostileDocument(t *testing.T) *Document {
	t.Helper()
	inv, err := snapshot.LoadFS(hostileSnapshot(t), "hostile")
	if err != nil {
		t.Fatal(err)
	}
	paths, err := inventory.Select(inv, inventory.Selector{})
	if err != nil {
		t.Fatal(err)
	}
	doc := documentFor(paths, Target{Source: "snapshot", Input: "hostile"}, nil)
	return doc
}

// TestHostileNamesEveryFormat renders a snapshot full of hostile values in every format and
// asserts what each sink needs: no raw control character anywhere, no workflow command but
// vpcdoctor's own, no live markup in Markdown or HTML, documents that still parse.
func TestHostileNamesEveryFormat(t *testing.T) {
	doc := hostileDocument(t)
	if shape := doc.Paths[0]; shape.Egress != finding.EgressConnector {
		t.Errorf("a connector value that is not a valid name is drawn as egress %v, want the connector hop", shape.Egress)
	}
	for _, format := range Formats() {
		var buf bytes.Buffer
		if err := format.Write(&buf, doc); err != nil {
			t.Fatalf("%s: %v", format.Name, err)
		}
		out := buf.String()
		if i := strings.IndexFunc(out, func(r rune) bool {
			return (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u202e'
		}); i >= 0 {
			t.Errorf("%s: raw control character %q at byte %d", format.Name, out[i:i+1], i)
		}
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "::") && !strings.HasPrefix(line, "::error ") && !strings.HasPrefix(line, "::warning ") && !strings.HasPrefix(line, "::notice ") {
				t.Errorf("%s: a line starts a workflow command vpcdoctor did not mean: %.80q", format.Name, line)
			}
		}
		switch format.Name {
		case "markdown", "html":
			for _, markup := range []string{"<img", "<script>alert", "</details>|", "onerror=alert(1)>"} {
				if strings.Contains(out, markup) {
					t.Errorf("%s: input markup %q reaches the page unescaped", format.Name, markup)
				}
			}
		case "json", "jsonl", "sarif", "gitlab":
			if !json.Valid(buf.Bytes()) {
				t.Errorf("%s: not valid JSON", format.Name)
			}
		case "junit":
			if err := xml.Unmarshal(buf.Bytes(), new(struct{})); err != nil {
				t.Errorf("junit: not well-formed XML: %v", err)
			}
		}
	}
}

// TestHostileNamesStayValid: the reports of the hostile snapshot still validate where CI
// validates them: SARIF against the 2.1.0 schema and GitHub's ingestion rules, the GitLab
// code quality report against GitLab's format, JUnit against its XSD, JSON against ours.
func TestHostileNamesStayValid(t *testing.T) {
	doc := hostileDocument(t)
	sarif := render(t, func(w *bytes.Buffer) error { return WriteSARIF(w, doc) })
	validateJSON(t, sarifSchema(t), "hostile SARIF", sarif)
	for _, err := range sariftest.Check([]byte(sarif), nil) {
		t.Errorf("hostile SARIF, GitHub ingestion: %v", err)
	}
	data, err := os.ReadFile(filepath.Join("testdata", "gitlab-codequality.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	validateJSON(t, compileSchema(t, "gitlab-codequality.schema.json", data), "hostile GitLab", render(t, func(w *bytes.Buffer) error { return WriteGitLab(w, doc) }))
	validateJSON(t, compileSchema(t, "schema.json", JSONSchema), "hostile JSON", render(t, func(w *bytes.Buffer) error { return WriteJSON(w, doc) }))
	var root xmlNode
	if err := xml.Unmarshal([]byte(render(t, func(w *bytes.Buffer) error { return WriteJUnit(w, doc) })), &root); err != nil {
		t.Fatalf("hostile JUnit: not XML: %v", err)
	}
	for _, err := range junitXSD(t).validate(root, "") {
		t.Errorf("hostile JUnit: %v", err)
	}
}
