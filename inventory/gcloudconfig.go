package inventory

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Endpoints are the API endpoint overrides of a run, as gcloud spells them: a URL such as
// "https://vpcaccess-psc.p.googleapis.com/" (Private Service Connect for Google APIs) or,
// for tests on loopback only, "http://127.0.0.1:PORT/". An empty field means the library
// default.
type Endpoints struct {
	Run       string
	VPCAccess string
	Redis     string
	Compute   string
}

// GcloudConfig is where a live run looks: project, region and API endpoints, resolved the
// way gcloud users expect (flags, then environment, then the active gcloud configuration).
type GcloudConfig struct {
	Project string
	Region  string
	// ProjectFrom and RegionFrom say where each value came from, for messages: "--project",
	// "CLOUDSDK_CORE_PROJECT", "gcloud configuration default", or "" when unset.
	ProjectFrom string
	RegionFrom  string
	Endpoints   Endpoints
	// ConfigName and ConfigPath are the active gcloud configuration, when one was found.
	ConfigName string
	ConfigPath string
}

// endpointAPIs pairs gcloud's API names (the suffix of CLOUDSDK_API_ENDPOINT_OVERRIDES_* and
// the keys of [api_endpoint_overrides]) with the field of Endpoints they set.
func endpointAPIs() []endpointAPI {
	return []endpointAPI{
		{"run", func(e *Endpoints) *string { return &e.Run }},
		{"vpcaccess", func(e *Endpoints) *string { return &e.VPCAccess }},
		{"redis", func(e *Endpoints) *string { return &e.Redis }},
		{"compute", func(e *Endpoints) *string { return &e.Compute }},
	}
}

type endpointAPI struct {
	name  string
	field func(*Endpoints) *string
}

// ResolveConfig resolves the project, region and endpoint overrides of a live run. Flags
// win; then CLOUDSDK_CORE_PROJECT / GOOGLE_CLOUD_PROJECT and CLOUDSDK_RUN_REGION /
// CLOUDSDK_COMPUTE_REGION; then the active gcloud configuration ($CLOUDSDK_CONFIG or
// ~/.config/gcloud, active_config or CLOUDSDK_ACTIVE_CONFIG_NAME, configurations/config_NAME:
// [core] project, [run] region, [compute] region, [api_endpoint_overrides]). Endpoint
// overrides come from CLOUDSDK_API_ENDPOINT_OVERRIDES_{RUN,VPCACCESS,REDIS,COMPUTE}, then the
// configuration. A missing configuration is not an error; an unreadable one, or an override
// that is not an http(s) URL, is an *InputError.
func ResolveConfig(flagProject, flagRegion string) (*GcloudConfig, error) {
	cfg := &GcloudConfig{}
	props, err := readActiveConfig(cfg)
	if err != nil {
		return nil, err
	}
	fromConfig := "gcloud configuration " + cfg.ConfigName

	cfg.Project, cfg.ProjectFrom = firstSet(
		setting{flagProject, "--project"},
		envSetting("CLOUDSDK_CORE_PROJECT"),
		envSetting("GOOGLE_CLOUD_PROJECT"),
		setting{props["core/project"], fromConfig},
	)
	cfg.Region, cfg.RegionFrom = firstSet(
		setting{flagRegion, "--region"},
		envSetting("CLOUDSDK_RUN_REGION"),
		envSetting("CLOUDSDK_COMPUTE_REGION"),
		setting{props["run/region"], fromConfig},
		setting{props["compute/region"], fromConfig},
	)
	for _, api := range endpointAPIs() {
		envName := "CLOUDSDK_API_ENDPOINT_OVERRIDES_" + strings.ToUpper(api.name)
		value, from := firstSet(envSetting(envName), setting{props["api_endpoint_overrides/"+api.name], cfg.ConfigPath})
		if value == "" {
			continue
		}
		if _, err := ParseEndpoint(value); err != nil {
			return nil, &InputError{Path: from, Msg: fmt.Sprintf("api endpoint override for %s: %v", api.name, err)}
		}
		*api.field(&cfg.Endpoints) = value
	}
	return cfg, nil
}

// RequireTarget returns a one-line usage error (a *SelectError) naming how to set the
// project or region when either is missing.
func (c *GcloudConfig) RequireTarget() error {
	if c.Project == "" {
		return &SelectError{Msg: "no project: pass --project PROJECT, set CLOUDSDK_CORE_PROJECT, or run `gcloud config set project PROJECT`"}
	}
	if c.Region == "" {
		return &SelectError{Msg: "no region: pass --region REGION, set CLOUDSDK_RUN_REGION, or run `gcloud config set run/region REGION`"}
	}
	return nil
}

type setting struct{ value, from string }

