package snapshot

import (
	"encoding/json"
	"fmt"
	"strings"

	"cloud.google.com/go/compute/apiv1/computepb"
	"cloud.google.com/go/iam/apiv1/iampb"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// The answers a snapshot holds that are not resources of one kind: the firewall policies
// in effect on a network, a project's IAM policy, a project's description.

// isEffectiveFirewalls recognises a networks.getEffectiveFirewalls answer: it has a
// firewallPolicys key, or, since gcloud and the API leave out empty lists, only a firewalls
// key (a network without firewall policies). A firewalls.list answer has items instead.
func isEffectiveFirewalls(kind string, obj map[string]any) bool {
	if _, ok := obj["firewallPolicys"]; ok {
		return true
	}
	_, rules := obj["firewalls"]
	_, items := obj["items"]
	return rules && !items && kind == ""
}

// addEffectiveFirewalls reads a networks.getEffectiveFirewalls response, as
// `gcloud compute networks get-effective-firewalls NETWORK --format json` prints it: its
// VPC firewall rules like any firewall listing, and its firewall policies for the network
// the response is about. The response does not name that network, so it is taken from a
// "network" field when the file has one (vpcdoctor snapshot writes it; a user may add it),
// else from the network of the response's VPC rules; a response with neither applies to
// every network no other response names.
//
// A regionNetworkFirewallPolicies.getEffectiveFirewalls response (`gcloud compute
// network-firewall-policies get-effective-firewalls --network N --region R --format json`)
// has the same shape. It is read as the answer for one region when the file has a
// "region" field (vpcdoctor snapshot writes it; a user may add it) or when it lists a
// regional policy (type NETWORK_REGIONAL or SYSTEM_REGIONAL); without a "region" field it
// then applies to every region no other regional answer names. A regional answer without
// regional policies and without a "region" field holds what a global answer holds, and is
// read as one.
func (r *reader) addEffectiveFirewalls(line int, obj map[string]any) error {
	if _, ok := obj["firewalls"]; ok {
		if err := r.addValue(line, emptyIfNil(obj["firewalls"])); err != nil {
			return err
		}
		r.inv.MarkListed(inventory.KindFirewall)
	}
	var response computepb.NetworksGetEffectiveFirewallsResponse
	if err := inventory.DecodeResource(map[string]any{"firewallPolicys": obj["firewallPolicys"]}, &response); err != nil {
		return r.inputError(line, "not a valid networks.getEffectiveFirewalls response: "+err.Error())
	}
	network := ""
	if named, ok := obj["network"].(string); ok && named != "" {
		ref, err := inventory.ParseNetwork(named, "")
		if err != nil || ref.Project == "" {
			return r.inputError(line, fmt.Sprintf("network %q: want projects/PROJECT/global/networks/NETWORK", named))
		}
		network = ref.String()
	} else if rules, ok := obj["firewalls"].([]any); ok {
		for _, rule := range rules {
			if ruleObj, ok := rule.(map[string]any); ok {
				if text, ok := ruleObj["network"].(string); ok {
					if ref, err := inventory.ParseNetwork(text, inventory.ProjectOf(fmt.Sprint(ruleObj["selfLink"]))); err == nil && ref.Project != "" {
						network = ref.String()
						break
					}
				}
			}
		}
	}
	entry := &inventory.NetworkFirewallPolicies{Network: network, Policies: response.GetFirewallPolicys()}
	if named, ok := obj["region"].(string); ok && named != "" {
		if strings.Contains(named, "/") || strings.TrimSpace(named) != named {
			return r.inputError(line, fmt.Sprintf("region %q: want a region name such as us-central1", named))
		}
		entry.Regional, entry.Region = true, named
	}
	for _, policy := range entry.Policies {
		switch strings.ToUpper(policy.GetType()) {
		case "NETWORK_REGIONAL", "SYSTEM_REGIONAL":
			entry.Regional = true
		}
	}
	r.inv.FirewallPolicies = append(r.inv.FirewallPolicies, entry)
	r.inv.MarkListed(inventory.KindFirewallPolicy)
	return nil
}

// isIAMPolicy recognises the answer of getIamPolicy by its shape: bindings (or only an
// etag, for a policy with none) and no resource name or kind.
func isIAMPolicy(obj map[string]any) bool {
	if _, named := obj["name"]; named {
		return false
	}
	if _, kinded := obj["kind"]; kinded {
		return false
	}
	_, bindings := obj["bindings"].([]any)
	_, etag := obj["etag"].(string)
	return bindings || (etag && len(obj) <= 3)
}

// isProjectDescription recognises `gcloud projects describe PROJECT --format json|yaml`:
// a projectId and a projectNumber.
func isProjectDescription(obj map[string]any) bool {
	_, id := obj["projectId"].(string)
	switch obj["projectNumber"].(type) {
	case string, float64, int, int64, json.Number:
		return id
	}
	return false
}

func (r *reader) addIAMPolicy(line int, obj map[string]any) error {
	policy := &iampb.Policy{}
	if err := inventory.DecodeResource(obj, policy); err != nil {
		return r.inputError(line, "not a valid IAM policy: "+err.Error())
	}
	r.inv.AddIAMPolicy(policy, r.path)
	return nil
}

func (r *reader) addProjectDescription(line int, obj map[string]any) error {
	id, _ := obj["projectId"].(string)
	number := strings.TrimSpace(fmt.Sprint(obj["projectNumber"]))
	if f, ok := obj["projectNumber"].(float64); ok {
		number = fmt.Sprintf("%.0f", f)
	}
	if !inventory.IsProjectNumber(number) || id == "" {
		return r.inputError(line, fmt.Sprintf("project description: projectNumber %q is not a number", number))
	}
	r.inv.Projects = append(r.inv.Projects, inventory.ProjectIdentity{ID: id, Number: number, Evidence: "gcloud projects describe (" + r.path + ")"})
	return nil
}
