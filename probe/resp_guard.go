package probe

import (
	"bytes"
	"fmt"
	"net"
	"strconv"
)

// Limits on what the probe accepts from a server. The probe sends AUTH, HELLO, PING and
// INFO replication, whose replies are a few hundred bytes; these limits leave ample room
// while keeping a hostile server from making the probe allocate or recurse without bound.
const (
	// MaxReplyLine bounds a RESP header or simple-string line.
	MaxReplyLine = 64 << 10
	// MaxBulkLength bounds a bulk string (INFO's reply is one).
	MaxBulkLength = 1 << 20
	// MaxAggregateLength bounds the elements of an array, set, push or map reply.
	MaxAggregateLength = 1024
	// MaxReplyDepth bounds the nesting of aggregates.
	MaxReplyDepth = 8
	// MaxReplyBytes bounds one whole reply, headers and payload.
	MaxReplyBytes = 4 << 20
)

// errReplyLimit is returned (wrapped) when a reply breaks one of the limits.
type errReplyLimit struct{ what string }

func (e *errReplyLimit) Error() string {
	return "the server's reply breaks the probe's limits (" + e.what + "); not a reply Redis sends to these commands"
}

// respGuard is the connection go-redis reads from: it parses the RESP stream as it
// arrives and hands on only bytes of replies that keep within the limits. go-redis
// allocates a bulk string's length before reading it and recurses into nested replies, so
// a header such as "$9223372036854775806" or a million nested "%1" must be stopped before
// go-redis sees it; a line that never ends is stopped at MaxReplyLine.
type respGuard struct {
	net.Conn
	pending []byte // read from the connection, not yet checked
	checked []byte // checked, not yet handed to the reader
	readErr error  // the connection's error, returned once pending is used up
	limit   error  // a broken limit: returned for ever after
	// Parser state: payload bytes (with CRLF) left in the current bulk string, elements
	// left in each open aggregate, and bytes of the current top-level reply.
	bulkLeft   int64
	open       []int64
	replyBytes int64
}

func newRESPGuard(conn net.Conn) *respGuard { return &respGuard{Conn: conn} }

// Read implements net.Conn.
func (g *respGuard) Read(p []byte) (int, error) {
	for len(g.checked) == 0 {
		if g.limit != nil {
			return 0, g.limit
		}
		if g.readErr != nil {
			return 0, g.readErr
		}
		buf := make([]byte, 4096)
		n, err := g.Conn.Read(buf)
		g.pending = append(g.pending, buf[:n]...)
		g.readErr = err
		g.scan()
		if n == 0 && err == nil {
			return 0, nil
		}
	}
	n := copy(p, g.checked)
	g.checked = g.checked[n:]
	if len(g.checked) == 0 {
		g.checked = nil
	}
	return n, nil
}

// scan moves the bytes of pending that keep within the limits to checked.
func (g *respGuard) scan() {
	for len(g.pending) > 0 && g.limit == nil {
		if g.bulkLeft > 0 {
			n := min(int64(len(g.pending)), g.bulkLeft)
			g.pass(int(n))
			g.bulkLeft -= n
			if g.bulkLeft == 0 {
				g.elementDone()
			}
			continue
		}
		end := bytes.IndexByte(g.pending, '\n')
		if end < 0 {
			if len(g.pending) > MaxReplyLine {
				g.limit = &errReplyLimit{fmt.Sprintf("a line longer than %d bytes", MaxReplyLine)}
			}
			return
		}
		line := g.pending[:end+1]
		if end+1 > MaxReplyLine {
			g.limit = &errReplyLimit{fmt.Sprintf("a line longer than %d bytes", MaxReplyLine)}
			return
		}
		if err := g.header(line); err != nil {
			g.limit = err
			return
		}
		g.pass(end + 1)
	}
}

// pass moves n checked bytes from pending to checked and counts them against the reply.
func (g *respGuard) pass(n int) {
	g.checked = append(g.checked, g.pending[:n]...)
	g.pending = g.pending[n:]
	g.replyBytes += int64(n)
	if g.replyBytes > MaxReplyBytes {
		g.limit = &errReplyLimit{fmt.Sprintf("a reply larger than %d bytes", MaxReplyBytes)}
	}
}

// header checks one RESP header line and updates the parser state.
func (g *respGuard) header(line []byte) error {
	length := func() (int64, bool) {
		n, err := strconv.ParseInt(string(bytes.TrimRight(line[1:], "\r\n")), 10, 64)
		return n, err == nil
	}
	switch line[0] {
	case '$', '=', '!': // bulk string, verbatim string, bulk error
		n, ok := length()
		switch {
		case !ok || n < 0:
			g.elementDone() // a null, or garbage go-redis rejects itself
		case n > MaxBulkLength:
			return &errReplyLimit{fmt.Sprintf("a bulk string of %d bytes, more than %d", n, MaxBulkLength)}
		default:
			g.bulkLeft = n + 2
		}
	case '*', '~', '>', '%', '|': // array, set, push, map, attribute
		n, ok := length()
		if !ok || n <= 0 {
			g.elementDone()
			return nil
		}
		if n > MaxAggregateLength {
			return &errReplyLimit{fmt.Sprintf("an aggregate of %d elements, more than %d", n, MaxAggregateLength)}
		}
		if len(g.open) >= MaxReplyDepth {
			return &errReplyLimit{fmt.Sprintf("replies nested more than %d deep", MaxReplyDepth)}
		}
		switch line[0] {
		case '%':
			n *= 2
		case '|':
			// An attribute's pairs come before the reply they annotate, which completes it.
			n = 2*n + 1
		}
		g.open = append(g.open, n)
	default: // simple string, error, integer, null, double, boolean, big number
		g.elementDone()
	}
	return nil
}

// elementDone records one complete element: it completes the innermost open aggregate's
// element, and, when no aggregate is open any more, the reply.
func (g *respGuard) elementDone() {
	for len(g.open) > 0 {
		top := len(g.open) - 1
		g.open[top]--
		if g.open[top] > 0 {
			return
		}
		g.open = g.open[:top]
	}
	g.replyBytes = 0
}
