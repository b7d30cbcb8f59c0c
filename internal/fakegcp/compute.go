package fakegcp

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

const computeDefaultPageSize = 500

// computeHandler serves the Compute Engine REST paths vpcdoctor reads.
func (s *Server) computeHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /compute/v1/projects/{project}/global/networks/{network}", s.computeCall(GetNetwork, s.getNetwork))
	mux.HandleFunc("GET /compute/v1/projects/{project}/global/networks/{network}/getEffectiveFirewalls", s.computeCall(GetEffectiveFirewalls, s.getEffectiveFirewalls))
	mux.HandleFunc("GET /compute/v1/projects/{project}/regions/{region}/firewallPolicies/getEffectiveFirewalls", s.computeCall(GetRegionEffectiveFirewalls, s.getRegionEffectiveFirewalls))
	mux.HandleFunc("GET /compute/v1/projects/{project}/regions/{region}/subnetworks", s.computeCall(ListSubnetworks, s.listSubnetworks))
	mux.HandleFunc("GET /compute/v1/projects/{project}/aggregated/subnetworks", s.computeCall(AggregatedListSubnetworks, s.aggregatedSubnetworks))
	mux.HandleFunc("GET /compute/v1/projects/{project}/global/firewalls", s.computeCall(ListFirewalls, s.listFirewalls))
	mux.HandleFunc("GET /compute/v1/projects/{project}/global/addresses", s.computeCall(ListGlobalAddresses, s.listGlobalAddresses))
	mux.HandleFunc("GET /compute/v1/projects/{project}/aggregated/routers", s.computeCall(AggregatedListRouters, s.aggregatedRouters))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeGoogleError(w, http.StatusNotFound, fmt.Sprintf("fakegcp does not serve %s %s", r.Method, r.URL.Path))
	})
	return mux
}

// computeHandlerFunc answers one request with a message, or an HTTP status and message.
type computeHandlerFunc func(r *http.Request) (proto.Message, int, string)

func (s *Server) computeCall(method string, handle computeHandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		fault, err := s.begin(r.Context(), method)
		if err != nil {
			return // the client is gone
		}
		if fault.Status != 0 {
			writeGoogleError(w, fault.Status, faultMessage(method, fault.Status))
			return
		}
		if fault.EndlessBody {
			writeEndlessBody(r.Context(), w)
			return
		}
		if fault.EndlessPages {
			// The request's token is one the fake made up: answer as for the first page.
			query := r.URL.Query()
			query.Del("pageToken")
			r = r.Clone(r.Context())
			r.URL.RawQuery = query.Encode()
		}
		msg, code, text := handle(r)
		if msg != nil && fault.EndlessPages {
			endlessPage(msg, s.nextEndlessToken())
		}
		if msg == nil {
			writeGoogleError(w, code, text)
			return
		}
		data, err := protojson.Marshal(msg)
		if err != nil {
			writeGoogleError(w, http.StatusInternalServerError, err.Error())
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		_, _ = w.Write(data)
	}
}

