package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"time"

	"github.com/vpcdoctor/vpcdoctor/finding"
)

// connect is the probe.tcp step: one TCP connection, resolved and dialed within
// ConnectTimeout.
func (p *prober) connect(ctx context.Context) outcome {
	addr := p.opts.Addr()
	start := time.Now()
	conn, err := p.dial(ctx)
	elapsed := time.Since(start)
	if err != nil {
		if o, ended := runEnded(ctx, "the TCP connect"); ended {
			return o
		}
		return p.dialFailure(ClassifyDial(err), err, elapsed)
	}
	p.conn = conn
	remote := ""
	if r := conn.RemoteAddr().String(); r != addr {
		remote = " (" + r + ")"
	}
	return passed("connected to %s%s from %s in %s", addr, remote, conn.LocalAddr(), millis(elapsed))
}

// dial opens a new TCP connection to the Redis address.
func (p *prober) dial(ctx context.Context) (net.Conn, error) {
	dialer := net.Dialer{Timeout: p.opts.ConnectTimeout}
	return dialer.DialContext(ctx, "tcp", p.opts.Addr())
}

// dialFailure explains a failed TCP connect.
func (p *prober) dialFailure(c Cause, err error, elapsed time.Duration) outcome {
	addr := p.opts.Addr()
	switch c {
	case CauseDNSNotFound:
		return failed(c, "host %q does not resolve (%v)", p.opts.Host, err)
	case CauseDNSFailure:
		return failed(c, "could not resolve host %q (%v)", p.opts.Host, err)
	case CauseConnectionRefused:
		return failed(c, "%s refused the connection after %s (%v): a host answers there but nothing listens on port %d%s",
			addr, millis(elapsed), err, p.opts.Port, p.portHint())
	case CauseConnectTimeout:
		return failed(c, "no answer from %s within %s (%v): packets to it are not routed or are dropped%s",
			addr, p.opts.ConnectTimeout, err, p.egressHint())
	case CauseNoRoute:
		return failed(c, "no route to %s (%v)%s", addr, err, p.egressHint())
	case CauseCanceled:
		return failed(c, "canceled while connecting to %s (%v)", addr, err)
	}
	return failed(c, "connect to %s failed after %s (%v)", addr, millis(elapsed), err)
}

// portHint says which port the instance listens on, when that explains a refusal.
func (p *prober) portHint() string {
	inst := p.opts.Instance
	switch {
	case inst != nil && inst.Port != 0 && inst.Port != p.opts.Port:
		return fmt.Sprintf("; the instance listens on %d", inst.Port)
	case inst != nil && inst.TransitEncryption && p.opts.Port != 6378:
		return "; the instance has in-transit encryption on, so it listens on 6378"
	}
	return "; Memorystore listens on 6379, or 6378 with in-transit encryption"
}

// egressHint points out an address outside the private ranges, which private-ranges-only
// egress sends to the internet instead of the VPC.
func (p *prober) egressHint() string {
	ip, err := netip.ParseAddr(p.opts.Host)
	if err != nil || ip.IsPrivate() || ip.IsLoopback() {
		return ""
	}
	return fmt.Sprintf("; %s is not a private (RFC 1918) address, so with private-ranges-only egress it does not go through the VPC", ip)
}

