package checks

import (
	"fmt"
	"net/netip"
	"sort"
)

// privateRanges are the destinations Cloud Run's private-ranges-only egress sends through
// the VPC: RFC 1918 and RFC 6598 (shared address space). Anything else leaves through
// Google's internet egress and never reaches a private Redis.
var privateRanges = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("100.64.0.0/10"),
}

// isPrivateRoute reports whether private-ranges-only egress routes addr through the VPC.
func isPrivateRoute(addr netip.Addr) bool {
	for _, p := range privateRanges {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// memorystoreUnreachable is the range Memorystore for Redis cannot answer clients in: its
// troubleshooting page says an instance cannot be reached "from a Compute Engine VM that has
// an IP address in the 172.17.0.0/16 range", which "is reserved for an internal component".
var memorystoreUnreachable = netip.MustParsePrefix("172.17.0.0/16")

// memorystoreUnreachableSource is the page that says so.
const memorystoreUnreachableSource = "https://cloud.google.com/memorystore/docs/redis/troubleshoot-issues"

// unreachableFromMemorystore reports whether clients in prefix (a connector's /28, a Direct
// VPC subnet) have addresses in memorystoreUnreachable, and says so for a message.
func unreachableFromMemorystore(what string, prefix netip.Prefix) (string, bool) {
	if !prefix.Overlaps(memorystoreUnreachable) {
		return "", false
	}
	return fmt.Sprintf("%s %s has addresses in %s, which Memorystore for Redis reserves for an internal component: Redis cannot be reached from them (%s)",
		what, prefix, memorystoreUnreachable, memorystoreUnreachableSource), true
}

// connectorPools are where a free /28 is looked for, in order: 10.8.0.0 first (the range the
// Cloud console proposes for connectors), then the rest of RFC 1918, leaving out
// memorystoreUnreachable.
var connectorPools = []netip.Prefix{
	netip.MustParsePrefix("10.8.0.0/13"),
	netip.MustParsePrefix("10.16.0.0/12"),
	netip.MustParsePrefix("10.32.0.0/11"),
	netip.MustParsePrefix("10.64.0.0/10"),
	netip.MustParsePrefix("10.128.0.0/9"),
	netip.MustParsePrefix("10.0.0.0/13"),
	netip.MustParsePrefix("172.16.0.0/16"),
	netip.MustParsePrefix("172.18.0.0/15"),
	netip.MustParsePrefix("172.20.0.0/14"),
	netip.MustParsePrefix("172.24.0.0/13"),
	netip.MustParsePrefix("192.168.0.0/16"),
}

// interval is an inclusive IPv4 address range as integers.
type interval struct{ first, last uint32 }

func toInterval(p netip.Prefix) (interval, bool) {
	p = p.Masked()
	if !p.Addr().Is4() {
		return interval{}, false
	}
	b := p.Addr().As4()
	first := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	size := uint64(1) << (32 - p.Bits())
	return interval{first: first, last: uint32(uint64(first) + size - 1)}, true
}

func fromUint32(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// sortedIntervals turns prefixes into intervals sorted by first address.
func sortedIntervals(prefixes []netip.Prefix) []interval {
	out := make([]interval, 0, len(prefixes))
	for _, p := range prefixes {
		if iv, ok := toInterval(p); ok {
			out = append(out, iv)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].first < out[j].first })
	return out
}

// overlapping returns the indexes of used prefixes that overlap candidate.
func overlapping(candidate netip.Prefix, used []netip.Prefix) []int {
	var hits []int
	for i, u := range used {
		if candidate.Overlaps(u) {
			hits = append(hits, i)
		}
	}
	return hits
}

// freePrefix returns the first prefix of the given length, in pool order, that overlaps
// none of used. It walks the used ranges sorted by start, so it is O(n log n) in the number
// of ranges, whatever the size of the pools.
// (Candidates only move forward, so one pass over the sorted ranges per pool suffices.)
func freePrefix(used []netip.Prefix, bits int) (netip.Prefix, bool) {
	ivs := sortedIntervals(used)
	size := uint64(1) << (32 - bits)
	for _, pool := range connectorPools {
		poolIv, _ := toInterval(pool)
		candidate := uint64(poolIv.first)
		for _, iv := range ivs {
			if uint64(iv.first) > candidate+size-1 {
				break // sorted by start: nothing later can touch the candidate
			}
			if uint64(iv.last) >= candidate {
				// Move past this range, aligned to the prefix size.
				candidate = (uint64(iv.last) + size) / size * size
			}
		}
		if candidate+size-1 <= uint64(poolIv.last) {
			return netip.PrefixFrom(fromUint32(uint32(candidate)), bits), true
		}
	}
	return netip.Prefix{}, false
}
