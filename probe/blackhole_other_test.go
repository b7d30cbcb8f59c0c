//go:build !linux

package probe

import "testing"

// blackHole is only built on Linux, where a full backlog-0 socket drops SYNs.
func blackHole(t testing.TB) int {
	t.Skip("the loopback black hole needs Linux")
	return 0
}

// refusingPort falls back to a port that was free a moment ago.
func refusingPort(t testing.TB) int { return freePort(t) }
