package checks_test

import (
	"encoding/json"
	"io/fs"
	"net/url"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"sigs.k8s.io/yaml"

	"github.com/vpcdoctor/vpcdoctor/fixtures"
	"github.com/vpcdoctor/vpcdoctor/inventory/snapshot"
)

// secretValues returns the plain environment values of a scenario's files that are
// secrets: AUTH strings and passwords by variable name, and passwords inside redis:// URLs.
// It reads the files themselves, since the inventory keeps no secret to find.
func secretValues(t *testing.T, scenario fixtures.Scenario) []string {
	t.Helper()
	var values []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			name, _ := v["name"].(string)
			value, _ := v["value"].(string)
			if name != "" && value != "" {
				upper := strings.ToUpper(name)
				if strings.Contains(upper, "PASS") || strings.Contains(upper, "AUTH") || strings.Contains(upper, "SECRET") || strings.Contains(upper, "TOKEN") {
					values = append(values, value)
				}
				if u, err := url.Parse(value); err == nil && u.User != nil {
					if password, ok := u.User.Password(); ok && password != "" {
						values = append(values, password)
					}
				}
			}
			for _, item := range v {
				walk(item)
			}
		case []any:
			for _, item := range v {
				walk(item)
			}
		}
	}
	err := fs.WalkDir(scenario.FS, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(name, ".md") {
			return err
		}
		data, err := fs.ReadFile(scenario.FS, name)
		if err != nil {
			return err
		}
		var doc any
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return err
		}
		walk(doc)
		return nil
	})
	if err != nil {
		t.Fatalf("read %s: %v", scenario.Name, err)
	}
	return values
}

// TestInventoryKeepsNoSecret: after loading, no secret value of a scenario's files is
// anywhere in the inventory's services and revisions.
func TestInventoryKeepsNoSecret(t *testing.T) {
	checked := 0
	for _, scenario := range fixtures.Scenarios() {
		secrets := secretValues(t, scenario)
		if len(secrets) == 0 {
			continue
		}
		inv, err := snapshot.LoadFS(scenario.FS, scenario.Name)
		if err != nil {
			t.Fatal(err)
		}
		var dump strings.Builder
		for _, svc := range inv.Services {
			dump.WriteString(protojson.Format(svc))
		}
		for _, rev := range inv.Revisions {
			dump.WriteString(protojson.Format(rev))
		}
		for _, secret := range secrets {
			checked++
			if strings.Contains(dump.String(), secret) {
				t.Errorf("%s: the inventory keeps a secret environment value", scenario.Name)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no scenario carries a plain-text secret; redis-auth-plaintext should")
	}
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
