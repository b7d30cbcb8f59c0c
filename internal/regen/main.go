// Command regen rewrites every generated file and golden file of the repository in one go:
//
//	go run ./internal/regen
//
// The generated files are written by the tests that check them (run with -update: golden
// reports, docs/checks.md, the README's table of checks, the HTML screenshots), so each
// file has one writer and one test that fails when it is stale. regen finds those tests
// itself, as the packages whose tests import internal/golden, and runs them all with
// -update in one go test invocation, so a new package with golden files needs no entry
// here. Then it runs the same tests without -update, so what it leaves behind is known to
// pass.
package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// goldenPackage is the import path of the package whose -update flag the tests share.
const goldenPackage = "github.com/vpcdoctor/vpcdoctor/internal/golden"

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// run regenerates, then verifies, and returns the exit code: 0 when both went well, 1 when
// a go command failed (its output says why), 2 for arguments it does not take.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "usage: go run ./internal/regen (no arguments: it regenerates every generated file)")
		return 2
	}
	packages, err := goldenPackages(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "regen:", err)
		return 1
	}
	fmt.Fprintf(stdout, "regenerating: %s\n", strings.Join(packages, " "))
	for _, pass := range [][]string{{"-update"}, nil} {
		cmd := exec.CommandContext(ctx, "go", append(append([]string{"test", "-count=1"}, packages...), pass...)...)
		cmd.Stdout, cmd.Stderr = stdout, stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintf(stderr, "regen: go test %s: %v\n", strings.Join(pass, " "), err)
			return 1
		}
	}
	return 0
}

// goldenPackages lists, in go list order, the module's packages whose tests import the
// golden package: the ones that own generated files.
func goldenPackages(ctx context.Context) ([]string, error) {
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, "go", "list", "-f", "{{.ImportPath}} {{join .TestImports \" \"}} {{join .XTestImports \" \"}}", "./...")
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go list: %w", err)
	}
	return parseGoldenPackages(out.String()), nil
}

// parseGoldenPackages reads go list's lines (a package, then its test imports) and keeps
// the packages that import the golden package.
func parseGoldenPackages(list string) []string {
	var packages []string
	for _, line := range strings.Split(list, "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		for _, imported := range fields[1:] {
			if imported == goldenPackage {
				packages = append(packages, fields[0])
				break
			}
		}
	}
	return packages
}
