package probe

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// Defaults for the zero values of Options.
const (
	DefaultPort           = 6379
	DefaultCount          = 100
	DefaultConnectTimeout = 3 * time.Second
	// MaxCount bounds Count: the latency statistics keep every sample.
	MaxCount = 100000
)

// Options says what to probe and how. The zero value of every field but Host means "use
// the default"; the fields after Auth are optional context that only sharpens the
// explanations.
type Options struct {
	// Host is the Redis host: an IP address (Memorystore's host or readEndpoint) or a name.
	Host string
	// Port is the Redis port; 0 means DefaultPort. Memorystore listens on 6379, or on 6378
	// when in-transit encryption is enabled.
	Port int
	// TLS makes the probe do a TLS handshake before speaking Redis.
	TLS bool
	// CAPEM holds the PEM certificates of the CA that signs the server certificate: the
	// instance's serverCaCerts. It is used only with TLS; empty means the system roots,
	// which never verify Memorystore.
	CAPEM []byte
	// ServerName is the name to verify in the server certificate; empty means Host.
	ServerName string
	// Username is the ACL user to authenticate as; empty means the default user, which is
	// what Memorystore AUTH uses.
	Username string
	// Auth is the AUTH secret. It is never printed: String and GoString redact it and the
	// probe scrubs it from every finding.
	Auth string `json:"-"`
	// Count is how many PINGs the latency step sends on one connection; 0 means DefaultCount.
	Count int
	// Interval is the pause between two PINGs of the latency step; 0 sends them back to
	// back. 10ms paces them like redis-cli --latency, which measures what an idle client
	// sees (both ends waking up) rather than a busy one.
	Interval time.Duration
	// ConnectTimeout bounds the TCP connect, the TLS handshake and each command's reply;
	// 0 means DefaultConnectTimeout.
	ConnectTimeout time.Duration

	// Timeout bounds the whole run, every step and every retry on a new connection
	// included; 0 means no bound beyond the per-step ConnectTimeout and ctx.
	Timeout time.Duration
	// AuthWithheld, when not empty, says why an AUTH secret the user has was not given to
	// this probe (the host was not one the user named): the auth step reports it instead
	// of reporting a missing secret.
	AuthWithheld string
	// Service is the Cloud Run service the probe speaks for
	// (projects/P/locations/R/services/S), when known; it fills the findings' Service and
	// the remediation commands.
	Service string
	// Instance is what the configuration says about the Redis instance, when known.
	Instance *Instance
	// FromLive reports that Instance and CAPEM come from the live Memorystore API rather
	// than from the user, so a CA that does not verify is a rotation, not a missing flag.
	FromLive bool
}

// Instance is what the Memorystore configuration says about the instance being probed. The
// probe uses it to tell an unexpected observation from an expected one (a refused 6379 when
// the instance listens on 6378) and to fill names into remediation commands.
type Instance struct {
	// Name is the instance's full resource name, projects/P/locations/R/instances/I.
	Name string
	// Port is the port the instance listens on.
	Port int
	// TransitEncryption reports that in-transit encryption (SERVER_AUTHENTICATION) is on.
	TransitEncryption bool
	// AuthEnabled reports that the instance requires AUTH.
	AuthEnabled bool
	// ReadEndpoint is the instance's read endpoint (read replicas), when it has one.
	ReadEndpoint string
}

// String describes the options without the AUTH secret, so that printing Options by
// accident cannot leak it.
func (o Options) String() string {
	auth := "none"
	if o.Auth != "" {
		auth = "[redacted]"
	}
	return fmt.Sprintf("probe.Options{Host:%q Port:%d TLS:%t CA:%d bytes ServerName:%q Username:%q Auth:%s Count:%d Interval:%s ConnectTimeout:%s}",
		o.Host, o.Port, o.TLS, len(o.CAPEM), o.ServerName, o.Username, auth, o.Count, o.Interval, o.ConnectTimeout)
}

// GoString is String: %#v must not leak the AUTH secret either.
func (o Options) GoString() string { return o.String() }

// Addr is the host:port the probe connects to, with defaults applied.
func (o Options) Addr() string {
	return net.JoinHostPort(o.Host, strconv.Itoa(o.withDefaults().Port))
}

// withDefaults fills the zero values with the package defaults.
func (o Options) withDefaults() Options {
	if o.Port == 0 {
		o.Port = DefaultPort
	}
	if o.Count <= 0 {
		o.Count = DefaultCount
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = DefaultConnectTimeout
	}
	return o
}

// validate reports the first option that cannot be probed with.
func (o Options) validate() error {
	if strings.TrimSpace(o.Host) == "" {
		return errors.New("no Redis host given")
	}
	if o.Port < 0 || o.Port > 65535 {
		return fmt.Errorf("port %d is not a TCP port (1-65535)", o.Port)
	}
	if o.Count > MaxCount {
		return fmt.Errorf("count %d is more than %d", o.Count, MaxCount)
	}
	if o.Timeout < 0 {
		return fmt.Errorf("timeout %s is negative", o.Timeout)
	}
	if o.Interval < 0 {
		return fmt.Errorf("interval %s is negative", o.Interval)
	}
	if len(o.CAPEM) > 0 && !x509.NewCertPool().AppendCertsFromPEM(o.CAPEM) {
		return errors.New("the CA certificates contain no PEM certificate")
	}
	return nil
}

// ReadCAFile reads a PEM file of CA certificates (the instance's serverCaCerts, saved with
// gcloud) and checks that it holds at least one certificate.
func ReadCAFile(path string) ([]byte, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read CA file: %w", err)
	}
	if !x509.NewCertPool().AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA file %s: no PEM certificate found", path)
	}
	return pem, nil
}

// ParsePort turns a port given as text (a flag or an environment variable) into a TCP port.
func ParsePort(s string) (int, error) {
	port, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || port < 1 || port > 65535 {
		return 0, fmt.Errorf("%q is not a TCP port (1-65535)", s)
	}
	return port, nil
}
