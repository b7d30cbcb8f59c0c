package inventory

import "testing"

func TestParseNetwork(t *testing.T) {
	tests := []struct{ in, project, want string }{
		{"default", "my-project", "projects/my-project/global/networks/default"},
		{"projects/host/global/networks/prod", "my-project", "projects/host/global/networks/prod"},
		{"https://www.googleapis.com/compute/v1/projects/host/global/networks/prod", "x", "projects/host/global/networks/prod"},
		{"https://compute.googleapis.com/compute/beta/projects/host/global/networks/prod", "x", "projects/host/global/networks/prod"},
		{"global/networks/prod", "my-project", "projects/my-project/global/networks/prod"},
		{"  default  ", "p", "projects/p/global/networks/default"},
	}
	for _, tt := range tests {
		got, err := ParseNetwork(tt.in, tt.project)
		if err != nil || got.String() != tt.want {
			t.Errorf("ParseNetwork(%q, %q) = %v, %v; want %s", tt.in, tt.project, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "projects/p/regions/r/subnetworks/s"} {
		if got, err := ParseNetwork(bad, "p"); err == nil {
			t.Errorf("ParseNetwork(%q) = %v, want error", bad, got)
		}
	}
}

func TestParseConnector(t *testing.T) {
	tests := []struct{ in, project, region, want string }{
		{"redis-connector", "my-project", "us-central1", "projects/my-project/locations/us-central1/connectors/redis-connector"},
		{"projects/host/locations/europe-west1/connectors/c1", "my-project", "us-central1", "projects/host/locations/europe-west1/connectors/c1"},
		{"https://vpcaccess.googleapis.com/v1/projects/host/locations/europe-west1/connectors/c1", "x", "y", "projects/host/locations/europe-west1/connectors/c1"},
		// Seen in the wild: no locations segment; the region comes from the service.
		{"projects/prod-network/connectors/serverless-vpc", "my-project", "us-central1", "projects/prod-network/locations/us-central1/connectors/serverless-vpc"},
	}
	for _, tt := range tests {
		got, err := ParseConnector(tt.in, tt.project, tt.region)
		if err != nil || got.String() != tt.want {
			t.Errorf("ParseConnector(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
	if _, err := ParseConnector("projects/p/locations/r", "p", "r"); err == nil {
		t.Error("ParseConnector accepted a name without a connector")
	}
}

func TestParseSubnet(t *testing.T) {
	tests := []struct{ in, project, region, want string }{
		{"default", "p", "us-central1", "projects/p/regions/us-central1/subnetworks/default"},
		{"projects/host/regions/us-east1/subnetworks/s1", "p", "r", "projects/host/regions/us-east1/subnetworks/s1"},
		{"https://www.googleapis.com/compute/v1/projects/host/regions/us-east1/subnetworks/s1", "p", "r", "projects/host/regions/us-east1/subnetworks/s1"},
		{"regions/us-east1/subnetworks/s1", "p", "r", "projects/p/regions/us-east1/subnetworks/s1"},
	}
	for _, tt := range tests {
		got, err := ParseSubnet(tt.in, tt.project, tt.region)
		if err != nil || got.String() != tt.want {
			t.Errorf("ParseSubnet(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

func TestParseLocation(t *testing.T) {
	got, err := ParseLocation("projects/p/locations/us-east1/instances/my-redis", "instances")
	if err != nil || got.Name != "my-redis" || got.Region != "us-east1" || got.Project != "p" {
		t.Errorf("ParseLocation = %+v, %v", got, err)
	}
	if _, err := ParseLocation("my-redis", "instances"); err == nil {
		t.Error("ParseLocation accepted a short name")
	}
}

func TestRegions(t *testing.T) {
	for in, want := range map[string]string{
		"us-central1-a":   "us-central1",
		"us-central1":     "us-central1",
		"europe-west4-c":  "europe-west4",
		"asia-southeast1": "asia-southeast1",
		"https://www.googleapis.com/compute/v1/projects/p/zones/us-east1-b": "us-east1",
	} {
		if got := RegionFromZone(in); got != want {
			t.Errorf("RegionFromZone(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"https://www.googleapis.com/compute/v1/projects/p/regions/us-central1":                     "us-central1",
		"https://www.googleapis.com/compute/v1/projects/p/regions/us-central1/subnetworks/default": "us-central1",
		"projects/p/locations/europe-west1/connectors/c":                                           "europe-west1",
		"us-east1-b":                         "us-east1",
		"projects/p/global/networks/default": "",
	} {
		if got := RegionOf(in); got != want {
			t.Errorf("RegionOf(%q) = %q, want %q", in, got, want)
		}
	}
}
