package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// usage returns a usage error (exit 2) with a one-line message.
func usage(format string, args ...any) error {
	return cli.Exit(oneLine(fmt.Sprintf(format, args...)), exitUsage)
}

// oneLine is the first line of s, trimmed.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// inputError maps loader and selection errors to exit 2 with their one-line message.
func inputError(err error) error {
	var inErr *inventory.InputError
	var selErr *inventory.SelectError
	if errors.As(err, &inErr) || errors.As(err, &selErr) {
		return cli.Exit(oneLine(err.Error()), exitUsage)
	}
	return err
}

// liveError maps LoadLive's hard failures (no credentials, a missing project or region, a
// bad endpoint override) to exit 2 with one line.
func liveError(err error) error {
	if mapped := inputError(err); mapped != err {
		return mapped
	}
	return cli.Exit(oneLine(err.Error()), exitUsage)
}

// flagError turns the library's flag errors into one line with a suggestion.
func flagError(flags []cli.Flag) cli.OnUsageErrorFunc {
	return func(_ *cli.Context, err error, _ bool) error {
		msg := oneLine(err.Error())
		const undefined = "flag provided but not defined: -"
		if name, ok := strings.CutPrefix(msg, undefined); ok {
			name = strings.TrimLeft(name, "-")
			var names []string
			for _, f := range flags {
				names = append(names, f.Names()...)
			}
			return usage("unknown flag %s%s", flagName(name), flagSuggestion(name, names))
		}
		// The flag package names a flag with one dash ("flag needs an argument: -from");
		// the help and the docs spell long flags with two.
		for _, prefix := range []string{"flag needs an argument: -", "for flag -"} {
			if before, name, ok := strings.Cut(msg, prefix); ok {
				name, rest, _ := strings.Cut(name, ":")
				msg = before + strings.TrimSuffix(prefix, "-") + flagName(name)
				if rest != "" {
					msg += ":" + rest
				}
				break
			}
		}
		return cli.Exit(msg, exitUsage)
	}
}

func flagSuggestion(name string, names []string) string {
	if s := closest(name, names); s != "" {
		return "; did you mean " + flagName(s) + "?"
	}
	return ""
}

// flagName spells a flag as the help does: -h for a one-letter name, --from for the others.
func flagName(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// didYouMean suggests the closest of names to a mistyped one, or "".
func didYouMean(name string, names []string) string {
	if s := closest(name, names); s != "" {
		return fmt.Sprintf("; did you mean %q?", s)
	}
	return ""
}

// closest is the name nearest to a mistyped one by edit distance: within a third of its
// length (at least 1, at most 3), or a name it is a prefix of. Ties go to the first listed.
func closest(name string, names []string) string {
	best, bestDistance := "", 0
	limit := min(max(len(name)/3, 1), 3)
	for _, candidate := range names {
		d := editDistance(strings.ToLower(name), candidate)
		if len(name) >= 3 && strings.HasPrefix(candidate, name) {
			d = min(d, 1)
		}
		if d <= limit && (best == "" || d < bestDistance) {
			best, bestDistance = candidate, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between two short strings.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
