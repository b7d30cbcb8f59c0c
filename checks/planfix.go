package checks

import (
	"fmt"
	"strings"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// A resource a Terraform plan manages is fixed in its configuration: a gcloud command that
// creates or changes it would be reverted by the next apply, or would create a second copy
// of a resource that already exists. terraformAttributes names, per check and resource type,
// the attribute the fix changes (the google provider's names, as the plan JSON carries them).
var terraformAttributes = map[string]map[string]string{
	"run.vpc-egress": {
		"google_cloud_run_v2_service": "template.vpc_access (connector, or network_interfaces; not both)",
		"google_cloud_run_service":    `template.metadata.annotations "run.googleapis.com/vpc-access-connector" (or "run.googleapis.com/network-interfaces")`,
	},
	"run.egress-scope": {
		"google_cloud_run_v2_service": "template.vpc_access.egress",
		"google_cloud_run_service":    `template.metadata.annotations "run.googleapis.com/vpc-access-egress"`,
	},
	"run.direct-vpc": {
		"google_cloud_run_v2_service": "template.vpc_access.network_interfaces (network, subnetwork) or template.scaling.max_instance_count",
		"google_cloud_run_service":    `template.metadata.annotations "run.googleapis.com/network-interfaces" or "autoscaling.knative.dev/maxScale"`,
		"google_compute_subnetwork":   "ip_cidr_range",
	},
	"run.serving-revision": {
		"google_cloud_run_v2_service": "traffic",
		"google_cloud_run_service":    "traffic",
	},
	"run.redis-host": {
		"google_cloud_run_v2_service": "template.containers.env (the Redis host and port variables)",
		"google_cloud_run_service":    "template.spec.containers.env (the Redis host and port variables)",
	},
	"run.redis-auth": {
		"google_cloud_run_v2_service": "template.containers.env (the AUTH variable, from value_source.secret_key_ref)",
		"google_cloud_run_service":    "template.spec.containers.env (the AUTH variable, from value_from.secret_key_ref)",
	},
	"run.cold-start": {
		"google_cloud_run_v2_service": "template.scaling.min_instance_count",
		"google_cloud_run_service":    `template.metadata.annotations "autoscaling.knative.dev/minScale"`,
	},
	"connector.region":   {"google_vpc_access_connector": "region"},
	"connector.network":  {"google_vpc_access_connector": "network (or subnet.name of a subnet on the Redis network)"},
	"connector.range":    {"google_vpc_access_connector": "ip_cidr_range"},
	"connector.subnet":   {"google_vpc_access_connector": "subnet (name, project_id)"},
	"connector.capacity": {"google_vpc_access_connector": "machine_type, min_instances, max_instances"},
	"redis.region":       {"google_redis_instance": "region"},
	"redis.tls":          {"google_redis_instance": "transit_encryption_mode (set at creation: changing it replaces the instance)"},
	"redis.maintenance":  {"google_redis_instance": "maintenance_policy"},
}

// planManagedFix rewrites the remediation of a fail or warn whose resource a Terraform
// plan manages: the fix is the attribute of the resource's configuration, and the gcloud
// commands that would change or recreate it are dropped (read-only ones are kept).
func planManagedFix(id string, p *inventory.Path, result Result) Result {
	if result.Remediation == nil || (result.Status != Fail && result.Status != Warn) {
		return result
	}
	managed, ok := p.Inv.PlanManagedResource(result.Resource)
	if !ok {
		return result
	}
	attribute, ok := terraformAttributes[id][managed.Type]
	if !ok {
		return result
	}
	var kept []string
	for _, c := range result.Remediation.Commands {
		if readOnlyCommand(c) {
			kept = append(kept, c)
		}
	}
	text := fmt.Sprintf("%s is managed by Terraform (%s): make the fix in its configuration, attribute %s, and apply again (a gcloud change would be undone by the next apply, and a gcloud create would duplicate the resource). The fix, as it would be done outside Terraform: %s",
		inventory.ShortName(result.Resource), managed.Address, attribute, result.Remediation.Text)
	return result.fix(text, kept...)
}

// readOnlyCommand reports whether a gcloud command only reads (describe, list, get-…).
func readOnlyCommand(c string) bool {
	fields := strings.Fields(c)
	for _, f := range fields {
		if f == "describe" || f == "list" || strings.HasPrefix(f, "get-") {
			return true
		}
		if strings.HasPrefix(f, "-") {
			break
		}
	}
	return false
}