// handshake is the probe.tls step: a TLS handshake on the probe's connection, verified
// against the instance's CA.
func (p *prober) handshake(ctx context.Context) outcome {
	if !p.opts.TLS {
		if inst := p.opts.Instance; inst != nil && inst.TransitEncryption {
			return skipped("TLS not requested, although the instance has in-transit encryption on")
		}
		return skipped("TLS not requested")
	}
	config := p.tlsConfig()
	tlsConn := tls.Client(p.conn, config)
	handshakeCtx, cancel := context.WithTimeout(ctx, p.opts.ConnectTimeout)
	defer cancel()
	start := time.Now()
	err := tlsConn.HandshakeContext(handshakeCtx)
	elapsed := time.Since(start)
	if err != nil {
		if o, ended := runEnded(ctx, "the TLS handshake"); ended {
			return o
		}
		return p.handshakeFailure(ctx, ClassifyHandshake(err), err, elapsed)
	}
	p.conn = tlsConn
	state := tlsConn.ConnectionState()
	leaf := state.PeerCertificates[0]
	return passed("%s handshake in %s (%s); server certificate %q issued by %q, valid until %s",
		tls.VersionName(state.Version), millis(elapsed), tls.CipherSuiteName(state.CipherSuite),
		p.serverText(leaf.Subject.String()), p.serverText(leaf.Issuer.String()), leaf.NotAfter.UTC().Format(time.DateOnly))
}

// tlsConfig is the client TLS configuration: the instance's CA when given, the server
// name to verify, TLS 1.2 at least.
func (p *prober) tlsConfig() *tls.Config {
	serverName := p.opts.ServerName
	if serverName == "" {
		serverName = p.opts.Host
	}
	config := &tls.Config{ServerName: serverName, MinVersion: tls.VersionTLS12}
	if len(p.opts.CAPEM) > 0 {
		roots := x509.NewCertPool()
		roots.AppendCertsFromPEM(p.opts.CAPEM)
		config.RootCAs = roots
	}
	return config
}

// handshakeFailure explains a failed TLS handshake. When the failure could mean a plain
// server (a timeout, a closed connection, a non-TLS answer), a plain PING on a new
// connection settles it.
func (p *prober) handshakeFailure(ctx context.Context, c Cause, err error, elapsed time.Duration) outcome {
	var unknown x509.UnknownAuthorityError
	// The error quotes the server's certificate (names, issuer): server text, bounded.
	reason := p.serverText(err.Error())
	switch c {
	case CauseCanceled:
		return failed(c, "canceled during the TLS handshake (%s)", reason)
	case CauseTLSUnknownAuthority:
		issuer := ""
		if errors.As(err, &unknown) && unknown.Cert != nil {
			issuer = fmt.Sprintf(" (issuer %q)", p.serverText(unknown.Cert.Issuer.String()))
		}
		given := "no CA was given (--ca-file), so only the system roots were tried"
		if len(p.opts.CAPEM) > 0 {
			given = "the CA certificates given do not include its issuer"
		}
		return failed(c, "the server certificate%s is signed by an unknown authority (%s): %s", issuer, reason, given)
	case CauseTLSHostnameMismatch, CauseTLSCertificateInvalid:
		return failed(c, "the server certificate does not verify (%s)", reason)
	}
	if p.answersPlainRedis(ctx) {
		return failed(CauseTLSToPlainServer, "the TLS handshake failed after %s (%s), and a plain-text PING on a new connection is answered: the server does not speak TLS",
			millis(elapsed), reason)
	}
	switch c {
	case CauseTLSToPlainServer:
		return failed(c, "the server answered the TLS ClientHello with something that is not TLS (%s)", reason)
	case CauseTLSHandshakeTimeout:
		return failed(c, "no TLS handshake within %s (%s): the server accepted TCP but did not answer the ClientHello", p.opts.ConnectTimeout, reason)
	}
	return failed(c, "the TLS handshake failed after %s (%s)", millis(elapsed), reason)
}

