// Package inputtest holds what the tests of vpcdoctor's loaders assert about bad input: a
// loader ends in a one-line error naming the file, never a panic, a hang or unbounded
// memory. It is generic in the loader's error type, so the inventory's own tests can use it
// without an import cycle.
package inputtest

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// Budget bounds one fuzz input: a loader that takes longer on a few KiB is a hang to fix.
const Budget = 2 * time.Second

// Timed fails the test when fn takes longer than Budget.
func Timed(t testing.TB, fn func()) {
	t.Helper()
	start := time.Now()
	fn()
	if elapsed := time.Since(start); elapsed > Budget {
		t.Fatalf("took %v, more than %v", elapsed, Budget)
	}
}

// LoadError asserts the invariants of a loader's error, which may be nil: an E, one line,
// starting with path.
func LoadError[E error](t testing.TB, err error, path string) {
	t.Helper()
	if err == nil {
		return
	}
	var inErr E
	if !errors.As(err, &inErr) {
		t.Fatalf("error %v (%T) is not an %T", err, err, inErr)
	}
	if msg := err.Error(); strings.ContainsAny(msg, "\r\n") || !strings.HasPrefix(msg, path) {
		t.Fatalf("error %q is not one line naming %s", msg, path)
	}
}

// WantError asserts that err is a one-line E that names path first and says want.
func WantError[E error](t testing.TB, name string, err error, path, want string) {
	t.Helper()
	var inErr E
	if !errors.As(err, &inErr) {
		t.Errorf("%s: error %v, want an %T", name, err, inErr)
		return
	}
	if msg := err.Error(); !strings.HasPrefix(msg, path) || !strings.Contains(msg, want) || strings.ContainsAny(msg, "\r\n") {
		t.Errorf("%s: %q, want one line naming %s with %q", name, err, path, want)
	}
}
