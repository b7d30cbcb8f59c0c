package terraform

import (
	"fmt"

	"cloud.google.com/go/run/apiv2/runpb"
	runv1 "google.golang.org/api/run/v1"
	"google.golang.org/protobuf/proto"

	"github.com/vpcdoctor/vpcdoctor/inventory"
	"github.com/vpcdoctor/vpcdoctor/inventory/knative"
)

// The Cloud Run services of a plan: google_cloud_run_v2_service, and google_cloud_run_service
// (the Knative shape, converted as a service.yaml is), with their environment's gaps.

func (b *protoBuilder) runV2(v tfValue) (proto.Message, error) {
	obj := map[string]any{"name": b.name}
	tmpl := v.attr("template").index(0)
	if tmpl.state() == unknownValue {
		b.unknown("template")
	}
	template := map[string]any{}
	if vpc := tmpl.attr("vpc_access").index(0); vpc.state() == known {
		access := map[string]any{}
		if connector := b.connectorOf(vpc.attr("connector"), "template", 0, "vpc_access", 0, "connector"); connector != "" {
			access["connector"] = connector
		}
		b.set(access, "egress", vpc.attr("egress"), "template.vpcAccess.egress")
		var interfaces []any
		for i, ni := range vpc.attr("network_interfaces").list() {
			item := map[string]any{}
			if network := b.reference(ni.attr("network"), tfNetwork, "template.vpcAccess.networkInterfaces.network", "template", 0, "vpc_access", 0, "network_interfaces", i, "network"); network != "" {
				item["network"] = network
			}
			if subnet := b.reference(ni.attr("subnetwork"), tfSubnetwork, "template.vpcAccess.networkInterfaces.subnetwork", "template", 0, "vpc_access", 0, "network_interfaces", i, "subnetwork"); subnet != "" {
				item["subnetwork"] = subnet
				b.subnetRangeGap(subnet, "template.vpcAccess.networkInterfaces.subnetwork.ipCidrRange")
			}
			b.set(item, "tags", ni.attr("tags"), "template.vpcAccess.networkInterfaces.tags")
			interfaces = append(interfaces, item)
		}
		if vpc.attr("network_interfaces").state() == unknownValue {
			b.unknown("template.vpcAccess.networkInterfaces")
		}
		if len(interfaces) > 0 {
			access["networkInterfaces"] = interfaces
		}
		template["vpcAccess"] = access
	} else if vpc.state() == unknownValue {
		b.unknown("template.vpcAccess")
	}
	if scaling := tmpl.attr("scaling").index(0); scaling.state() == unknownValue {
		b.unknown("template.scaling")
	} else if scaling.state() == known {
		s := map[string]any{}
		b.set(s, "minInstanceCount", scaling.attr("min_instance_count"), "template.scaling.minInstanceCount")
		b.set(s, "maxInstanceCount", scaling.attr("max_instance_count"), "template.scaling.maxInstanceCount")
		template["scaling"] = s
	}
	b.set(template, "serviceAccount", tmpl.attr("service_account"), "template.serviceAccount")
	var containers []any
	b.containers(tmpl.attr("containers"), func(ci int, c tfValue) {
		container := map[string]any{}
		b.set(container, "image", c.attr("image"), "template.containers.image")
		var env []any
		b.envVars(c.attr("env"), "value_source", func(v envVar) {
			entry := map[string]any{"name": v.name}
			switch {
			case v.secretRef.state() == known:
				secret, _ := v.secretRef.attr("secret").str()
				version, _ := v.secretRef.attr("version").str()
				entry["valueSource"] = map[string]any{"secretKeyRef": map[string]any{"secret": secret, "version": version}}
			case v.plain:
				b.envValue(entry, v.value, v.name, "template", 0, "containers", ci, "env", v.index, "value")
			}
			env = append(env, entry)
		})
		if len(env) > 0 {
			container["env"] = env
		}
		containers = append(containers, container)
	})
	if len(containers) > 0 {
		template["containers"] = containers
	}
	obj["template"] = template
	return unmarshalInto(obj, &runpb.Service{})
}

