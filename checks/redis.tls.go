package checks

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"cloud.google.com/go/redis/apiv1/redispb"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// redisTLS declares the check redis.tls: its hop, title, prerequisites, the
// fields it reads, and its Run (checkRedisTLS, below).
func redisTLS() Check {
	return Check{
		ID: "redis.tls", Hop: HopRedis, Title: "Clients match in-transit encryption",
		Summary:  "with in-transit encryption on, clients use TLS on the instance's port and its CA is not about to expire",
		Requires: []string{"redis.found"},
		Reads:    map[inventory.Kind][]string{inventory.KindRedis: {"transitEncryptionMode", "serverCaCerts"}},
		RunAt:    checkRedisTLS,
	}
}

// caWarningWindow is how long before a server CA expires redis.tls starts warning: long
// enough to roll the new CA out to every client.
const caWarningWindow = 30 * 24 * time.Hour

// caState sorts an instance's server CAs by what a client needs to know about them.
type caState struct {
	Newest   *redispb.TlsCertificate // the CA valid the longest
	Expired  []*redispb.TlsCertificate
	Expiring []*redispb.TlsCertificate // valid now, expiring within caWarningWindow
}

// classifyCAs judges every CA against the clock.
func classifyCAs(certs []*redispb.TlsCertificate, at time.Time) caState {
	var state caState
	sorted := append([]*redispb.TlsCertificate(nil), certs...)
	sort.SliceStable(sorted, func(i, j int) bool {
		return sorted[i].GetExpireTime().AsTime().Before(sorted[j].GetExpireTime().AsTime())
	})
	for _, cert := range sorted {
		expire := cert.GetExpireTime().AsTime()
		switch {
		case cert.GetExpireTime() == nil:
		case !expire.After(at):
			state.Expired = append(state.Expired, cert)
		case expire.Sub(at) <= caWarningWindow:
			state.Expiring = append(state.Expiring, cert)
		}
	}
	if len(sorted) > 0 {
		state.Newest = sorted[len(sorted)-1]
	}
	return state
}

func describeCA(cert *redispb.TlsCertificate) string {
	return fmt.Sprintf("CA %s (serial %s, expires %s)", orDefault(cert.GetSha1Fingerprint(), "(no fingerprint)"), orDefault(cert.GetSerialNumber(), "?"), cert.GetExpireTime().AsTime().UTC().Format("2006-01-02"))
}

// caCommands fetch the instance's CAs into one PEM file, keep it in Secret Manager, and
// mount it in the service, where the client's TLS configuration can load it.
func caCommands(p *inventory.Path) []string {
	ref := p.RedisRef
	return []string{
		command("gcloud redis instances describe %s --region %s --project %s --flatten 'serverCaCerts[]' --format 'value(serverCaCerts.cert)' > server-ca.pem", ref.Name, ref.Region, ref.Project),
		command("gcloud secrets create redis-server-ca --data-file server-ca.pem --project %s", p.Project()),
		command("gcloud secrets add-iam-policy-binding redis-server-ca --member serviceAccount:%s --role roles/secretmanager.secretAccessor --project %s", runServiceAccount(p), p.Project()),
		serviceUpdate(p) + " --update-secrets /etc/redis-ca/server-ca.pem=redis-server-ca:1",
	}
}

