// Package fakeredis is loopback TCP servers for tests that must talk to a Redis server that
// misbehaves: one that answers every chunk a client sends with what a reply function writes,
// so a test can be the hostile server a pull request points the probe at, and the accept
// loop beneath it for servers of other shapes (silent, slow). Test support only.
package fakeredis

import (
	"context"
	"net"
	"sync"
	"testing"
)

// Listen listens on 127.0.0.1 and runs handle on each connection until the test ends; it
// returns the port. At the end ctx is cancelled, the connections still open are closed (so a
// handler blocked in a read or write returns), and Listen waits for every handler.
func Listen(t testing.TB, handle func(ctx context.Context, conn net.Conn)) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
				defer stop()
				defer func() { _ = conn.Close() }()
				handle(ctx, conn)
			})
		}
	})
	t.Cleanup(func() {
		cancel()
		_ = l.Close()
		wg.Wait()
	})
	return l.Addr().(*net.TCPAddr).Port
}

// Serve listens on 127.0.0.1 and calls reply with each chunk a client sends, until the test
// ends; it returns the port. A reply that never returns (a line that never ends) does not
// outlive the test: its connection is closed at the end.
func Serve(t testing.TB, reply func(conn net.Conn, request []byte)) int {
	t.Helper()
	return Listen(t, func(_ context.Context, conn net.Conn) {
		buf := make([]byte, 4096)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				return
			}
			reply(conn, buf[:n])
		}
	})
}
