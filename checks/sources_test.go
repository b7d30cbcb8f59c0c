package checks_test

import (
	"net/url"
	"testing"

	"github.com/vpcdoctor/vpcdoctor/checks"
)

// TestEveryCheckCitesSources: every fact a check relies on has a source, so every check's
// explanation ends with a Sources section whose every bullet cites at least one absolute
// http(s) URL.
func TestEveryCheckCitesSources(t *testing.T) {
	for _, check := range checks.Catalogue() {
		sources := checks.Sources(check.ID)
		if len(sources) == 0 {
			t.Errorf("%s: no Sources section in explain/%s.md", check.ID, check.ID)
			continue
		}
		for _, s := range sources {
			if len(s.URLs) == 0 {
				t.Errorf("%s: a source cites no URL: %q", check.ID, s.Text)
			}
			for _, raw := range s.URLs {
				if u, err := url.Parse(raw); err != nil || u.Host == "" {
					t.Errorf("%s: %q is not an absolute URL", check.ID, raw)
				}
			}
		}
	}
}
