package checks

import "time"

// SetNow pins the checks' clock for a test and returns the function that restores it.
func SetNow(t time.Time) (restore func()) {
	previous := now
	now = func() time.Time { return t }
	return func() { now = previous }
}
