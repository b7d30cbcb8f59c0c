package knative

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

func TestConvertRevision(t *testing.T) {
	var obj map[string]any
	if err := yaml.Unmarshal([]byte(gcloudRevision), &obj); err != nil {
		t.Fatal(err)
	}
	rev, err := Revision(obj)
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
		if _, err := Revision(obj); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// gcloudService is a service as `gcloud run services describe --format yaml` prints it,
// trimmed: the namespace is the project number, the region a label.
const gcloudService = `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  annotations:
    run.googleapis.com/minScale: '2'
  labels:
    cloud.googleapis.com/location: us-central1
  name: cache-service
  namespace: '123456789012'
spec:
  template:
    metadata:
      annotations:
        run.googleapis.com/vpc-access-connector: redis-connector
        run.googleapis.com/vpc-access-egress: all-traffic
    spec:
      containers:
      - image: us-central1-docker.pkg.dev/my-project/app/cache-service:1.4.2
        resources:
          limits:
            cpu: 1
status:
  latestReadyRevisionName: cache-service-00004-wiz
`

func TestConvertKnativeService(t *testing.T) {
	var obj map[string]any
	if err := yaml.Unmarshal([]byte(gcloudService), &obj); err != nil {
		t.Fatal(err)
	}
	svc, err := Service(obj)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := svc.GetName(), "projects/123456789012/locations/us-central1/services/cache-service"; got != want {
		t.Errorf("name %s, want %s", got, want)
	}
	if got := svc.GetTemplate().GetVpcAccess(); got.GetConnector() != "redis-connector" || got.GetEgress() != runpb.VpcAccess_ALL_TRAFFIC {
		t.Errorf("vpc access %v", got)
	}
	if svc.GetScaling().GetMinInstanceCount() != 2 {
		t.Errorf("service scaling %v", svc.GetScaling())
	}
	if got, want := svc.GetLatestReadyRevision(), svc.GetName()+"/revisions/cache-service-00004-wiz"; got != want {
		t.Errorf("latest ready revision %s, want %s", got, want)
	}
	obj["metadata"] = map[string]any{}
	if _, err := Service(obj); err == nil {
		t.Error("a service without a name: accepted")
	}
}
