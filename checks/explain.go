package checks

import (
	"embed"
	"regexp"
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

// Source is one cited fact of a check: a bullet of the Sources section of its explanation,
// "- <the fact>: <page title or API field> — <URL> ("short quote")".
type Source struct {
	// Text is the bullet without its "- ".
	Text string
	// URLs are the addresses the bullet cites, in order.
	URLs []string
}

// sourcesHeading opens the section of an explanation that cites its facts.
const sourcesHeading = "Sources:"

var sourceURLRe = regexp.MustCompile(`https?://[^\s)"'>\]]+`)

// Sources returns the cited facts of a check's explanation: the "- " bullets that follow its
// "Sources:" line, up to the next blank line or the end. A bullet may wrap onto lines that
// do not start with "- ". It returns nil when the explanation has no Sources section.
func Sources(id string) []Source {
	var sources []Source
	in := false
	for _, line := range strings.Split(Explain(id), "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == sourcesHeading:
			in = true
		case !in:
		case trimmed == "":
			in = false
		case strings.HasPrefix(trimmed, "- "):
			sources = append(sources, Source{Text: strings.TrimPrefix(trimmed, "- ")})
		case len(sources) > 0:
			sources[len(sources)-1].Text += " " + trimmed
		}
	}
	for i := range sources {
		for _, u := range sourceURLRe.FindAllString(sources[i].Text, -1) {
			sources[i].URLs = append(sources[i].URLs, strings.TrimRight(u, ".,;:"))
		}
	}
	return sources
}
