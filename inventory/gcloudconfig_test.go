package inventory

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// clearGcloudEnv unsets every variable ResolveConfig reads, so the developer's own gcloud
// setup cannot leak into a test.
func clearGcloudEnv(t *testing.T) {
	t.Helper()
	for _, name := range []string{
		"CLOUDSDK_CORE_PROJECT", "GOOGLE_CLOUD_PROJECT", "CLOUDSDK_RUN_REGION", "CLOUDSDK_COMPUTE_REGION",
		"CLOUDSDK_ACTIVE_CONFIG_NAME", "CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN", "CLOUDSDK_API_ENDPOINT_OVERRIDES_VPCACCESS",
		"CLOUDSDK_API_ENDPOINT_OVERRIDES_REDIS", "CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE", "CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER",
	} {
		t.Setenv(name, "")
	}
	t.Setenv("CLOUDSDK_CONFIG", t.TempDir())
}

func writeGcloudConfig(t *testing.T, active string, configs map[string]string) {
	t.Helper()
	dir := os.Getenv("CLOUDSDK_CONFIG")
	if active != "" {
		if err := os.WriteFile(filepath.Join(dir, "active_config"), []byte(active+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "configurations"), 0o700); err != nil {
		t.Fatal(err)
	}
	for name, body := range configs {
		if err := os.WriteFile(filepath.Join(dir, "configurations", "config_"+name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func TestResolveConfig(t *testing.T) {
	const workConfig = `[core]
account = someone@example.com
project = config-project

[run]
region = europe-west1

[compute]
region = europe-west4

[api_endpoint_overrides]
vpcaccess = https://vpcaccess-psc.p.googleapis.com/
compute = https://compute-psc.p.googleapis.com/compute/v1/
`
	tests := []struct {
		name        string
		env         map[string]string
		active      string
		configs     map[string]string
		flagProject string
		flagRegion  string
		want        GcloudConfig
	}{
		{
			name: "nothing set",
			want: GcloudConfig{ConfigName: "default"},
		},
		{
			name:        "flags win over everything",
			env:         map[string]string{"CLOUDSDK_CORE_PROJECT": "env-project", "CLOUDSDK_RUN_REGION": "asia-east1"},
			active:      "work",
			configs:     map[string]string{"work": workConfig},
			flagProject: "flag-project", flagRegion: "us-east1",
			want: GcloudConfig{
				Project: "flag-project", ProjectFrom: "--project", Region: "us-east1", RegionFrom: "--region",
				ConfigName: "work",
				Endpoints:  Endpoints{VPCAccess: "https://vpcaccess-psc.p.googleapis.com/", Compute: "https://compute-psc.p.googleapis.com/compute/v1/"},
			},
		},
		{
			name:    "environment over configuration",
			env:     map[string]string{"GOOGLE_CLOUD_PROJECT": "google-project", "CLOUDSDK_COMPUTE_REGION": "asia-east1"},
			active:  "work",
			configs: map[string]string{"work": workConfig},
			want: GcloudConfig{
				Project: "google-project", ProjectFrom: "GOOGLE_CLOUD_PROJECT", Region: "asia-east1", RegionFrom: "CLOUDSDK_COMPUTE_REGION",
				ConfigName: "work",
				Endpoints:  Endpoints{VPCAccess: "https://vpcaccess-psc.p.googleapis.com/", Compute: "https://compute-psc.p.googleapis.com/compute/v1/"},
			},
		},
		{
			name: "CLOUDSDK_CORE_PROJECT over GOOGLE_CLOUD_PROJECT, run region over compute region",
			env: map[string]string{"GOOGLE_CLOUD_PROJECT": "google-project", "CLOUDSDK_CORE_PROJECT": "core-project",
				"CLOUDSDK_COMPUTE_REGION": "asia-east1", "CLOUDSDK_RUN_REGION": "us-west1"},
			want: GcloudConfig{Project: "core-project", ProjectFrom: "CLOUDSDK_CORE_PROJECT", Region: "us-west1", RegionFrom: "CLOUDSDK_RUN_REGION", ConfigName: "default"},
		},
		{
			name:    "active configuration file",
			active:  "work",
			configs: map[string]string{"work": workConfig, "default": "[core]\nproject = other\n"},
			want: GcloudConfig{
				Project: "config-project", ProjectFrom: "gcloud configuration work", Region: "europe-west1", RegionFrom: "gcloud configuration work",
				ConfigName: "work",
				Endpoints:  Endpoints{VPCAccess: "https://vpcaccess-psc.p.googleapis.com/", Compute: "https://compute-psc.p.googleapis.com/compute/v1/"},
			},
		},
		{
			name:    "CLOUDSDK_ACTIVE_CONFIG_NAME over active_config",
			env:     map[string]string{"CLOUDSDK_ACTIVE_CONFIG_NAME": "default"},
			active:  "work",
			configs: map[string]string{"work": workConfig, "default": "[core]\nproject = other\n[compute]\nregion = us-east4\n"},
			want: GcloudConfig{
				Project: "other", ProjectFrom: "gcloud configuration default", Region: "us-east4", RegionFrom: "gcloud configuration default",
				ConfigName: "default",
			},
		},
		{
			name:    "no active_config file means the default configuration",
			configs: map[string]string{"default": "[core]\nproject = default-project\n"},
			want:    GcloudConfig{Project: "default-project", ProjectFrom: "gcloud configuration default", ConfigName: "default"},
		},
		{
			name: "endpoint overrides from the environment win over the configuration",
			env: map[string]string{
				"CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN":       "http://127.0.0.1:9000/",
				"CLOUDSDK_API_ENDPOINT_OVERRIDES_VPCACCESS": "http://127.0.0.1:9000/",
				"CLOUDSDK_API_ENDPOINT_OVERRIDES_REDIS":     "http://127.0.0.1:9000/",
				"CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE":   "http://127.0.0.1:9001/compute/v1/",
			},
			active:  "work",
			configs: map[string]string{"work": workConfig},
			want: GcloudConfig{
				Project: "config-project", ProjectFrom: "gcloud configuration work", Region: "europe-west1", RegionFrom: "gcloud configuration work",
				ConfigName: "work",
				Endpoints: Endpoints{Run: "http://127.0.0.1:9000/", VPCAccess: "http://127.0.0.1:9000/",
					Redis: "http://127.0.0.1:9000/", Compute: "http://127.0.0.1:9001/compute/v1/"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearGcloudEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			if tt.active != "" || tt.configs != nil {
				writeGcloudConfig(t, tt.active, tt.configs)
			}
			got, err := ResolveConfig(tt.flagProject, tt.flagRegion)
			if err != nil {
				t.Fatal(err)
			}
			got.ConfigPath = "" // a temp dir
			if *got != tt.want {
				t.Errorf("ResolveConfig:\n got %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

func TestResolveConfigErrors(t *testing.T) {
	t.Run("bad override", func(t *testing.T) {
		clearGcloudEnv(t)
		t.Setenv("CLOUDSDK_API_ENDPOINT_OVERRIDES_REDIS", "ftp://example.com/")
		_, err := ResolveConfig("", "")
		var inputErr *InputError
		if !errors.As(err, &inputErr) || inputErr.Path != "CLOUDSDK_API_ENDPOINT_OVERRIDES_REDIS" {
			t.Fatalf("err = %v, want an InputError naming the variable", err)
		}
	})
	t.Run("malformed configuration", func(t *testing.T) {
		clearGcloudEnv(t)
		writeGcloudConfig(t, "", map[string]string{"default": "project = x\n"})
		_, err := ResolveConfig("", "")
		var inputErr *InputError
		if !errors.As(err, &inputErr) {
			t.Fatalf("err = %v, want an InputError", err)
		}
	})
	t.Run("missing project and region", func(t *testing.T) {
		clearGcloudEnv(t)
		cfg, err := ResolveConfig("", "")
		if err != nil {
			t.Fatal(err)
		}
		var selErr *SelectError
		if err := cfg.RequireTarget(); !errors.As(err, &selErr) {
			t.Fatalf("RequireTarget() = %v, want a SelectError", err)
		}
		cfg.Project = "p"
		if err := cfg.RequireTarget(); !errors.As(err, &selErr) {
			t.Fatalf("RequireTarget() without region = %v, want a SelectError", err)
		}
		cfg.Region = "r"
		if err := cfg.RequireTarget(); err != nil {
			t.Fatalf("RequireTarget() = %v", err)
		}
	})
}

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		raw     string
		want    Endpoint
		wantErr bool
	}{
		{raw: "http://127.0.0.1:8080/", want: Endpoint{Plaintext: true, HostPort: "127.0.0.1:8080", RESTBase: "http://127.0.0.1:8080"}},
		{raw: "http://127.0.0.1:8080/compute/v1/", want: Endpoint{Plaintext: true, HostPort: "127.0.0.1:8080", RESTBase: "http://127.0.0.1:8080"}},
		{raw: "https://compute-psc.p.googleapis.com/compute/v1/", want: Endpoint{HostPort: "compute-psc.p.googleapis.com:443", RESTBase: "https://compute-psc.p.googleapis.com"}},
		{raw: "https://proxy.example.com/google/compute/beta/", want: Endpoint{HostPort: "proxy.example.com:443", RESTBase: "https://proxy.example.com/google"}},
		{raw: "vpcaccess.googleapis.com", want: Endpoint{HostPort: "vpcaccess.googleapis.com:443", RESTBase: "https://vpcaccess.googleapis.com"}},
		{raw: "http://[::1]:9000/", want: Endpoint{Plaintext: true, HostPort: "[::1]:9000", RESTBase: "http://[::1]:9000"}},
		{raw: "ftp://example.com/", wantErr: true},
		{raw: "https:///nohost", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseEndpoint(tt.raw)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseEndpoint(%q) error = %v, wantErr %v", tt.raw, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseEndpoint(%q) = %+v, want %+v", tt.raw, got, tt.want)
		}
	}
}
