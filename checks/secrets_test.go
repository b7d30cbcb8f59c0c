package checks_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/vpcdoctor/vpcdoctor/fixtures"
	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// secretValues returns the plain environment values of a scenario's services that are
// secrets: AUTH strings and passwords by variable name, and passwords inside redis:// URLs.
func secretValues(t *testing.T, scenario fixtures.Scenario) []string {
	t.Helper()
	inv, err := inventory.LoadFS(scenario.FS, scenario.Name)
	if err != nil {
		t.Fatalf("load %s: %v", scenario.Name, err)
	}
	var values []string
	for _, svc := range inv.Services {
		for _, e := range inventory.ServiceEnv(svc) {
			if e.Secret || e.Value == "" {
				continue
			}
			upper := strings.ToUpper(e.Name)
			if strings.Contains(upper, "PASS") || strings.Contains(upper, "AUTH") || strings.Contains(upper, "SECRET") || strings.Contains(upper, "TOKEN") {
				values = append(values, e.Value)
			}
			if u, err := url.Parse(e.Value); err == nil && u.User != nil {
				if password, ok := u.User.Password(); ok && password != "" {
					values = append(values, password)
				}
			}
		}
	}
	return values
}

// TestSecretsNeverAppearInFindings runs every scenario and requires that no AUTH string or
// password from the service's environment appears anywhere in the findings, JSON-encoded
// as a report would print them.
func TestSecretsNeverAppearInFindings(t *testing.T) {
	checked := 0
	for _, scenario := range fixtures.Scenarios() {
		secrets := secretValues(t, scenario)
		if len(secrets) == 0 {
			continue
		}
		data, err := json.Marshal(runScenario(t, scenario.Name))
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range secrets {
			checked++
			if strings.Contains(string(data), secret) {
				t.Errorf("%s: a secret environment value appears in the findings", scenario.Name)
			}
		}
	}
	// The test must not pass vacuously: the plain-text AUTH scenario carries one.
	if checked == 0 {
		t.Fatal("no scenario carries a plain-text secret; redis-auth-plaintext should")
	}
}