func checkRedisTLS(p *inventory.Path, at time.Time) Result {
	r, ref := p.Redis, p.RedisRef
	// The schemes of the endpoint variables decide between pass and fail: a plan that
	// leaves one of them unknown leaves the verdict to the apply.
	if gap := p.Inv.UnknownEnvVar(p.ServiceRef.String(), endpointVarNames(p, false)...); gap != nil {
		return missing(p.ServiceRef.String(), gap)
	}
	endpoints, _, _ := redisEnv(p)
	var tlsURLs, plainURLs []string
	for _, ev := range endpoints {
		switch ev.Scheme {
		case "rediss":
			tlsURLs = append(tlsURLs, ev.Name)
		case "redis":
			plainURLs = append(plainURLs, ev.Name)
		}
	}
	port := redisPort(r)
	if r.GetTransitEncryptionMode() != redispb.Instance_SERVER_AUTHENTICATION {
		if len(tlsURLs) > 0 {
			return fail(ref.String(), "in-transit encryption is off on Redis %s, but %s uses rediss://: the client starts a TLS handshake the server never answers in TLS (`tls: first record does not look like a TLS handshake`)", ref.Name, strings.Join(tlsURLs, ", ")).
				fix("Connect in plain text (redis://), or recreate the instance with in-transit encryption: it can only be chosen at creation.",
					serviceUpdate(p)+command(" --update-env-vars %s=redis://%s:%d", tlsURLs[0], r.GetHost(), port))
		}
		return pass(ref.String(), "in-transit encryption is off on Redis %s: clients connect in plain text on port %d", ref.Name, port)
	}
	if len(r.GetServerCaCerts()) == 0 {
		return Result{Status: Error, Resource: ref.String(), Message: fmt.Sprintf("cannot evaluate: Redis %s has in-transit encryption on, but the instance data carries no serverCaCerts", ref.Name)}.
			fix("Save the full description of the instance (it includes the CAs) in the snapshot.",
				command("gcloud redis instances describe %s --region %s --project %s --format yaml > SNAPSHOT_DIR/redis.yaml", ref.Name, ref.Region, ref.Project))
	}
	cas := classifyCAs(r.GetServerCaCerts(), at)
	if len(plainURLs) > 0 {
		return fail(ref.String(), "Redis %s accepts only TLS (in-transit encryption on port %d), but %s uses redis://, a plain-text connection the server closes (`Error: Connection is closed.`, `EOF`, `read: connection reset by peer`)", ref.Name, port, strings.Join(plainURLs, ", ")).
			fix(fmt.Sprintf("Connect with rediss:// on port %d and trust the instance's CA.", port),
				append([]string{serviceUpdate(p) + command(" --update-env-vars %s=rediss://%s:%d", plainURLs[0], r.GetHost(), port)}, caCommands(p)...)...)
	}
	newest := cas.Newest
	if !newest.GetExpireTime().AsTime().After(at) {
		return fail(ref.String(), "every server CA of Redis %s has expired (newest: %s): clients cannot verify the server and TLS handshakes fail (`x509: certificate has expired or is not yet valid`)", ref.Name, describeCA(newest)).
			fix("Rotate the instance's CA and install the new one on every client.",
				command("gcloud redis instances describe %s --region %s --project %s --format yaml", ref.Name, ref.Region, ref.Project))
	}
	if len(cas.Expired) > 0 || len(cas.Expiring) > 0 {
		var notes []string
		for _, cert := range cas.Expired {
			notes = append(notes, describeCA(cert)+" has expired")
		}
		for _, cert := range cas.Expiring {
			days := int(cert.GetExpireTime().AsTime().Sub(at).Hours() / 24)
			notes = append(notes, fmt.Sprintf("%s expires in %d days", describeCA(cert), days))
		}
		msg := fmt.Sprintf("Redis %s: %s; clients that trust only that CA fail their TLS handshake (`x509: certificate signed by unknown authority`) once the server certificate is signed by the newer one", ref.Name, strings.Join(notes, "; "))
		if newest.GetExpireTime().AsTime().Sub(at) > caWarningWindow {
			msg += fmt.Sprintf("; install %s", describeCA(newest))
		}
		return warn(ref.String(), "%s", msg).
			fix("Install every current CA of the instance in the client's trust store (one PEM file holding them all).", caCommands(p)...)
	}
	return pass(ref.String(), "in-transit encryption is on: clients must connect with TLS on port %d and trust the instance's %s", port, describeCA(newest))
}
