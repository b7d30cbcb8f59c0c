package finding

import "strings"

// DocsBase is where each check's documentation lives; a finding's Docs is DocsBase plus the
// check's anchor.
const DocsBase = "https://github.com/vpcdoctor/vpcdoctor/blob/main/docs/checks.md"

// Anchor is the Markdown heading anchor of a check in docs/checks.md.
func Anchor(id string) string {
	return strings.NewReplacer(".", "").Replace(id)
}
