package probe

import (
	"context"
	"io"
	"net"
	"testing"

	"github.com/redis/go-redis/v9"
)

func TestHandshakeRecorderForgetsHELLOOnceAnswered(t *testing.T) {
	ctx := context.Background()
	recorder := &handshakeRecorder{}
	send := func(name string, result error) {
		process := recorder.ProcessHook(func(context.Context, redis.Cmder) error { return result })
		_ = process(ctx, redis.NewCmd(ctx, name))
	}
	send("hello", replyError("ERR unknown command 'HELLO'"))
	if err := recorder.get(); err != nil {
		t.Fatalf("a Redis 5 HELLO reply was recorded: %v", err)
	}
	send("hello", replyError("ERR max number of clients reached"))
	send("ping", io.EOF)
	if err := recorder.get(); err == nil || ClassifyCommand(err) != CauseMaxClients {
		t.Fatalf("after a refused HELLO and a closed PING: %v, want the HELLO reply", err)
	}
	send("ping", nil)
	if err := recorder.get(); err != nil {
		t.Errorf("after an answered PING the HELLO reply is still reported: %v", err)
	}
}

func TestHandoffDialerGivesTheConnectionOnce(t *testing.T) {
	client, _ := netPipe(t)
	dialer := &handoffDialer{conn: client}
	first, err := dialer.dial(context.Background(), "tcp", "x")
	if err != nil || first != client {
		t.Fatalf("first dial = %v, %v", first, err)
	}
	if _, err := dialer.dial(context.Background(), "tcp", "x"); ClassifyCommand(err) != CauseConnectionClosed {
		t.Errorf("second dial: %v, want the connection-lost error", err)
	}
}

// netPipe returns the two ends of an in-memory connection, closed when the test ends.
func netPipe(t *testing.T) (net.Conn, net.Conn) {
	a, b := net.Pipe()
	t.Cleanup(func() { _ = a.Close(); _ = b.Close() })
	return a, b
}
