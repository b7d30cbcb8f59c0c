package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
)

// replyError stands for a Redis error reply as go-redis returns it.
type replyError string

func (e replyError) Error() string { return string(e) }
func (replyError) RedisError()     {}

// timeoutError is a net.Error that timed out, as the net package returns on a deadline.
type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

// dialError wraps a syscall error the way net.Dialer does.
func dialError(errno syscall.Errno) error {
	return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", errno)}
}

func TestClassifyDial(t *testing.T) {
	tests := []struct {
		err  error
		want Cause
	}{
		{nil, ""},
		{dialError(syscall.ECONNREFUSED), CauseConnectionRefused},
		{dialError(syscall.EHOSTUNREACH), CauseNoRoute},
		{dialError(syscall.ENETUNREACH), CauseNoRoute},
		{&net.OpError{Op: "dial", Net: "tcp", Err: timeoutError{}}, CauseConnectTimeout},
		{fmt.Errorf("dial: %w", context.DeadlineExceeded), CauseConnectTimeout},
		{&net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}}, CauseDNSNotFound},
		{&net.OpError{Op: "dial", Err: &net.DNSError{Err: "i/o timeout", Name: "x", IsTimeout: true}}, CauseDNSFailure},
		{fmt.Errorf("dial: %w", context.Canceled), CauseCanceled},
		{errors.New("something else"), CauseConnectFailed},
	}
	for _, tt := range tests {
		if got := ClassifyDial(tt.err); got != tt.want {
			t.Errorf("ClassifyDial(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

func TestClassifyHandshake(t *testing.T) {
	verification := func(err error) error { return &tls.CertificateVerificationError{Err: err} }
	tests := []struct {
		err  error
		want Cause
	}{
		{nil, ""},
		{verification(x509.UnknownAuthorityError{}), CauseTLSUnknownAuthority},
		{verification(x509.HostnameError{Host: "10.0.0.3", Certificate: &x509.Certificate{}}), CauseTLSHostnameMismatch},
		{verification(x509.CertificateInvalidError{Reason: x509.Expired}), CauseTLSCertificateInvalid},
		{tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, CauseTLSToPlainServer},
		{context.DeadlineExceeded, CauseTLSHandshakeTimeout},
		{timeoutError{}, CauseTLSHandshakeTimeout},
		{io.EOF, CauseTLSHandshakeFailed},
		{context.Canceled, CauseCanceled},
	}
	for _, tt := range tests {
		if got := ClassifyHandshake(tt.err); got != tt.want {
			t.Errorf("ClassifyHandshake(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

func TestClassifyCommand(t *testing.T) {
	tests := []struct {
		err  error
		want Cause
	}{
		{nil, ""},
		{replyError("NOAUTH Authentication required."), CauseNoAuth},
		{replyError("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"), CauseNoAuth},
		{replyError("WRONGPASS invalid username-password pair or user is disabled."), CauseWrongPass},
		{replyError("ERR invalid password"), CauseWrongPass},
		{replyError("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"), CauseAuthNotEnabled},
		{replyError("ERR Client sent AUTH, but no password is set"), CauseAuthNotEnabled},
		{replyError("READONLY You can't write against a read only replica."), CauseReadOnly},
		{replyError("ERR max number of clients reached"), CauseMaxClients},
		{replyError("LOADING Redis is loading the dataset in memory"), CauseServerError},
		{fmt.Errorf("wrapped: %w", replyError("NOAUTH Authentication required.")), CauseNoAuth},
		{io.EOF, CauseConnectionClosed},
		{&net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, CauseConnectionClosed},
		{&net.OpError{Op: "write", Err: os.NewSyscallError("write", syscall.EPIPE)}, CauseConnectionClosed},
		{errConnectionLost, CauseConnectionClosed},
		{&net.OpError{Op: "read", Err: timeoutError{}}, CauseReplyTimeout},
		{errors.New(`redis: can't parse map reply: "HTTP/1.1 400 Bad Request"`), CauseNotRedis},
		{errors.New("ERR max number of clients reached"), CauseMaxClients},
		{context.Canceled, CauseCanceled},
	}
	for _, tt := range tests {
		if got := ClassifyCommand(tt.err); got != tt.want {
			t.Errorf("ClassifyCommand(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
