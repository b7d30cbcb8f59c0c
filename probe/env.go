package probe

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// The environment variables OptionsFromEnv reads, named as most applications name them.
const (
	EnvURL  = "REDIS_URL"
	EnvHost = "REDIS_HOST"
	EnvPort = "REDIS_PORT"
	EnvTLS  = "REDIS_TLS"
	EnvAuth = "REDIS_AUTH"
)

// OptionsFromEnv builds Options the way an application reads its Redis settings, so that a
// probe running next to the application tests exactly what the application uses:
//
//   - REDIS_URL, when set: redis://[[user]:password@]host[:port][/db] or rediss://... (TLS);
//   - otherwise REDIS_HOST (which may carry ":port"), REDIS_PORT (default 6379) and
//     REDIS_TLS (a boolean, default false).
//
// The AUTH secret comes from the variable named authEnv when it is set and non-empty, else
// from the URL's password. env is os.Getenv in production. Errors name the variable at
// fault and never quote REDIS_URL, which may hold the secret.
func OptionsFromEnv(env func(string) string, authEnv string) (Options, error) {
	var opts Options
	var err error
	if raw := strings.TrimSpace(env(EnvURL)); raw != "" {
		opts, err = optionsFromURL(raw)
	} else {
		opts, err = optionsFromHostPort(env)
	}
	if err != nil {
		return Options{}, err
	}
	if authEnv != "" {
		if secret := env(authEnv); secret != "" {
			opts.Auth = secret
		}
	}
	return opts, nil
}

// optionsFromURL reads a redis:// or rediss:// URL. Its errors never include the URL.
func optionsFromURL(raw string) (Options, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Options{}, fmt.Errorf("%s: not a valid URL (want redis://[:password@]host[:port] or rediss://...)", EnvURL)
	}
	var opts Options
	switch u.Scheme {
	case "redis":
	case "rediss":
		opts.TLS = true
	default:
		return Options{}, fmt.Errorf("%s: scheme %q is not redis:// or rediss://", EnvURL, u.Scheme)
	}
	opts.Host = u.Hostname()
	if opts.Host == "" {
		return Options{}, fmt.Errorf("%s: no host", EnvURL)
	}
	if p := u.Port(); p != "" {
		if opts.Port, err = ParsePort(p); err != nil {
			return Options{}, fmt.Errorf("%s: port %w", EnvURL, err)
		}
	}
	if u.User != nil {
		if name := u.User.Username(); name != "default" {
			opts.Username = name
		}
		if secret, ok := u.User.Password(); ok {
			opts.Auth = secret
		}
	}
	return opts, nil
}

// optionsFromHostPort reads REDIS_HOST, REDIS_PORT and REDIS_TLS.
func optionsFromHostPort(env func(string) string) (Options, error) {
	var opts Options
	host := strings.TrimSpace(env(EnvHost))
	if host == "" {
		return Options{}, fmt.Errorf("neither %s nor %s is set", EnvURL, EnvHost)
	}
	opts.Host = host
	if h, p, err := net.SplitHostPort(host); err == nil {
		opts.Host = h
		if opts.Port, err = ParsePort(p); err != nil {
			return Options{}, fmt.Errorf("%s: port %w", EnvHost, err)
		}
	}
	if p := env(EnvPort); p != "" {
		port, err := ParsePort(p)
		if err != nil {
			return Options{}, fmt.Errorf("%s: %w", EnvPort, err)
		}
		opts.Port = port
	}
	if t := strings.TrimSpace(env(EnvTLS)); t != "" {
		on, err := strconv.ParseBool(t)
		if err != nil {
			return Options{}, fmt.Errorf("%s: %w", EnvTLS, errors.New("want true or false"))
		}
		opts.TLS = on
	}
	return opts, nil
}
