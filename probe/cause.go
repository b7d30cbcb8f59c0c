package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"

	"github.com/redis/go-redis/v9"
)

// Cause is the stable, machine-readable classification of what a probe step observed. It
// is part of the public contract: runbooks match on it, and it is the anchor of the
// finding's Docs link (docs/probe.md#<cause>). Never rename or reuse one.
type Cause string

// The causes the probe can report. The empty Cause means the step passed or was skipped
// for a reason that needs no explanation.
const (
	// CauseInvalidOptions: the probe was given nothing it can connect to.
	CauseInvalidOptions Cause = "invalid-options"
	// CauseCanceled: the caller canceled the probe.
	CauseCanceled Cause = "canceled"

	// CauseDNSNotFound: the host name does not resolve.
	CauseDNSNotFound Cause = "dns-not-found"
	// CauseDNSFailure: the resolver failed or timed out.
	CauseDNSFailure Cause = "dns-failure"
	// CauseConnectionRefused: a host answered with a reset: nothing listens on the port.
	CauseConnectionRefused Cause = "connection-refused"
	// CauseConnectTimeout: nothing answered the TCP connect in time: no route, or dropped.
	CauseConnectTimeout Cause = "connect-timeout"
	// CauseNoRoute: the local network stack or a router said the host is unreachable.
	CauseNoRoute Cause = "no-route"
	// CauseConnectFailed: the TCP connect failed in another way.
	CauseConnectFailed Cause = "connect-failed"

	// CauseTLSToPlainServer: the probe spoke TLS to a server that does not.
	CauseTLSToPlainServer Cause = "tls-to-plain-server"
	// CauseTLSHandshakeTimeout: the server accepted TCP but never completed a TLS handshake.
	CauseTLSHandshakeTimeout Cause = "tls-handshake-timeout"
	// CauseTLSUnknownAuthority: the server certificate is signed by a CA the probe was not given.
	CauseTLSUnknownAuthority Cause = "tls-unknown-authority"
	// CauseTLSHostnameMismatch: the server certificate does not name the host.
	CauseTLSHostnameMismatch Cause = "tls-hostname-mismatch"
	// CauseTLSCertificateInvalid: the certificate is expired, not yet valid or unusable.
	CauseTLSCertificateInvalid Cause = "tls-certificate-invalid"
	// CauseTLSHandshakeFailed: the TLS handshake failed in another way.
	CauseTLSHandshakeFailed Cause = "tls-handshake-failed"

	// CausePlainToTLSServer: the probe spoke plain Redis to a server that wants TLS.
	CausePlainToTLSServer Cause = "plain-to-tls-server"
	// CauseConnectionClosed: the server closed the connection without an error reply.
	CauseConnectionClosed Cause = "connection-closed"
	// CauseReplyTimeout: the connection is open but the server did not answer in time.
	CauseReplyTimeout Cause = "reply-timeout"
	// CauseNotRedis: the server answered with something that is not the Redis protocol.
	CauseNotRedis Cause = "not-redis"

	// CauseNoAuth: the server requires AUTH and none was sent.
	CauseNoAuth Cause = "noauth"
	// CauseWrongPass: the server rejected the AUTH secret.
	CauseWrongPass Cause = "wrongpass"
	// CauseAuthNotEnabled: an AUTH secret was sent to a server without AUTH.
	CauseAuthNotEnabled Cause = "auth-not-enabled"
	// CauseMaxClients: the server refused the connection because maxclients is reached.
	CauseMaxClients Cause = "max-clients"
	// CauseReadOnly: a command was refused because the endpoint is a read-only replica.
	CauseReadOnly Cause = "readonly"
	// CauseReadReplica: the endpoint is a read replica (found without writing anything).
	CauseReadReplica Cause = "read-replica"
	// CauseServerError: the server answered with another error.
	CauseServerError Cause = "server-error"
	// CauseUnexpectedReply: PING was answered with something other than PONG.
	CauseUnexpectedReply Cause = "unexpected-reply"

	// CauseHighLatency: the PING round trip median is above the warning threshold.
	CauseHighLatency Cause = "high-latency"
)

