package checks

import (
	"net/netip"
	"testing"
)

func prefixes(t *testing.T, list ...string) []netip.Prefix {
	t.Helper()
	var out []netip.Prefix
	for _, s := range list {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}

func TestFreePrefix(t *testing.T) {
	tests := []struct {
		name string
		used []string
		want string
	}{
		{"empty network", nil, "10.8.0.0/28"},
		{"first /28 taken", []string{"10.8.0.0/28"}, "10.8.0.16/28"},
		{"unaligned small range", []string{"10.8.0.4/30"}, "10.8.0.16/28"},
		{"covering range", []string{"10.8.0.0/16"}, "10.9.0.0/28"},
		{"nested ranges sorted by start", []string{"10.8.0.0/24", "10.8.0.16/28", "10.8.1.0/28"}, "10.8.1.16/28"},
		{"wide range then narrow inside", []string{"10.8.0.0/20", "10.8.0.32/28"}, "10.8.16.0/28"},
		{"first pool exhausted", []string{"10.8.0.0/13"}, "10.16.0.0/28"},
		{"all of 10/8 used", []string{"10.0.0.0/8"}, "172.16.0.0/28"},
		// Memorystore cannot answer clients in 172.17.0.0/16: the search skips it.
		{"all of 10/8 and 172.16/16 used", []string{"10.0.0.0/8", "172.16.0.0/16"}, "172.18.0.0/28"},
		{"ranges outside pools ignored", []string{"192.168.0.0/24", "100.64.0.0/10"}, "10.8.0.0/28"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := freePrefix(prefixes(t, tt.used...), 28)
			if !ok || got.String() != tt.want {
				t.Fatalf("freePrefix = %v, %v; want %s", got, ok, tt.want)
			}
			for _, u := range prefixes(t, tt.used...) {
				if got.Overlaps(u) {
					t.Fatalf("%s overlaps used %s", got, u)
				}
			}
		})
	}
}

func TestFreePrefixNoneLeft(t *testing.T) {
	if got, ok := freePrefix(prefixes(t, "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"), 28); ok {
		t.Fatalf("freePrefix found %s in fully used space", got)
	}
}

func TestIsPrivateRoute(t *testing.T) {
	for addr, want := range map[string]bool{
		"10.0.0.3": true, "172.16.5.4": true, "172.31.255.255": true, "192.168.1.1": true,
		"100.64.0.1": true, "100.127.255.254": true,
		"172.32.0.1": false, "11.0.0.3": false, "100.128.0.1": false, "8.8.8.8": false, "192.169.0.1": false,
	} {
		if got := isPrivateRoute(netip.MustParseAddr(addr)); got != want {
			t.Errorf("isPrivateRoute(%s) = %v, want %v", addr, got, want)
		}
	}
}

func TestUnreachableFromMemorystore(t *testing.T) {
	for cidr, want := range map[string]bool{
		"172.17.0.0/28": true, "172.17.255.240/28": true, "172.16.0.0/12": true,
		"172.16.255.240/28": false, "172.18.0.0/28": false, "10.8.0.0/28": false,
	} {
		if _, got := unreachableFromMemorystore("range", netip.MustParsePrefix(cidr)); got != want {
			t.Errorf("unreachableFromMemorystore(%s) = %v, want %v", cidr, got, want)
		}
	}
	for _, pool := range connectorPools {
		if pool.Overlaps(memorystoreUnreachable) {
			t.Errorf("pool %s overlaps %s", pool, memorystoreUnreachable)
		}
	}
}