// envValue copies a plain environment value. A value the plan marks sensitive (Terraform
// marks a whole env list when one value is) is kept only in its redacted form, which the
// checks can judge (a plain AUTH string is exactly what the gate must catch) and no output
// can leak. An unknown value leaves the variable without a value and records the gap, so a
// check that reads the environment does not judge an empty value. An unknown value that the configuration
// takes from a Redis instance (REDIS_HOST = google_redis_instance.x.host) names that
// instance in the message. exprPath is where the value's expression sits in the
// configuration.
func (b *protoBuilder) envValue(entry map[string]any, value tfValue, name string, exprPath ...any) {
	field := inventory.EnvField + "." + name
	switch {
	case value.state() == unknownValue:
		address := b.r.address
		if target := b.p.resolve(b.r, tfRedis, exprPath...); target != nil {
			address = target.address
			if !target.nameUnknown && target.action != planDestroy {
				// The instance this variable will name: selectRedis can match the service
				// to it although its host is not known yet.
				b.inv.NotePlannedEnvRedis(b.name, name, target.canonical())
			}
		}
		b.inv.MarkUnknown(b.r.kind, b.name, field, address)
	case value.isSensitive():
		// Judged through its redacted form (inventory/sensitive.go), never shown.
		b.inv.MarkSensitiveEnv(b.name, name)
		if s, ok := value.v.(string); ok {
			entry["value"] = inventory.RedactSensitive(name, s)
		} else if value.state() == known {
			entry["value"] = inventory.RedactSensitive(name, fmt.Sprint(value.v))
		}
	case value.state() == known:
		entry["value"] = value.v
	}
}

// connectorOf is a service's connector: its known value; else the canonical name of the
// plan's connector that the configuration expression at exprPath references; else, when
// that connector's name is decided by the apply, a placeholder every lookup of which says
// so. An unknown value that references no connector leaves "" and the field recorded
// unknown: whether the service has a connector at all is decided at apply.
func (b *protoBuilder) connectorOf(v tfValue, exprPath ...any) string {
	if s, state := v.str(); state == known {
		return s
	} else if state == unset {
		return ""
	}
	target := b.p.resolve(b.r, tfConnector, exprPath...)
	switch {
	case target == nil:
		b.unknown("template.vpcAccess.connector")
		return ""
	case !target.nameUnknown:
		return target.canonical()
	}
	ref := inventory.ConnectorRef{Project: b.r.project, Region: b.r.region, Name: target.configAddr}
	if !b.hasProblem(inventory.KindConnector, ref.String()) {
		b.inv.UnknownResource(inventory.KindConnector, ref.String(), b.r.address)
	}
	return target.configAddr
}

// hasProblem reports whether the inventory records a problem of that resource. Problems
// are only added while a plan is applied, so the index catches up with the new ones.
func (b *protoBuilder) hasProblem(kind inventory.Kind, name string) bool {
	p := b.p
	for ; p.problemsSeen < len(b.inv.Problems); p.problemsSeen++ {
		q := b.inv.Problems[p.problemsSeen]
		p.problemKeys[string(q.Kind)+" "+q.Name] = true
	}
	return p.problemKeys[string(kind)+" "+name]
}

