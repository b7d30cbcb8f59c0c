package checks_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vpcdoctor/vpcdoctor/checks"
	"github.com/vpcdoctor/vpcdoctor/internal/golden"
)

var (
	docsPath   = filepath.Join("..", "docs", "checks.md")
	readmePath = filepath.Join("..", "README.md")
)

// TestDocsUpToDate fails when docs/checks.md differs from what the catalogue renders, so the
// published page always matches the binary. Run with -update to rewrite it.
func TestDocsUpToDate(t *testing.T) {
	var buf bytes.Buffer
	if err := checks.RenderDocs(&buf); err != nil {
		t.Fatal(err)
	}
	if golden.Updating() {
		if err := os.WriteFile(docsPath, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	committed, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatalf("read %s: %v (go run ./internal/regen writes it)", docsPath, err)
	}
	if !bytes.Equal(committed, buf.Bytes()) {
		t.Fatalf("%s is out of date: go run ./internal/regen rewrites it", docsPath)
	}
}

// TestReadmeUpToDate fails when the README's table of check IDs (between the
// checks.ReadmeChecks markers) differs from what the catalogue renders. Run with -update to
// rewrite the block; the rest of the README is left as it is.
func TestReadmeUpToDate(t *testing.T) {
	var table bytes.Buffer
	if err := checks.RenderReadmeChecks(&table); err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatalf("read %s: %v", readmePath, err)
	}
	before, rest, found := strings.Cut(string(readme), checks.ReadmeChecksBegin+"\n")
	committed, after, closed := strings.Cut(rest, checks.ReadmeChecksEnd+"\n")
	if !found || !closed {
		t.Fatalf("%s lacks the lines %q and %q around the table of checks", readmePath, checks.ReadmeChecksBegin, checks.ReadmeChecksEnd)
	}
	if committed == table.String() {
		return
	}
	if !golden.Updating() {
		t.Fatalf("%s: the table of checks is out of date: go run ./internal/regen rewrites it\n--- want:\n%s", readmePath, table.String())
	}
	updated := before + checks.ReadmeChecksBegin + "\n" + table.String() + checks.ReadmeChecksEnd + "\n" + after
	if err := os.WriteFile(readmePath, []byte(updated), 0o644); err != nil {
		t.Fatal(err)
	}
}

// githubAnchor is how GitHub turns a heading into an anchor: lower case, punctuation other
// than hyphens and spaces dropped, spaces to hyphens.
func githubAnchor(heading string) string {
	heading = strings.ToLower(heading)
	heading = regexp.MustCompile(`[^a-z0-9 _-]`).ReplaceAllString(heading, "")
	return strings.ReplaceAll(heading, " ", "-")
}

// TestDocsAnchors checks that every check has exactly one heading in the rendered page and
// that GitHub gives it the anchor findings link to.
func TestDocsAnchors(t *testing.T) {
	var buf bytes.Buffer
	if err := checks.RenderDocs(&buf); err != nil {
		t.Fatal(err)
	}
	headings := map[string]int{}
	for _, line := range strings.Split(buf.String(), "\n") {
		if strings.HasPrefix(line, "#") {
			headings[githubAnchor(strings.TrimSpace(strings.TrimLeft(line, "#")))]++
		}
	}
	for _, check := range checks.Catalogue() {
		anchor := checks.Anchor(check.ID)
		if headings[anchor] != 1 {
			t.Errorf("%s: %d headings with anchor %q, want 1", check.ID, headings[anchor], anchor)
		}
		if githubAnchor(check.ID) != anchor {
			t.Errorf("%s: GitHub anchor %q, Anchor %q", check.ID, githubAnchor(check.ID), anchor)
		}
	}
}
