package probe

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/logging"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// errConnectionLost is what a session returns once its one connection is gone: the probe
// measures one connection and never silently reconnects.
var errConnectionLost = errors.New("the probe connection was closed; not reconnecting")

// session speaks Redis, through go-redis, over the one connection the TCP and TLS steps
// opened, so the connection that was verified is the one that is measured.
type session struct {
	client    *redis.Client
	conn      *redis.Conn
	handshake *handshakeRecorder
}

// newSession hands netConn to a go-redis client that never retries, never redials and
// sends nothing on connect but HELLO (which go-redis needs to pick the protocol).
func newSession(netConn net.Conn, timeout time.Duration) *session {
	// go-redis logs to stderr from its pool; the probe reports everything itself, and a
	// library line on stderr would interleave with the report.
	redis.SetLogger(&logging.VoidLogger{})

	// Every reply is checked against the probe's limits before go-redis parses it.
	handoff := &handoffDialer{conn: newRESPGuard(netConn)}
	recorder := &handshakeRecorder{}
	client := redis.NewClient(&redis.Options{
		Addr:                  netConn.RemoteAddr().String(),
		Dialer:                handoff.dial,
		Protocol:              2,
		DialTimeout:           timeout,
		DialerRetries:         1,
		MaxRetries:            -1,
		ReadTimeout:           timeout,
		WriteTimeout:          timeout,
		ContextTimeoutEnabled: true,
		PoolSize:              1,
		DisableIdentity:       true,
		MaintNotificationsConfig: &maintnotifications.Config{
			Mode: maintnotifications.ModeDisabled,
		},
	})
	client.AddHook(recorder)
	return &session{client: client, conn: client.Conn(), handshake: recorder}
}

// close releases the connection and the client.
func (s *session) close() {
	_ = s.conn.Close()
	_ = s.client.Close()
}

// auth sends AUTH with the secret (and the ACL user when there is one).
func (s *session) auth(ctx context.Context, username, secret string) error {
	if username != "" {
		return s.conn.AuthACL(ctx, username, secret).Err()
	}
	return s.conn.Auth(ctx, secret).Err()
}

// ping sends one PING and returns the reply and the round-trip time.
func (s *session) ping(ctx context.Context) (string, time.Duration, error) {
	start := time.Now()
	reply, err := s.conn.Ping(ctx).Result()
	return reply, time.Since(start), err
}

// role returns the replication role the server reports in INFO replication ("master",
// "slave"), without writing anything. It returns "" when INFO is not available.
func (s *session) role(ctx context.Context) string {
	info, err := s.conn.Info(ctx, "replication").Result()
	if err != nil {
		return ""
	}
	for line := range strings.Lines(info) {
		if value, ok := strings.CutPrefix(strings.TrimSpace(line), "role:"); ok {
			return value
		}
	}
	return ""
}

// handshakeError is the error reply go-redis received to HELLO on connect, as long as
// the server has answered nothing since. go-redis treats any error reply to HELLO as "old
// server" and carries on, which hides the one reply a refusing server sends before it
// closes the connection (max number of clients reached).
func (s *session) handshakeError() error {
	return s.handshake.get()
}

// handoffDialer gives go-redis the already-open connection once, then refuses to dial.
type handoffDialer struct {
	mu   sync.Mutex
	conn net.Conn
}

// dial implements redis.Options.Dialer.
func (d *handoffDialer) dial(context.Context, string, string) (net.Conn, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.conn == nil {
		return nil, errConnectionLost
	}
	conn := d.conn
	d.conn = nil
	return conn, nil
}

// handshakeRecorder is a go-redis hook that keeps the error reply to HELLO, until the
// server answers another command (after which the HELLO reply explains nothing).
type handshakeRecorder struct {
	mu       sync.Mutex
	err      error
	answered bool
}

// get returns the recorded HELLO error, or nil once another command was answered.
func (h *handshakeRecorder) get() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.answered {
		return nil
	}
	return h.err
}

// DialHook implements redis.Hook; dialing is not observed.
func (h *handshakeRecorder) DialHook(next redis.DialHook) redis.DialHook { return next }

// ProcessHook implements redis.Hook: it records HELLO's error reply and whether any
// other command was answered.
func (h *handshakeRecorder) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		replied := err == nil || isRedisError(err)
		h.mu.Lock()
		defer h.mu.Unlock()
		switch {
		case cmd.Name() == "hello" && err != nil && replied && !strings.Contains(err.Error(), "unknown command"):
			// Redis before 6 does not know HELLO; that reply explains nothing.
			h.err = err
		case cmd.Name() != "hello" && replied:
			h.answered = true
		}
		return err
	}
}

// ProcessPipelineHook implements redis.Hook; pipelines are not observed.
func (h *handshakeRecorder) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
