package checks

import "time"

// now is the clock the time-relative checks (redis.maintenance, redis.tls) read. Checks are
// pure functions of an inventory, and snapshots carry no capture time, so the wall clock is
// the honest reference for live runs and fresh snapshots; tests pin it (export_test.go) so
// their outcomes do not depend on the day they run.
var now = time.Now
