// Package fakeredis is a loopback TCP server for tests that must talk to a Redis server that
// misbehaves: it answers every chunk a client sends with what a reply function writes, so a
// test can be the hostile server a pull request points the probe at. Test support only.
package fakeredis

import (
	"context"
	"net"
	"sync"
	"testing"
)

// Serve listens on 127.0.0.1 and calls reply with each chunk a client sends, until the test
// ends; it returns the port. Connections still open at the end are closed, so a reply that
// never returns (a line that never ends) does not outlive the test.
func Serve(t testing.TB, reply func(conn net.Conn, request []byte)) int {
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
	})
	t.Cleanup(func() {
		cancel()
		_ = l.Close()
		wg.Wait()
	})
	return l.Addr().(*net.TCPAddr).Port
}