// authenticate is the probe.auth step. With a secret it sends AUTH. Without one it sends
// PING, because a server that requires AUTH answers NOAUTH, and that is an AUTH failure.
func (p *prober) authenticate(ctx context.Context) outcome {
	session := p.redis()
	if p.opts.Auth == "" {
		reply, elapsed, err := session.ping(ctx)
		if ClassifyCommand(err) == CauseNoAuth && p.opts.AuthWithheld != "" {
			// Whether the secret would be accepted is unknown: the user did not let it go
			// to this host.
			return outcome{status: finding.Error, message: fmt.Sprintf("the server requires AUTH (it answered PING with %q), but the AUTH secret was not sent: %s",
				p.serverText(err.Error()), p.opts.AuthWithheld)}
		}
		if ClassifyCommand(err) == CauseNoAuth {
			return failed(CauseNoAuth, "the server answered PING with %q: AUTH is enabled and no AUTH secret was given", p.serverText(err.Error()))
		}
		p.firstPing = &pingResult{reply: reply, elapsed: elapsed, err: err}
		given := "no AUTH secret given"
		if p.opts.AuthWithheld != "" {
			given = "no AUTH secret sent (" + p.opts.AuthWithheld + ")"
		}
		if err == nil {
			return skipped("%s; the server answers without one", given)
		}
		return skipped("%s", given)
	}
	start := time.Now()
	err := session.auth(ctx, p.opts.Username, p.opts.Auth)
	if err != nil {
		return p.commandFailure(ctx, "AUTH", err)
	}
	as := ""
	if p.opts.Username != "" {
		as = fmt.Sprintf(" for user %q", p.opts.Username)
	}
	return passed("AUTH accepted%s in %s", as, millis(time.Since(start)))
}

// ping is the probe.ping step: one PING (or the failure of the one the auth step sent),
// then the server's replication role from INFO, to tell a read replica without writing.
func (p *prober) ping(ctx context.Context) outcome {
	result := p.firstPing
	if result == nil || result.err == nil {
		// The auth step's PING also paid for the connection handshake: time a fresh one.
		reply, elapsed, err := p.redis().ping(ctx)
		result = &pingResult{reply: reply, elapsed: elapsed, err: err}
	}
	if result.err != nil {
		return p.commandFailure(ctx, "PING", result.err)
	}
	if result.reply != "PONG" {
		return failed(CauseUnexpectedReply, "PING was answered with %q, not PONG", p.serverText(result.reply))
	}
	role := p.redis().role(ctx)
	if role == "slave" || role == "replica" {
		return failed(CauseReadReplica, "PONG in %s, but the server is a read replica (INFO replication role:%s): writes to %s fail with READONLY",
			millis(result.elapsed), role, p.opts.Addr())
	}
	if inst := p.opts.Instance; inst != nil && inst.ReadEndpoint != "" && inst.ReadEndpoint == p.opts.Host {
		return failed(CauseReadReplica, "PONG in %s, but %s is the instance's read endpoint: writes there fail with READONLY",
			millis(result.elapsed), p.opts.Host)
	}
	if role == "" {
		return passed("PONG in %s", millis(result.elapsed))
	}
	return passed("PONG in %s; replication role %s", millis(result.elapsed), role)
}

// latency is the probe.latency step: Count PINGs, one after the other, on one connection.
func (p *prober) latency(ctx context.Context) outcome {
	// One P while measuring: with several, the goroutine woken by the reply is often
	// handed to a thread on another, idle CPU, which adds 100-300 µs to a round trip after
	// a pause (measured on a 2-vCPU VM with a paced loop: p50 70-160 µs on one P against
	// 160 µs-3.5 ms on two). The probe does nothing else meanwhile, so nothing is slowed.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	session := p.redis()
	samples := make([]time.Duration, 0, p.opts.Count)
	var pause *time.Timer
	for i := range p.opts.Count {
		if i > 0 && p.opts.Interval > 0 {
			if pause == nil {
				pause = time.NewTimer(p.opts.Interval)
				defer pause.Stop()
			} else {
				pause.Reset(p.opts.Interval)
			}
			select {
			case <-pause.C:
			case <-ctx.Done():
				return p.commandFailure(ctx, fmt.Sprintf("PING %d of %d", i+1, p.opts.Count), ctx.Err())
			}
		}
		_, elapsed, err := session.ping(ctx)
		if err != nil {
			return p.commandFailure(ctx, fmt.Sprintf("PING %d of %d", i+1, p.opts.Count), err)
		}
		samples = append(samples, elapsed)
	}
	stats := NewLatencyStats(samples)
	what := "PING round trips on one connection"
	if p.opts.Interval > 0 {
		what += ", one every " + p.opts.Interval.String()
	}
	if stats.P50 > HighLatencyP50 {
		return failed(CauseHighLatency, "%s: %s; p50 is above %s", what, stats, millis(HighLatencyP50))
	}
	return passed("%s: %s", what, stats)
}

