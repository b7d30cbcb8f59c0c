package checks

import "time"

// Option tunes one run of the catalogue (see Run).
type Option func(*runConfig)

// runConfig is what the options of one run set.
type runConfig struct {
	// now is the clock the run reads once, before its first check: the instant every
	// time-relative check (a Check with RunAt) is judged at.
	now func() time.Time
}

// WithClock makes a run read its instant from now instead of the wall clock. Checks are
// pure functions of an inventory, and snapshots carry no capture time, so the wall clock
// is the honest reference for live runs and fresh snapshots; tests pass a fixed clock (At)
// so their outcomes do not depend on the day they run.
func WithClock(now func() time.Time) Option {
	return func(c *runConfig) {
		if now != nil {
			c.now = now
		}
	}
}

// At pins a run's clock at t.
func At(t time.Time) Option {
	return WithClock(func() time.Time { return t })
}

func newRunConfig(opts []Option) runConfig {
	c := runConfig{now: time.Now}
	for _, opt := range opts {
		opt(&c)
	}
	return c
}
