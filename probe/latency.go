package probe

import (
	"fmt"
	"slices"
	"time"
)

// HighLatencyP50 is the PING median above which probe.latency warns. Inside one region a
// Memorystore round trip is well under a millisecond, even through a connector.
const HighLatencyP50 = 5 * time.Millisecond

// LatencyStats summarises PING round trips on one connection.
type LatencyStats struct {
	// Count is the number of round trips measured.
	Count int
	// Min, P50, P90, P99 and Max are the fastest, median, 90th- and 99th-percentile and
	// slowest round trips.
	Min, P50, P90, P99, Max time.Duration
}

// NewLatencyStats computes the statistics of the samples with the nearest-rank method.
// It does not modify samples.
func NewLatencyStats(samples []time.Duration) LatencyStats {
	if len(samples) == 0 {
		return LatencyStats{}
	}
	sorted := slices.Clone(samples)
	slices.Sort(sorted)
	return LatencyStats{
		Count: len(sorted),
		Min:   sorted[0],
		P50:   nearestRank(sorted, 50),
		P90:   nearestRank(sorted, 90),
		P99:   nearestRank(sorted, 99),
		Max:   sorted[len(sorted)-1],
	}
}

// nearestRank is the p-th percentile of sorted samples: the smallest sample with at
// least p% of the samples at or below it.
func nearestRank(sorted []time.Duration, p int) time.Duration {
	rank := (p*len(sorted) + 99) / 100 // ceil(p/100 * n)
	return sorted[max(rank, 1)-1]
}

// String is the stable form the probe.latency message carries, for example
// "count=100 min=0.081ms p50=0.095ms p99=0.210ms max=0.250ms p90=0.150ms". Runbooks may
// parse it: fields are only ever appended (p90 came last so that a parser of the first
// five keeps working).
func (s LatencyStats) String() string {
	return fmt.Sprintf("count=%d min=%s p50=%s p99=%s max=%s p90=%s",
		s.Count, millis(s.Min), millis(s.P50), millis(s.P99), millis(s.Max), millis(s.P90))
}

// millis formats a duration as milliseconds with microsecond precision, e.g. "0.095ms".
func millis(d time.Duration) string {
	return fmt.Sprintf("%.3fms", float64(d)/float64(time.Millisecond))
}
