package inventory

import (
	"fmt"
	"regexp"
	"strings"
)

// Resource names reach vpcdoctor in many spellings: short names ("default"), relative
// names ("projects/P/global/networks/N") and self links
// ("https://www.googleapis.com/compute/v1/projects/P/global/networks/N"). Every comparison
// goes through the Ref types below, whose String form is the one canonical spelling.

// NetworkRef names a VPC network.
type NetworkRef struct{ Project, Name string }

// String is the canonical relative name, projects/P/global/networks/N.
func (n NetworkRef) String() string {
	return "projects/" + n.Project + "/global/networks/" + n.Name
}

// IsZero reports whether the reference is empty.
func (n NetworkRef) IsZero() bool { return n.Name == "" }

// SubnetRef names a regional subnetwork.
type SubnetRef struct{ Project, Region, Name string }

// String is the canonical relative name, projects/P/regions/R/subnetworks/S.
func (s SubnetRef) String() string {
	return "projects/" + s.Project + "/regions/" + s.Region + "/subnetworks/" + s.Name
}

// ConnectorRef names a Serverless VPC Access connector.
type ConnectorRef struct{ Project, Region, Name string }

// String is the canonical relative name, projects/P/locations/R/connectors/C.
func (c ConnectorRef) String() string {
	return "projects/" + c.Project + "/locations/" + c.Region + "/connectors/" + c.Name
}

// IsZero reports whether the reference is empty.
func (c ConnectorRef) IsZero() bool { return c.Name == "" }

// LocationRef names a regional resource under projects/P/locations/R/COLLECTION/NAME:
// a Cloud Run service, a Redis instance, a revision.
type LocationRef struct{ Project, Region, Collection, Name string }

// String is the canonical relative name, or "" for the zero reference (no resource chosen).
func (l LocationRef) String() string {
	if l == (LocationRef{}) {
		return ""
	}
	return "projects/" + l.Project + "/locations/" + l.Region + "/" + l.Collection + "/" + l.Name
}

// RelativeName strips the scheme, host and API version of a self link, leaving the
// relative name that starts at "projects/"; white space around a name is never part of it.
func RelativeName(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
		if j := strings.Index(s, "/projects/"); j >= 0 {
			s = s[j+1:]
		}
	}
	// What is left is the relative name; white space around it is never part of a name.
	return strings.TrimSpace(strings.TrimPrefix(s, "/"))
}

// collection returns the place in nameSegments of a key segment of Google resource
// names; ok is false for any other segment ("global" has no value).
func collection(segment string) (i int, ok bool) {
	switch segment {
	case "projects":
		return 0, true
	case "locations":
		return 1, true
	case "regions":
		return 2, true
	case "zones":
		return 3, true
	case "networks":
		return 4, true
	case "subnetworks":
		return 5, true
	case "connectors":
		return 6, true
	case "instances":
		return 7, true
	case "services":
		return 8, true
	case "revisions":
		return 9, true
	case "clusters":
		return 10, true
	case "firewalls":
		return 11, true
	}
	return 0, false
}

// nameSegments holds the value of each collection segment of a relative name, in the
// order of collection; "" for a collection the name does not have.
type nameSegments [12]string

// get returns the value of a collection's segment, "" when the name has none.
func (kv *nameSegments) get(key string) string {
	if i, ok := collection(key); ok {
		return kv[i]
	}
	return ""
}

// segments splits a relative name into collection/value pairs: projects/P/regions/R/...
// gives projects P, regions R, ...; segments such as "global" are passed over. It
// allocates nothing: every comparison of names goes through it.
func segments(rel string) nameSegments {
	var kv nameSegments
	rest, more := rel, true
	for more {
		var part string
		part, rest, more = strings.Cut(rest, "/")
		i, ok := collection(part)
		if !ok || !more {
			continue
		}
		var v string
		v, rest, more = strings.Cut(rest, "/")
		// A value with surrounding white space is no name: keeping it would give a
		// canonical string that does not parse back to itself.
		if v != "" && strings.TrimSpace(v) == v {
			kv[i] = v
		}
	}
	return kv
}

// ParseNetwork normalises a network name. A short name takes defaultProject.
func ParseNetwork(s, defaultProject string) (NetworkRef, error) {
	rel := RelativeName(s)
	if rel == "" {
		return NetworkRef{}, fmt.Errorf("empty network name")
	}
	if !strings.Contains(rel, "/") {
		return NetworkRef{Project: defaultProject, Name: rel}, nil
	}
	kv := segments(rel)
	name := kv.get("networks")
	if name == "" {
		return NetworkRef{}, fmt.Errorf("network %q: want NAME, projects/P/global/networks/NAME or a self link", s)
	}
	project := kv.get("projects")
	if project == "" {
		project = defaultProject
	}
	return NetworkRef{Project: project, Name: name}, nil
}

