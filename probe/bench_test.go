package probe

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// openSession connects to a loopback server the way the probe does and returns the Redis
// session over that connection.
func openSession(b *testing.B, port int) *session {
	b.Helper()
	conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
	if err != nil {
		b.Fatal(err)
	}
	s := newSession(conn, time.Second)
	b.Cleanup(s.close)
	if _, _, err := s.ping(context.Background()); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkPing measures the probe's PING round trip on loopback: ns/op is the mean, and
// the p50 and p99 of the same samples are reported alongside.
func BenchmarkPing(b *testing.B) {
	server := startRedis(b, plainPort)
	s := openSession(b, server.port)
	ctx := context.Background()
	var samples []time.Duration
	for b.Loop() {
		_, elapsed, err := s.ping(ctx)
		if err != nil {
			b.Fatal(err)
		}
		samples = append(samples, elapsed)
	}
	stats := NewLatencyStats(samples)
	b.ReportMetric(float64(stats.P50.Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(stats.P99.Nanoseconds()), "p99-ns")
}

// BenchmarkPingVsRedisTools compares, on one loopback server in one run, the probe's
// latency statistics with redis-cli --latency and redis-benchmark. It takes about 25 s;
// run it with -bench PingVsRedisTools -benchtime 1x. redis-cli --latency sleeps 10 ms
// between PINGs, so the probe is also measured paced the same way.
func BenchmarkPingVsRedisTools(b *testing.B) {
	for _, tool := range []string{"redis-cli", "redis-benchmark"} {
		if _, err := exec.LookPath(tool); err != nil {
			b.Skipf("%s is not on PATH (Debian package redis-tools)", tool)
		}
	}
	server := startRedis(b, plainPort)
	port := strconv.Itoa(server.port)
	ctx := context.Background()

	// The probe as it runs: back-to-back PINGs on one connection.
	findings := Run(ctx, Options{Host: "127.0.0.1", Port: server.port, Count: 20000}, nil)
	b.Logf("probe (20000 back-to-back): %s", findings[4].Message)
	backToBack := parseStats(b, findings[4].Message)

	// The probe paced like redis-cli --latency: one PING every 10 ms for 10 s.
	paced := Run(ctx, Options{Host: "127.0.0.1", Port: server.port, Count: 1000, Interval: 10 * time.Millisecond}, nil)
	b.Logf("probe (--count 1000 --interval 10ms): %s", paced[4].Message)
	pacedStats := parseStats(b, paced[4].Message)

	// redis-cli --latency, output not a terminal: "min max avg samples" after -i seconds.
	// redis-cli 7.0 times each PING in whole milliseconds (min and max print as 0 and 1),
	// so only its average, the mean of those truncated samples, estimates the latency.
	out, err := exec.Command("redis-cli", "-p", port, "--latency", "-i", "10").Output()
	if err != nil {
		b.Fatalf("redis-cli --latency: %v", err)
	}
	fields := strings.Fields(string(out))
	if len(fields) != 4 {
		b.Fatalf("redis-cli --latency printed %q", out)
	}
	cliAvg, _ := strconv.ParseFloat(fields[2], 64)
	b.Logf("redis-cli --latency -i 10: min=%sms max=%sms avg=%sms samples=%s", fields[0], fields[1], fields[2], fields[3])

	bench50 := runRedisBenchmark(b, port, "50")
	bench1 := runRedisBenchmark(b, port, "1")

	b.ReportMetric(float64(backToBack.P50.Microseconds()), "probe-p50-µs")
	b.ReportMetric(float64(backToBack.P99.Microseconds()), "probe-p99-µs")
	b.ReportMetric(float64(pacedStats.P50.Microseconds()), "probe-paced-p50-µs")
	b.ReportMetric(cliAvg*1000, "redis-cli-avg-µs")
	b.ReportMetric(bench1*1000, "redis-benchmark-c1-p50-µs")
	b.ReportMetric(bench50*1000, "redis-benchmark-c50-p50-µs")
}

// runRedisBenchmark runs redis-benchmark -t ping -n 20000 -P 1 with the given number of
// clients and returns the p50 of its PING_MBULK latency summary, in milliseconds.
func runRedisBenchmark(b *testing.B, port, clients string) float64 {
	b.Helper()
	out, err := exec.Command("redis-benchmark", "-p", port, "-t", "ping", "-n", "20000", "-P", "1", "-c", clients).CombinedOutput()
	if err != nil {
		b.Fatalf("redis-benchmark: %v\n%s", err, out)
	}
	// The summary block: "avg min p50 p95 p99 max" then the values; the last one is PING_MBULK.
	summary := regexp.MustCompile(`(?m)^\s+avg\s+min\s+p50\s+p95\s+p99\s+max\s*\n\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)`)
	matches := summary.FindAllStringSubmatch(string(out), -1)
	if len(matches) == 0 {
		b.Fatalf("no latency summary in redis-benchmark output:\n%s", out)
	}
	last := matches[len(matches)-1]
	b.Logf("redis-benchmark -t ping -n 20000 -P 1 -c %s: avg=%sms min=%sms p50=%sms p95=%sms p99=%sms max=%sms",
		clients, last[1], last[2], last[3], last[4], last[5], last[6])
	p50, _ := strconv.ParseFloat(last[3], 64)
	return p50
}

// parseStats reads back the stable statistics format from a probe.latency message.
func parseStats(b *testing.B, message string) LatencyStats {
	b.Helper()
	var stats LatencyStats
	var minMS, p50MS, p99MS, maxMS float64
	i := strings.Index(message, "count=")
	if i < 0 {
		b.Fatalf("no statistics in %q", message)
	}
	if _, err := fmt.Sscanf(message[i:], "count=%d min=%fms p50=%fms p99=%fms max=%fms", &stats.Count, &minMS, &p50MS, &p99MS, &maxMS); err != nil {
		b.Fatalf("parse %q: %v", message, err)
	}
	ms := func(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }
	stats.Min, stats.P50, stats.P99, stats.Max = ms(minMS), ms(p50MS), ms(p99MS), ms(maxMS)
	return stats
}