// runV1 maps google_cloud_run_service (the Knative shape) through the same conversion as a
// service.yaml.
func (b *protoBuilder) runV1(v tfValue) (proto.Message, error) {
	tmpl := v.attr("template").index(0)
	annotations := map[string]string{}
	tmplAnnotations := tmpl.attr("metadata").index(0).attr("annotations")
	for key, value := range tmplAnnotations.entries() {
		if s, state := value.str(); state == known {
			annotations[key] = s
		}
	}
	exprPath := []any{"template", 0, "metadata", 0, "annotations"}
	connector := tmplAnnotations.attr(inventory.AnnotationConnector)
	if tmplAnnotations.state() == unknownValue {
		connector = tmplAnnotations
		b.unknown("template.vpcAccess.egress")
		b.unknown("template.vpcAccess.networkInterfaces")
	}
	if connector.state() == unknownValue {
		if name := b.connectorOf(connector, exprPath...); name != "" {
			annotations[inventory.AnnotationConnector] = name
		}
	}
	if tmplAnnotations.state() != unknownValue {
		// The annotations become the v2 fields the checks read; record the gaps under those.
		for _, a := range [][2]string{{inventory.AnnotationEgress, "template.vpcAccess.egress"}, {inventory.AnnotationNetworkInterfaces, "template.vpcAccess.networkInterfaces"}} {
			if tmplAnnotations.attr(a[0]).state() == unknownValue {
				b.unknown(a[1])
			}
		}
	}
	svc := &runv1.Service{
		Metadata: &runv1.ObjectMeta{Name: b.r.name, Namespace: b.r.project,
			Labels: map[string]string{inventory.LabelLocation: b.r.region}},
		Spec: &runv1.ServiceSpec{Template: &runv1.RevisionTemplate{
			Metadata: &runv1.ObjectMeta{Annotations: annotations},
			Spec:     &runv1.RevisionSpec{},
		}},
	}
	spec := tmpl.attr("spec").index(0)
	if account, state := spec.attr("service_account_name").str(); state == known {
		svc.Spec.Template.Spec.ServiceAccountName = account
	}
	b.containers(spec.attr("containers"), func(ci int, c tfValue) {
		container := &runv1.Container{}
		container.Image, _ = c.attr("image").str()
		b.envVars(c.attr("env"), "value_from", func(v envVar) {
			env := &runv1.EnvVar{Name: v.name}
			switch {
			case v.secretRef.state() == known:
				secret, _ := v.secretRef.attr("name").str()
				key, _ := v.secretRef.attr("key").str()
				env.ValueFrom = &runv1.EnvVarSource{SecretKeyRef: &runv1.SecretKeySelector{Name: secret, Key: key}}
			case v.plain:
				entry := map[string]any{}
				b.envValue(entry, v.value, v.name, "template", 0, "spec", 0, "containers", ci, "env", v.index, "value")
				env.Value, _ = entry["value"].(string)
			}
			container.Env = append(container.Env, env)
		})
		svc.Spec.Template.Spec.Containers = append(svc.Spec.Template.Spec.Containers, container)
	})
	converted, err := knative.ConvertService(svc)
	if err != nil {
		return nil, err
	}
	converted.Name = b.name
	return converted, nil
}

// containers visits the containers of a service in a plan. A list, or a container, that the
// apply decides is recorded as the gap template.containers, the same for both service
// types.
func (b *protoBuilder) containers(list tfValue, visit func(index int, container tfValue)) {
	if list.state() == unknownValue {
		b.unknown("template.containers")
	}
	for i, c := range list.list() {
		if c.state() == unknownValue {
			b.unknown("template.containers")
			continue
		}
		visit(i, c)
	}
}

// envVar is one variable of a container's environment in a plan.
type envVar struct {
	index int
	name  string
	// secretRef is the secret_key_ref block when the value comes from a secret (its state
	// is then known); plain says the value is value, given in the configuration. A variable
	// whose source the apply decides has neither.
	secretRef tfValue
	plain     bool
	value     tfValue
}

// envVars visits the variables of a container's env, whose value source block is
// sourceKey (value_source in v2, value_from in v1). A list, or a variable's name, that the
// apply decides makes the whole environment unknown (EnvField); a source the apply decides
// (whether the value comes from a secret, or which) only its variable.
func (b *protoBuilder) envVars(env tfValue, sourceKey string, visit func(envVar)) {
	if env.state() == unknownValue {
		b.unknown(inventory.EnvField)
	}
	for i, e := range env.list() {
		name, state := e.attr("name").str()
		if e.state() == unknownValue || state == unknownValue {
			b.unknown(inventory.EnvField) // a variable the apply names
			continue
		}
		v := envVar{index: i, name: name}
		source := e.attr(sourceKey)
		if source.hasUnknown() {
			b.unknown(inventory.EnvField + "." + name)
		} else if ref := source.index(0).attr("secret_key_ref").index(0); ref.state() == known {
			v.secretRef = ref
		} else {
			v.plain, v.value = true, e.attr("value")
		}
		visit(v)
	}
}
