package cli

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/vpcdoctor/vpcdoctor/checks"
)

// Reports that point at files (SARIF, GitHub annotations, GitLab code quality) are most
// useful on the line that declares a finding's resource, in a file the pull request
// changed. locateFindings finds that line after the checks ran:
//   - in a snapshot file or a service file, the line of the resource's `name:` key (or
//     "name": in JSON) whose value is the resource's name or ends with /NAME; else the first
//     line that holds the full resource name;
//   - for a resource read from a Terraform plan (JSON on one line, generated in the
//     pipeline, not in the diff), the `resource "TYPE" "LABEL" {` block of the .tf file, in
//     the plan's directory, whose `name = "NAME"` is the resource's name. When no .tf file
//     there names it (a name built from variables, a module elsewhere), the finding stays
//     on the plan, line 1.
//
// It only reads files: a line is a display anchor, never an input to a verdict. Files are
// read once each, regular files only (no symlinks for the .tf search), within size limits.

const (
	maxLocateFileSize = 8 << 20 // the snapshot loader's own files are smaller than this
	maxTerraformFiles = 200
	maxTerraformSize  = 1 << 20
)

// lineIndex caches the lines of the files findings are located in.
type lineIndex struct {
	lines map[string][]string
	// tfFiles lists the .tf files of a plan's directory, by directory.
	tfFiles map[string][]string
}

func newLineIndex() *lineIndex {
	return &lineIndex{lines: map[string][]string{}, tfFiles: map[string][]string{}}
}

// locateFindings sets Line (and, for a plan's resource declared in a .tf file, Source) on
// every finding read from a file. plan is the --terraform-plan path, "" without one.
func locateFindings(findings []checks.Finding, plan string) {
	index := newLineIndex()
	for i := range findings {
		f := &findings[i]
		if f.Source == "" || f.Resource == "" {
			continue
		}
		if plan != "" && f.Source == plan {
			if file, line := index.terraformDeclaration(filepath.Dir(plan), f.Resource); file != "" {
				f.Source, f.Line = file, line
			}
			continue
		}
		f.Line = index.declarationLine(f.Source, f.Resource)
	}
}

// shortName is the last segment of a resource name.
func shortName(resource string) string {
	resource = strings.TrimRight(resource, "/")
	if i := strings.LastIndexByte(resource, '/'); i >= 0 {
		return resource[i+1:]
	}
	return resource
}

// nameKey matches a name key and captures its value: YAML `name: x`, `- name: x`, JSON
// `"name": "x",`, HCL `name = "x"`.
var nameKey = regexp.MustCompile(`^\s*(?:-\s*)?"?name"?\s*[:=]\s*"?([^"\s,]+)"?\s*,?\s*$`)

// declarationLine is the 1-based line of path that declares resource, 0 when not found.
func (x *lineIndex) declarationLine(path, resource string) int {
	lines := x.read(path, maxLocateFileSize)
	short := shortName(resource)
	for i, line := range lines {
		if m := nameKey.FindStringSubmatch(line); m != nil && (m[1] == resource || m[1] == short || strings.HasSuffix(m[1], "/"+resource) || strings.HasSuffix(m[1], "/"+short)) {
			return i + 1
		}
	}
	for i, line := range lines {
		if strings.Contains(line, resource) {
			return i + 1
		}
	}
	return 0
}

// terraformDeclaration finds the resource block of dir's .tf files whose name attribute is
// the resource's name: the file and the block's first line.
func (x *lineIndex) terraformDeclaration(dir, resource string) (string, int) {
	short := shortName(resource)
	for _, file := range x.terraformFiles(dir) {
		lines := x.read(file, maxTerraformSize)
		block := 0
		for i, line := range lines {
			trimmed := strings.TrimSpace(line)
			if strings.HasPrefix(trimmed, "resource ") && strings.HasSuffix(trimmed, "{") {
				block = i + 1
			}
			if m := nameKey.FindStringSubmatch(line); m != nil && m[1] == short && block > 0 {
				return file, block
			}
		}
	}
	return "", 0
}

// terraformFiles lists the regular .tf files of dir, in name order.
func (x *lineIndex) terraformFiles(dir string) []string {
	if files, ok := x.tfFiles[dir]; ok {
		return files
	}
	var files []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if len(files) == maxTerraformFiles {
			break
		}
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".tf") {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	x.tfFiles[dir] = files
	return files
}

// read returns the lines of a regular file no larger than limit, nil otherwise.
func (x *lineIndex) read(path string, limit int64) []string {
	if lines, ok := x.lines[path]; ok {
		return lines
	}
	x.lines[path] = nil
	info, err := os.Lstat(path)
	if err != nil || !info.Mode().IsRegular() || info.Size() > limit {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var lines []string
	scanner := bufio.NewScanner(bytes.NewReader(data))
	scanner.Buffer(make([]byte, 0, 64<<10), int(limit)+1)
	for scanner.Scan() {
		lines = append(lines, scanner.Text())
	}
	x.lines[path] = lines
	return lines
}
