package cli

import (
	"strings"
	"testing"
)

// TestVersion: the version line, and the report's tool block.
func TestVersion(t *testing.T) {
	code, stdout, _ := runCLI(t, "version")
	if code != exitOK || !strings.HasPrefix(stdout, "vpcdoctor "+toolVersion()) || strings.Count(stdout, "\n") != 1 {
		t.Errorf("version: exit %d %q", code, stdout)
	}
	if got := toolInfo(); got.Name != "vpcdoctor" || got.Version != toolVersion() {
		t.Errorf("toolInfo = %+v", got)
	}
}
