package checks

import (
	"embed"
	"strings"
)

// explanations holds one Markdown file per check, explain/ID.md: what the check verifies,
// the symptom users see, why it happens, the fields it reads, how to fix it. The docs live
// with the code and are embedded in the binary.
//
//go:embed explain
var explanations embed.FS

// Explain returns the long explanation of a check, or "" when it has none.
func Explain(id string) string {
	data, err := explanations.ReadFile("explain/" + id + ".md")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}