// writeEndlessBody starts a JSON listing and never ends it, until the client goes away.
func writeEndlessBody(ctx context.Context, w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	if _, err := io.WriteString(w, `{"kind": "compute#firewallList", "items": [`); err != nil {
		return
	}
	chunk := []byte(strings.Repeat(`{"kind": "compute#firewall", "name": "padding"}, `, 1024))
	for ctx.Err() == nil {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

// writeGoogleError writes the JSON error body Google's REST APIs send, which the client
// library parses into a googleapi.Error.
func writeGoogleError(w http.ResponseWriter, code int, message string) {
	reason := map[int]string{
		http.StatusForbidden:          "forbidden",
		http.StatusNotFound:           "notFound",
		http.StatusTooManyRequests:    "rateLimitExceeded",
		http.StatusServiceUnavailable: "backendError",
		http.StatusBadRequest:         "invalid",
	}[code]
	body := map[string]any{"error": map[string]any{
		"code":    code,
		"message": message,
		"errors":  []map[string]any{{"message": message, "domain": "global", "reason": reason}},
	}}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}

func (s *Server) recordedProblem(kind inventory.Kind, name string) (int, string, bool) {
	code, why, ok := s.data.problem(kind, name)
	if !ok {
		return 0, "", false
	}
	return httpStatus(code), why, true
}

func (s *Server) getNetwork(r *http.Request) (proto.Message, int, string) {
	ref := inventory.NetworkRef{Project: r.PathValue("project"), Name: r.PathValue("network")}
	if status, text, ok := s.recordedProblem(inventory.KindNetwork, ref.String()); ok {
		return nil, status, text
	}
	n, ok := s.data.networks[ref.String()]
	if !ok {
		return nil, http.StatusNotFound, fmt.Sprintf("The resource '%s' was not found", ref)
	}
	return proto.Clone(n), 0, ""
}

// getEffectiveFirewalls answers with the firewall policies the snapshot holds for the
// network (those of a file that names no network apply to every network) and the
// network's VPC firewall rules, as the API does.
func (s *Server) getEffectiveFirewalls(r *http.Request) (proto.Message, int, string) {
	ref := inventory.NetworkRef{Project: r.PathValue("project"), Name: r.PathValue("network")}
	if status, text, ok := s.recordedProblem(inventory.KindFirewallPolicy, ref.String()); ok {
		return nil, status, text
	}
	policies, known := s.data.policies[ref.String()]
	if !known {
		policies, known = s.data.policies[""]
	}
	if _, exists := s.data.networks[ref.String()]; !exists && !known {
		return nil, http.StatusNotFound, fmt.Sprintf("The resource '%s' was not found", ref)
	}
	response := &computepb.NetworksGetEffectiveFirewallsResponse{FirewallPolicys: cloneAll(policies)}
	for _, fw := range s.data.firewalls[ref.Project] {
		if net, err := inventory.ParseNetwork(fw.GetNetwork(), ref.Project); err == nil && net == ref {
			response.Firewalls = append(response.Firewalls, proto.Clone(fw).(*computepb.Firewall))
		}
	}
	return response, 0, ""
}

// getRegionEffectiveFirewalls answers regionNetworkFirewallPolicies.getEffectiveFirewalls
// as the API does: the hierarchical and global network policies of the network's global
// answer, the regional ones the snapshot holds for the network and region (a snapshot
// without a regional answer is served as a region without regional policies), and the
// network's VPC firewall rules. A policy in both answers is listed once.
func (s *Server) getRegionEffectiveFirewalls(r *http.Request) (proto.Message, int, string) {
	project, region := r.PathValue("project"), r.PathValue("region")
	param := r.URL.Query().Get("network")
	if param == "" {
		return nil, http.StatusBadRequest, "Required field 'network' not specified"
	}
	ref, err := inventory.ParseNetwork(param, project)
	if err != nil {
		return nil, http.StatusBadRequest, fmt.Sprintf("Invalid value for field 'network': '%s'", param)
	}
	if status, text, ok := s.recordedProblem(inventory.KindFirewallPolicy, inventory.RegionalPoliciesName(ref, region)); ok {
		return nil, status, text
	}
	global, globalKnown := s.data.policies[ref.String()]
	if !globalKnown {
		global, globalKnown = s.data.policies[""]
	}
	var regional []*computepb.NetworksGetEffectiveFirewallsResponseEffectiveFirewallPolicy
	regionalKnown := false
	for _, key := range []string{ref.String() + "|" + region, ref.String() + "|", "|" + region, "|"} {
		if regional, regionalKnown = s.data.regional[key]; regionalKnown {
			break
		}
	}
	if _, exists := s.data.networks[ref.String()]; !exists && !globalKnown && !regionalKnown {
		return nil, http.StatusNotFound, fmt.Sprintf("The resource '%s' was not found", ref)
	}
	response := &computepb.RegionNetworkFirewallPoliciesGetEffectiveFirewallsResponse{}
	seen := map[string]bool{}
	for _, list := range [][]*computepb.NetworksGetEffectiveFirewallsResponseEffectiveFirewallPolicy{global, regional} {
		for _, p := range list {
			key := strings.ToUpper(p.GetType()) + "|" + p.GetName()
			if p.GetName() == "" {
				key += "|display:" + p.GetDisplayName()
			}
			if seen[key] {
				continue
			}
			seen[key] = true
			// The regional answer's policy type has no shortName.
			response.FirewallPolicys = append(response.FirewallPolicys, &computepb.RegionNetworkFirewallPoliciesGetEffectiveFirewallsResponseEffectiveFirewallPolicy{
				DisplayName: p.DisplayName, Name: p.Name, Priority: p.Priority, Type: p.Type,
				Rules: cloneAll(p.GetRules()), PacketMirroringRules: cloneAll(p.GetPacketMirroringRules()),
			})
		}
	}
	for _, fw := range s.data.firewalls[ref.Project] {
		if net, err := inventory.ParseNetwork(fw.GetNetwork(), ref.Project); err == nil && net == ref {
			response.Firewalls = append(response.Firewalls, proto.Clone(fw).(*computepb.Firewall))
		}
	}
	return response, 0, ""
}

// computePage reads maxResults and pageToken and pages a list.
func computePage[T any](s *Server, r *http.Request, items []T) ([]T, string, int, string) {
	size := 0
	if v := r.URL.Query().Get("maxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, "", http.StatusBadRequest, fmt.Sprintf("Invalid value for field 'maxResults': '%s'", v)
		}
		size = n
	}
	pageItems, next, err := page(items, size, r.URL.Query().Get("pageToken"), s.pageSize(computeDefaultPageSize))
	if err != nil {
		return nil, "", http.StatusBadRequest, err.Error()
	}
	return pageItems, next, 0, ""
}

func (s *Server) listSubnetworks(r *http.Request) (proto.Message, int, string) {
	project, region := r.PathValue("project"), r.PathValue("region")
	if status, text, ok := s.recordedProblem(inventory.KindSubnetwork, ""); ok {
		return nil, status, text
	}
	items, next, status, text := computePage(s, r, s.data.subnetworks[project][region])
	if status != 0 {
		return nil, status, text
	}
	return &computepb.SubnetworkList{
		Kind:          proto.String("compute#subnetworkList"),
		Items:         cloneAll(items),
		NextPageToken: optional(next),
		SelfLink:      proto.String(s.ComputeURL() + r.URL.Path),
	}, 0, ""
}

func (s *Server) aggregatedSubnetworks(r *http.Request) (proto.Message, int, string) {
	if status, text, ok := s.recordedProblem(inventory.KindSubnetwork, ""); ok {
		return nil, status, text
	}
	out := &computepb.SubnetworkAggregatedList{
		Kind:     proto.String("compute#subnetworkAggregatedList"),
		Items:    map[string]*computepb.SubnetworksScopedList{},
		SelfLink: proto.String(s.ComputeURL() + r.URL.Path),
	}
	next, status, text := regionPage(s, r, s.data.subnetworks[r.PathValue("project")], func(key string, sn *computepb.Subnetwork) {
		if out.Items[key] == nil {
			out.Items[key] = &computepb.SubnetworksScopedList{}
		}
		out.Items[key].Subnetworks = append(out.Items[key].Subnetworks, sn)
	})
	if status != 0 {
		return nil, status, text
	}
	out.NextPageToken = optional(next)
	return out, 0, ""
}

// regionPage pages a project's resources of every region, in region order, for an
// aggregatedList answer: add receives a copy of each item of the page with its
// "regions/REGION" key.
func regionPage[T proto.Message](s *Server, r *http.Request, byRegion map[string][]T, add func(key string, item T)) (string, int, string) {
	type scoped struct {
		region string
		item   T
	}
	var all []scoped
	for _, region := range sortedKeys(byRegion) {
		for _, item := range byRegion[region] {
			all = append(all, scoped{region, item})
		}
	}
	items, next, status, text := computePage(s, r, all)
	if status != 0 {
		return "", status, text
	}
	for _, it := range items {
		add("regions/"+it.region, proto.Clone(it.item).(T))
	}
	return next, 0, ""
}

func (s *Server) listFirewalls(r *http.Request) (proto.Message, int, string) {
	project := r.PathValue("project")
	if status, text, ok := s.recordedProblem(inventory.KindFirewall, ""); ok {
		return nil, status, text
	}
	items, next, status, text := computePage(s, r, s.data.firewalls[project])
	if status != 0 {
		return nil, status, text
	}
	return &computepb.FirewallList{
		Kind:          proto.String("compute#firewallList"),
		Items:         cloneAll(items),
		NextPageToken: optional(next),
		SelfLink:      proto.String(s.ComputeURL() + r.URL.Path),
	}, 0, ""
}

// listGlobalAddresses serves the project's global addresses, honouring the one filter
// vpcdoctor sends (purpose = "VPC_PEERING"). Addresses are optional in a snapshot, so a
// snapshot without them is served as a project that has none, not as a permission error:
// both modes then see the same (empty) ranges.
func (s *Server) listGlobalAddresses(r *http.Request) (proto.Message, int, string) {
	project := r.PathValue("project")
	if s.data.listed[inventory.KindAddress] {
		if status, text, ok := s.recordedProblem(inventory.KindAddress, ""); ok {
			return nil, status, text
		}
	}
	var matching []*computepb.Address
	for _, a := range s.data.addresses[project] {
		if filter := r.URL.Query().Get("filter"); filter == "" || filter == `purpose = "`+a.GetPurpose()+`"` {
			matching = append(matching, a)
		}
	}
	items, next, status, text := computePage(s, r, matching)
	if status != 0 {
		return nil, status, text
	}
	return &computepb.AddressList{
		Kind:          proto.String("compute#addressList"),
		Items:         cloneAll(items),
		NextPageToken: optional(next),
		SelfLink:      proto.String(s.ComputeURL() + r.URL.Path),
	}, 0, ""
}

// aggregatedRouters serves the project's Cloud Routers of every region, keyed
// "regions/REGION" as routers.aggregatedList answers.
func (s *Server) aggregatedRouters(r *http.Request) (proto.Message, int, string) {
	if status, text, ok := s.recordedProblem(inventory.KindRouter, ""); ok {
		return nil, status, text
	}
	out := &computepb.RouterAggregatedList{
		Kind:     proto.String("compute#routerAggregatedList"),
		Items:    map[string]*computepb.RoutersScopedList{},
		SelfLink: proto.String(s.ComputeURL() + r.URL.Path),
	}
	next, status, text := regionPage(s, r, s.data.routers[r.PathValue("project")], func(key string, rt *computepb.Router) {
		if out.Items[key] == nil {
			out.Items[key] = &computepb.RoutersScopedList{}
		}
		out.Items[key].Routers = append(out.Items[key].Routers, rt)
	})
	if status != 0 {
		return nil, status, text
	}
	out.NextPageToken = optional(next)
	return out, 0, ""
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
