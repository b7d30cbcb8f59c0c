package inventory

import (
	"testing"

	"cloud.google.com/go/run/apiv2/runpb"
	"sigs.k8s.io/yaml"
)

// gcloudRevision is `gcloud run revisions describe cache-service-00004-wiz --region
// us-central1 --format yaml`, trimmed of status noise.
const gcloudRevision = `apiVersion: serving.knative.dev/v1
kind: Revision
metadata:
  annotations:
    autoscaling.knative.dev/maxScale: '10'
    autoscaling.knative.dev/minScale: '1'
    run.googleapis.com/vpc-access-connector: redis-connector
    run.googleapis.com/vpc-access-egress: private-ranges-only
  labels:
    cloud.googleapis.com/location: us-central1
    serving.knative.dev/configuration: cache-service
    serving.knative.dev/configurationGeneration: '4'
    serving.knative.dev/service: cache-service
  name: cache-service-00004-wiz
  namespace: '123456789012'
  uid: 3b1e2f0a-6c4d-4f7e-9a0b-1c2d3e4f5a6b
spec:
  containerConcurrency: 80
  containers:
  - env:
    - name: REDIS_HOST
      value: 10.0.0.3
    - name: REDIS_AUTH
      valueFrom:
        secretKeyRef:
          key: latest
          name: redis-auth
    image: us-central1-docker.pkg.dev/my-project/app/cache-service:1.4.2
  serviceAccountName: cache-service@my-project.iam.gserviceaccount.com
status:
  conditions:
  - status: 'True'
    type: Ready
`

func TestConvertKnativeRevision(t *testing.T) {
	var obj map[string]any
	if err := yaml.Unmarshal([]byte(gcloudRevision), &obj); err != nil {
		t.Fatal(err)
	}
	rev, err := KnativeRevision(obj)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rev.GetName(), "projects/123456789012/locations/us-central1/services/cache-service/revisions/cache-service-00004-wiz"; got != want {
		t.Fatalf("revision named %s, want %s (under its service)", got, want)
	}
	if got := rev.GetVpcAccess().GetConnector(); got != "redis-connector" {
		t.Errorf("connector %q, want redis-connector", got)
	}
	if got := rev.GetVpcAccess().GetEgress(); got != runpb.VpcAccess_PRIVATE_RANGES_ONLY {
		t.Errorf("egress %v", got)
	}
	if rev.GetScaling().GetMinInstanceCount() != 1 || rev.GetScaling().GetMaxInstanceCount() != 10 {
		t.Errorf("scaling %v", rev.GetScaling())
	}
	env := rev.GetContainers()[0].GetEnv()
	if len(env) != 2 || env[1].GetValueSource().GetSecretKeyRef().GetSecret() != "redis-auth" {
		t.Errorf("env %v", env)
	}
	if rev.GetServiceAccount() != "cache-service@my-project.iam.gserviceaccount.com" {
		t.Errorf("service account %q", rev.GetServiceAccount())
	}
}

func TestConvertKnativeRevisionRejects(t *testing.T) {
	for name, doc := range map[string]string{
		"no name":    "kind: Revision\nmetadata: {labels: {serving.knative.dev/service: s}}\n",
		"no service": "kind: Revision\nmetadata: {name: r}\n",
		"bad egress": "kind: Revision\nmetadata: {name: r, labels: {serving.knative.dev/service: s}, annotations: {run.googleapis.com/vpc-access-egress: sideways}}\n",
	} {
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			t.Fatal(err)
		}
		if _, err := KnativeRevision(obj); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
