// Package probe checks the data plane between the place it runs and a Memorystore for Redis
// instance: it opens one TCP connection, optionally does the TLS handshake, authenticates,
// sends PING and measures PING latency, and explains every failure it sees.
//
// The configuration checks in package checks say what should work; the probe says what
// does. Each step is one finding with a stable id (probe.tcp, probe.tls, probe.auth,
// probe.ping, probe.latency). A failed step makes the later ones skip, so the first
// failing finding names the broken hop. Every failure carries a Cause, a stable
// machine-readable code that is also the anchor of the finding's Docs link.
//
// The AUTH secret never appears in a finding, a message or an error: the probe redacts it
// from everything it returns as a last line of defence.
package probe
