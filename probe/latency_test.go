package probe

import (
	"testing"
	"time"
)

func TestLatencyStats(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	var samples []time.Duration
	for i := 100; i >= 1; i-- { // 100 ms down to 1 ms, unsorted on purpose
		samples = append(samples, ms(i))
	}
	got := NewLatencyStats(samples)
	want := LatencyStats{Count: 100, Min: ms(1), P50: ms(50), P90: ms(90), P99: ms(99), Max: ms(100)}
	if got != want {
		t.Errorf("NewLatencyStats = %+v, want %+v", got, want)
	}
	if samples[0] != ms(100) {
		t.Error("NewLatencyStats sorted its input")
	}
	if s := got.String(); s != "count=100 min=1.000ms p50=50.000ms p99=99.000ms max=100.000ms p90=90.000ms" {
		t.Errorf("String() = %q", s)
	}
}

func TestLatencyStatsSmallCounts(t *testing.T) {
	if got := NewLatencyStats(nil); got != (LatencyStats{}) {
		t.Errorf("no samples: %+v", got)
	}
	one := NewLatencyStats([]time.Duration{42 * time.Microsecond})
	if one.P50 != 42*time.Microsecond || one.P99 != 42*time.Microsecond {
		t.Errorf("one sample: %+v", one)
	}
	two := NewLatencyStats([]time.Duration{time.Millisecond, 3 * time.Millisecond})
	if two.P50 != time.Millisecond || two.P99 != 3*time.Millisecond {
		t.Errorf("two samples: %+v", two)
	}
}
