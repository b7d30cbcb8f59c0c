package checks

import (
	"strings"

	"github.com/vpcdoctor/vpcdoctor/internal/sanitize"
)

// command builds a remediation command like fmt.Sprintf, with every value shell-quoted
// and checked to be a name Google Cloud could have given (see sanitize.Command): a value
// from input can neither add a command nor change the arguments of this one. When a
// value is not a name, the engine leaves the command out and says why (finding.Sanitize).
func command(format string, args ...any) string {
	return sanitize.Command(format, args...)
}

// shell marks a fragment that is already shell syntax (built by command, or literal), for
// command to paste as it is.
func shell(fragment string) sanitize.Words { return sanitize.Words(fragment) }

// nameList is a comma-separated list flag value (tags, ranges, ports) for command: each
// item must be a name, as for command's own arguments, and the list is one shell word.
// An item that is not a name is returned alone, so that command withholds the command.
func nameList(items []string) any {
	for _, item := range items {
		if !sanitize.IsName(item) {
			return item
		}
	}
	return shell(strings.Join(items, ","))
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
