package probe

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOptionsNeverPrintTheSecret(t *testing.T) {
	const secret = "hunter2-very-secret"
	opts := Options{Host: "10.0.0.3", Auth: secret}
	for _, s := range []string{fmt.Sprint(opts), fmt.Sprintf("%v", opts), fmt.Sprintf("%+v", opts), fmt.Sprintf("%#v", opts), fmt.Sprintf("%s", opts)} {
		if strings.Contains(s, secret) {
			t.Errorf("formatted Options leak the secret: %s", s)
		}
	}
}

func TestOptionsFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		authEnv string
		want    Options
	}{
		{"host and port", map[string]string{"REDIS_HOST": "10.0.0.3", "REDIS_PORT": "6378"}, "REDIS_AUTH",
			Options{Host: "10.0.0.3", Port: 6378}},
		{"host only", map[string]string{"REDIS_HOST": "10.0.0.3"}, "REDIS_AUTH",
			Options{Host: "10.0.0.3"}},
		{"host with port", map[string]string{"REDIS_HOST": "10.0.0.3:6380"}, "REDIS_AUTH",
			Options{Host: "10.0.0.3", Port: 6380}},
		{"TLS and secret", map[string]string{"REDIS_HOST": "10.0.0.3", "REDIS_TLS": "true", "REDIS_AUTH": "s"}, "REDIS_AUTH",
			Options{Host: "10.0.0.3", TLS: true, Auth: "s"}},
		{"secret from another variable", map[string]string{"REDIS_HOST": "h", "REDIS_AUTH": "a", "CACHE_PASSWORD": "b"}, "CACHE_PASSWORD",
			Options{Host: "h", Auth: "b"}},
		{"redis URL", map[string]string{"REDIS_URL": "redis://:pw@10.0.0.3:6379/0"}, "REDIS_AUTH",
			Options{Host: "10.0.0.3", Port: 6379, Auth: "pw"}},
		{"rediss URL without port", map[string]string{"REDIS_URL": "rediss://10.0.0.3"}, "REDIS_AUTH",
			Options{Host: "10.0.0.3", TLS: true}},
		{"URL with default user", map[string]string{"REDIS_URL": "redis://default:pw@h:6379"}, "REDIS_AUTH",
			Options{Host: "h", Port: 6379, Auth: "pw"}},
		{"URL with ACL user", map[string]string{"REDIS_URL": "redis://app:pw@h"}, "REDIS_AUTH",
			Options{Host: "h", Username: "app", Auth: "pw"}},
		{"auth variable wins over the URL", map[string]string{"REDIS_URL": "redis://:old@h", "REDIS_AUTH": "new"}, "REDIS_AUTH",
			Options{Host: "h", Auth: "new"}},
		{"URL wins over host", map[string]string{"REDIS_URL": "redis://url-host", "REDIS_HOST": "host-host"}, "REDIS_AUTH",
			Options{Host: "url-host"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := OptionsFromEnv(mapEnv(tt.env), tt.authEnv)
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tt.want.String() || got.Auth != tt.want.Auth {
				t.Errorf("got %v (auth %t), want %v", got, got.Auth == tt.want.Auth, tt.want)
			}
		})
	}
}

func TestOptionsFromEnvErrors(t *testing.T) {
	const secret = "p4ss-w0rd-in-url"
	tests := []struct {
		name    string
		env     map[string]string
		mention string
	}{
		{"nothing set", map[string]string{}, "REDIS_HOST"},
		{"bad port", map[string]string{"REDIS_HOST": "h", "REDIS_PORT": "redis"}, "REDIS_PORT"},
		{"port out of range", map[string]string{"REDIS_HOST": "h", "REDIS_PORT": "70000"}, "REDIS_PORT"},
		{"bad TLS flag", map[string]string{"REDIS_HOST": "h", "REDIS_TLS": "maybe"}, "REDIS_TLS"},
		{"bad scheme", map[string]string{"REDIS_URL": "http://:" + secret + "@h"}, "REDIS_URL"},
		{"unparsable URL", map[string]string{"REDIS_URL": "redis://:" + secret + "@h:port%zz"}, "REDIS_URL"},
		{"URL bad port", map[string]string{"REDIS_URL": "redis://:" + secret + "@h:99999"}, "REDIS_URL"},
		{"URL without host", map[string]string{"REDIS_URL": "redis://:" + secret + "@"}, "REDIS_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := OptionsFromEnv(mapEnv(tt.env), "REDIS_AUTH")
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.mention) || strings.Contains(msg, "\n") {
				t.Errorf("error %q should be one line naming %s", msg, tt.mention)
			}
			if strings.Contains(msg, secret) {
				t.Errorf("error leaks the secret: %q", msg)
			}
		})
	}
}

// mapEnv is an environment lookup over a map.
func mapEnv(env map[string]string) func(string) string {
	return func(name string) string { return env[name] }
}

func TestReadCAFile(t *testing.T) {
	dir := t.TempDir()
	pki := newTestPKI(t)
	if _, err := ReadCAFile(pki.caFile); err != nil {
		t.Errorf("a CA file: %v", err)
	}
	notPEM := filepath.Join(dir, "not.pem")
	writeFile(t, notPEM, []byte("hello"))
	missing := filepath.Join(dir, "missing.pem")
	for _, path := range []string{notPEM, missing} {
		_, err := ReadCAFile(path)
		if err == nil || !strings.Contains(err.Error(), filepath.Base(path)) {
			t.Errorf("ReadCAFile(%s) = %v, want an error naming the file", path, err)
		}
	}
	if _, err := os.Stat(missing); err == nil {
		t.Fatal("missing file exists")
	}
}

func TestParsePort(t *testing.T) {
	for _, ok := range []string{"1", "6379", " 6378 ", "65535"} {
		if _, err := ParsePort(ok); err != nil {
			t.Errorf("ParsePort(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "0", "-1", "65536", "redis", "6379x"} {
		if _, err := ParsePort(bad); err == nil {
			t.Errorf("ParsePort(%q) accepted", bad)
		}
	}
}