// regionalName is the parsed form shared by subnetworks and connectors: project, region
// and name, with the defaults filled in for what the spelling left out.
type regionalName struct{ project, region, name string }

// parseRegional parses NAME, a relative name or a self link whose region sits under
// regionKey ("regions" or "locations") and whose name under collection.
func parseRegional(s, defaultProject, defaultRegion, regionKey, collection, kind, form string) (regionalName, error) {
	rel := RelativeName(s)
	if rel == "" {
		return regionalName{}, fmt.Errorf("empty %s name", kind)
	}
	if !strings.Contains(rel, "/") {
		return regionalName{defaultProject, defaultRegion, rel}, nil
	}
	kv := segments(rel)
	ref := regionalName{kv.get("projects"), kv.get(regionKey), kv.get(collection)}
	if ref.name == "" {
		return regionalName{}, fmt.Errorf("%s %q: want NAME, %s or a self link", kind, s, form)
	}
	if ref.project == "" {
		ref.project = defaultProject
	}
	if ref.region == "" {
		ref.region = defaultRegion
	}
	return ref, nil
}

// ParseSubnet normalises a subnetwork name. A short name takes the defaults.
func ParseSubnet(s, defaultProject, defaultRegion string) (SubnetRef, error) {
	n, err := parseRegional(s, defaultProject, defaultRegion, "regions", "subnetworks", "subnetwork", "projects/P/regions/R/subnetworks/NAME")
	return SubnetRef{Project: n.project, Region: n.region, Name: n.name}, err
}

// ParseConnector normalises a connector name. A short name takes the project and region of
// the service that refers to it. A name with a project but no locations segment
// (projects/P/connectors/C, seen in the wild) takes the default region.
func ParseConnector(s, defaultProject, defaultRegion string) (ConnectorRef, error) {
	n, err := parseRegional(s, defaultProject, defaultRegion, "locations", "connectors", "connector", "projects/P/locations/R/connectors/NAME")
	return ConnectorRef{Project: n.project, Region: n.region, Name: n.name}, err
}

// ParseLocation parses projects/P/locations/R/COLLECTION/NAME (or its self link).
func ParseLocation(s, collection string) (LocationRef, error) {
	kv := segments(RelativeName(s))
	ref := LocationRef{Project: kv.get("projects"), Region: kv.get("locations"), Collection: collection, Name: kv.get(collection)}
	if ref.Project == "" || ref.Region == "" || ref.Name == "" {
		return LocationRef{}, fmt.Errorf("%q is not a name of the form projects/P/locations/R/%s/NAME", s, collection)
	}
	return ref, nil
}

// RegionFromZone turns a zone (us-central1-a) into its region (us-central1); a region
// is returned unchanged. Zone names are REGION-LETTER, regions end in a digit.
func RegionFromZone(zone string) string {
	zone = strings.TrimSpace(zone)
	if i := strings.LastIndexByte(zone, '/'); i >= 0 {
		zone = zone[i+1:]
	}
	i := strings.LastIndexByte(zone, '-')
	if i < 0 || i == len(zone)-1 {
		return zone
	}
	suffix := zone[i+1:]
	if len(suffix) == 1 && suffix[0] >= 'a' && suffix[0] <= 'z' {
		return zone[:i]
	}
	return zone
}

// RegionOf returns the region of a compute self link or relative name that carries a
// regions/R or zones/Z segment, or "" when it has neither.
func RegionOf(s string) string {
	kv := segments(RelativeName(s))
	if r := kv.get("regions"); r != "" {
		return r
	}
	if r := kv.get("locations"); r != "" {
		return RegionFromZone(r)
	}
	if z := kv.get("zones"); z != "" {
		return RegionFromZone(z)
	}
	if strings.Contains(s, "/") {
		return ""
	}
	return RegionFromZone(s)
}

// IsProjectNumber reports whether a project name is a project number (all digits), as
// gcloud prints it for a Knative service's namespace, rather than a project id (which
// starts with a letter).
func IsProjectNumber(s string) bool { return numericRe.MatchString(s) }

var numericRe = regexp.MustCompile(`^[0-9]+$`)

// ProjectOf returns the project segment of a name, or "".
func ProjectOf(s string) string {
	kv := segments(RelativeName(s))
	return kv.get("projects")
}