// Causes lists every cause, in the order docs/probe.md documents them.
func Causes() []Cause {
	return []Cause{
		CauseInvalidOptions, CauseCanceled,
		CauseDNSNotFound, CauseDNSFailure, CauseConnectionRefused, CauseConnectTimeout,
		CauseNoRoute, CauseConnectFailed,
		CauseTLSToPlainServer, CauseTLSHandshakeTimeout, CauseTLSUnknownAuthority,
		CauseTLSHostnameMismatch, CauseTLSCertificateInvalid, CauseTLSHandshakeFailed,
		CausePlainToTLSServer, CauseConnectionClosed, CauseReplyTimeout, CauseNotRedis,
		CauseNoAuth, CauseWrongPass, CauseAuthNotEnabled, CauseMaxClients, CauseReadOnly,
		CauseReadReplica, CauseServerError, CauseUnexpectedReply,
		CauseHighLatency,
	}
}

// ClassifyDial classifies an error from the TCP connect (name resolution included).
func ClassifyDial(err error) Cause {
	var dnsErr *net.DNSError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, context.Canceled):
		return CauseCanceled
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return CauseDNSNotFound
		}
		return CauseDNSFailure
	case errors.Is(err, syscall.ECONNREFUSED):
		return CauseConnectionRefused
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return CauseNoRoute
	case isTimeout(err):
		return CauseConnectTimeout
	}
	return CauseConnectFailed
}

// ClassifyHandshake classifies an error from the TLS handshake. A timeout or a closed
// connection is only a suspicion of a plain server; Run confirms it with a plain PING.
func ClassifyHandshake(err error) Cause {
	var (
		unknownAuthority x509.UnknownAuthorityError
		hostname         x509.HostnameError
		invalid          x509.CertificateInvalidError
		recordHeader     tls.RecordHeaderError
	)
	switch {
	case err == nil:
		return ""
	case errors.Is(err, context.Canceled):
		return CauseCanceled
	case errors.As(err, &unknownAuthority):
		return CauseTLSUnknownAuthority
	case errors.As(err, &hostname):
		return CauseTLSHostnameMismatch
	case errors.As(err, &invalid):
		return CauseTLSCertificateInvalid
	case errors.As(err, &recordHeader):
		return CauseTLSToPlainServer
	case isTimeout(err):
		return CauseTLSHandshakeTimeout
	}
	return CauseTLSHandshakeFailed
}

// ClassifyCommand classifies the error of a Redis command: a reply error from the server,
// or a transport error on the connection. A closed connection is only a suspicion of a
// TLS server; Run confirms it with a TLS handshake.
func ClassifyCommand(err error) Cause {
	var reply redis.Error
	switch {
	case err == nil:
		return ""
	case errors.Is(err, context.Canceled):
		return CauseCanceled
	case errors.As(err, &reply):
		return classifyReply(reply.Error())
	case isTimeout(err):
		return CauseReplyTimeout
	case isClosed(err), errors.Is(err, errConnectionLost):
		return CauseConnectionClosed
	}
	// A server that refuses a client before reading anything (maxclients) may have its
	// error reply surface as plain text when the library gives up on the connection.
	if c := classifyReply(err.Error()); c != CauseServerError {
		return c
	}
	// What is left is go-redis failing to parse the answer ("redis: can't parse ...",
	// "redis: invalid reply ...") or another client-side error: not a Redis conversation.
	return CauseNotRedis
}

// classifyReply classifies the text of a Redis error reply. The texts are those of Redis
// 3.2 to 7.x, the versions Memorystore runs.
func classifyReply(reply string) Cause {
	upper := strings.ToUpper(reply)
	switch {
	case strings.HasPrefix(upper, "NOAUTH"):
		return CauseNoAuth
	case strings.HasPrefix(upper, "WRONGPASS"), strings.Contains(upper, "INVALID PASSWORD"),
		strings.Contains(upper, "INVALID USERNAME-PASSWORD"):
		return CauseWrongPass
	case strings.Contains(upper, "CALLED WITHOUT ANY PASSWORD CONFIGURED"),
		strings.Contains(upper, "NO PASSWORD IS SET"):
		return CauseAuthNotEnabled
	case strings.HasPrefix(upper, "READONLY"):
		return CauseReadOnly
	case strings.Contains(upper, "MAX NUMBER OF CLIENTS REACHED"):
		return CauseMaxClients
	}
	return CauseServerError
}

// isRedisError reports whether err is an error reply from the server, as opposed to a
// transport or client-side error.
func isRedisError(err error) bool {
	var replyErr redis.Error
	return errors.As(err, &replyErr)
}

// isTimeout reports whether err is a deadline or timeout of any layer.
func isTimeout(err error) bool {
	var netErr net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) ||
		(errors.As(err, &netErr) && netErr.Timeout())
}

// isClosed reports whether err means the peer closed or reset the connection.
func isClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, net.ErrClosed)
}