func envSetting(name string) setting { return setting{strings.TrimSpace(os.Getenv(name)), name} }

func firstSet(settings ...setting) (value, from string) {
	for _, s := range settings {
		if s.value != "" {
			return s.value, s.from
		}
	}
	return "", ""
}

// GcloudConfigDir is the directory of gcloud's configurations: $CLOUDSDK_CONFIG, else
// ~/.config/gcloud (%APPDATA%\gcloud on Windows), or "" when neither can be determined.
func GcloudConfigDir() string {
	if dir := os.Getenv("CLOUDSDK_CONFIG"); dir != "" {
		return dir
	}
	if runtime.GOOS == "windows" {
		if appData := os.Getenv("APPDATA"); appData != "" {
			return filepath.Join(appData, "gcloud")
		}
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".config", "gcloud")
}

// readActiveConfig reads the active gcloud configuration into "section/key" properties and
// records its name and path in cfg.
func readActiveConfig(cfg *GcloudConfig) (map[string]string, error) {
	dir := GcloudConfigDir()
	if dir == "" {
		return map[string]string{}, nil
	}
	name := strings.TrimSpace(os.Getenv("CLOUDSDK_ACTIVE_CONFIG_NAME"))
	if name == "" {
		data, err := os.ReadFile(filepath.Join(dir, "active_config"))
		switch {
		case err == nil:
			name = strings.TrimSpace(string(data))
		case !errors.Is(err, fs.ErrNotExist):
			return nil, &InputError{Path: filepath.Join(dir, "active_config"), Msg: OSErrorText(err)}
		}
	}
	if name == "" {
		name = "default"
	}
	cfg.ConfigName = name
	path := filepath.Join(dir, "configurations", "config_"+name)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, &InputError{Path: path, Msg: OSErrorText(err)}
	}
	cfg.ConfigPath = path
	props, err := parseINI(data)
	if err != nil {
		return nil, &InputError{Path: path, Msg: err.Error()}
	}
	return props, nil
}

// parseINI reads the INI dialect gcloud writes ("[section]" lines, "key = value" lines,
// "#" and ";" comments) into "section/key" properties.
func parseINI(data []byte) (map[string]string, error) {
	props := map[string]string{}
	section := ""
	scanner := bufio.NewScanner(bytes.NewReader(data))
	for lineNo := 1; scanner.Scan(); lineNo++ {
		line := strings.TrimSpace(scanner.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = strings.TrimSpace(line[1 : len(line)-1])
		default:
			key, value, ok := strings.Cut(line, "=")
			if !ok {
				key, value, ok = strings.Cut(line, ":")
			}
			if !ok || section == "" {
				return nil, fmt.Errorf("line %d: want [section] or key = value", lineNo)
			}
			props[section+"/"+strings.TrimSpace(key)] = strings.TrimSpace(value)
		}
	}
	if err := scanner.Err(); err != nil {
		return nil, fmt.Errorf("read configuration: %w", err)
	}
	return props, nil
}

// Endpoint is a parsed API endpoint override.
type Endpoint struct {
	// Plaintext is true for an http:// override: no TLS and no credentials, loopback only.
	Plaintext bool
	// HostPort is the gRPC target, host:port (port 443 or 80 when the URL has none).
	HostPort string
	// RESTBase is the URL a REST client is given: scheme://host[:port] plus any path prefix
	// before the API's own version path, which the Compute client appends itself.
	RESTBase string
}

// ParseEndpoint parses an endpoint override URL as gcloud accepts it, e.g.
// "https://compute-psc.p.googleapis.com/compute/v1/" or "http://127.0.0.1:8080/". A bare
// host[:port] is taken as https.
func ParseEndpoint(raw string) (Endpoint, error) {
	raw = strings.TrimSpace(raw)
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return Endpoint{}, fmt.Errorf("%q is not a URL", raw)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return Endpoint{}, fmt.Errorf("%q: want an http:// or https:// URL", raw)
	}
	if u.Hostname() == "" {
		return Endpoint{}, fmt.Errorf("%q has no host", raw)
	}
	port := u.Port()
	if port == "" {
		port = "443"
		if u.Scheme == "http" {
			port = "80"
		}
	}
	path := strings.TrimRight(u.Path, "/")
	// gcloud's compute override names the version path (".../compute/v1/"); the Go client
	// appends "/compute/v1/..." to its endpoint itself.
	if i := strings.LastIndex(path, "/compute/"); i >= 0 {
		path = path[:i]
	}
	return Endpoint{
		Plaintext: u.Scheme == "http",
		HostPort:  net.JoinHostPort(u.Hostname(), port),
		RESTBase:  u.Scheme + "://" + u.Host + path,
	}, nil
}