// commandFailure explains a failed Redis command. A closed connection is explained by
// what the server said before closing it (maxclients), or by a TLS handshake on a new
// connection (a TLS-only server closes on plain text).
func (p *prober) commandFailure(ctx context.Context, command string, err error) outcome {
	if o, ended := runEnded(ctx, command); ended {
		return o
	}
	c := ClassifyCommand(err)
	switch c {
	case CauseCanceled:
		return failed(c, "canceled during %s (%v)", command, err)
	case CauseReplyTimeout:
		return failed(c, "no reply to %s within %s (%v)", command, p.opts.ConnectTimeout, err)
	case CauseConnectionClosed:
		return p.closedFailure(ctx, command, err)
	case CauseNotRedis:
		return failed(c, "the answer to %s is not the Redis protocol (%s)", command, p.serverText(err.Error()))
	}
	return failed(c, "the server answered %s with %q", command, p.serverText(err.Error()))
}

// closedFailure explains a connection the server closed on a command.
func (p *prober) closedFailure(ctx context.Context, command string, err error) outcome {
	if said := p.redis().handshakeError(); said != nil {
		return failed(classifyReply(said.Error()), "the server answered the connection with %q and closed it on %s (%s)",
			p.serverText(said.Error()), command, p.serverText(err.Error()))
	}
	if !p.opts.TLS && p.speaksTLS(ctx) {
		return failed(CausePlainToTLSServer, "the server closed the connection on %s (%v), and completes a TLS handshake on a new connection: it requires TLS",
			command, err)
	}
	return failed(CauseConnectionClosed, "the server closed the connection on %s (%s)", command, p.serverText(err.Error()))
}

// speaksTLS reports whether the server completes a TLS handshake on a new connection. It
// only detects the protocol: nothing is sent after the handshake, so the certificate is
// deliberately not verified.
func (p *prober) speaksTLS(ctx context.Context) bool {
	conn, err := p.dial(ctx)
	if err != nil {
		return false
	}
	defer func() { _ = conn.Close() }()
	handshakeCtx, cancel := context.WithTimeout(ctx, p.opts.ConnectTimeout)
	defer cancel()
	detectOnly := &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12} //nolint:gosec // protocol detection, no data is sent
	err = tls.Client(conn, detectOnly).HandshakeContext(handshakeCtx)
	var alert tls.AlertError
	return err == nil || errors.As(err, &alert)
}

// answersPlainRedis reports whether the server answers a plain-text PING on a new
// connection; an error reply such as NOAUTH counts, since it is Redis answering.
func (p *prober) answersPlainRedis(ctx context.Context) bool {
	conn, err := p.dial(ctx)
	if err != nil {
		return false
	}
	session := newSession(conn, p.opts.ConnectTimeout)
	defer session.close()
	_, _, err = session.ping(ctx)
	return err == nil || isRedisError(err)
}

// runEnded is the outcome of a step cut short because the whole run ended (Options.Timeout
// ran out, or the caller canceled): that says nothing about the server, so it is an error,
// not a failure of the path.
func runEnded(ctx context.Context, during string) (outcome, bool) {
	err := ctx.Err()
	if deadline, ok := ctx.Deadline(); err == nil && ok && !time.Now().Before(deadline) {
		// A read deadline set from the context can fire before the context's own timer.
		err = context.DeadlineExceeded
	}
	if err == nil {
		return outcome{}, false
	}
	return failed(CauseCanceled, "the probe's run ended during %s (%v): its --timeout ran out, or it was interrupted", during, err), true
}
