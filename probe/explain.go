package probe

import (
	"strings"

	"github.com/vpcdoctor/vpcdoctor/finding"
	"github.com/vpcdoctor/vpcdoctor/internal/sanitize"
)

// DocsURL is the page that documents every cause; a finding's Docs is DocsURL#<cause>.
const DocsURL = "https://github.com/vpcdoctor/vpcdoctor/blob/main/docs/probe.md"

// CauseOf returns the cause a probe finding carries (the anchor of its Docs link), or ""
// for a finding that passed or was skipped without a cause.
func CauseOf(f finding.Finding) Cause {
	anchor, ok := strings.CutPrefix(f.Docs, DocsURL+"#")
	if !ok {
		return ""
	}
	for _, c := range Causes() {
		if string(c) == anchor {
			return c
		}
	}
	return ""
}

// names are the real names remediation commands are filled with, or placeholders where
// the probe was not told them.
type names struct {
	project  string // "" when unknown: commands then rely on the gcloud default project
	region   string
	instance string
	service  string
	host     string
	port     int
}

// namesFor derives the command names from the options.
func namesFor(opts Options) names {
	n := names{region: "REGION", instance: "INSTANCE", service: "SERVICE", host: opts.Host, port: opts.Port}
	if opts.Instance != nil {
		if project, region, name, ok := splitLocationName(opts.Instance.Name, "instances"); ok {
			n.project, n.region, n.instance = project, region, name
		}
	}
	if project, region, name, ok := splitLocationName(opts.Service, "services"); ok {
		n.service = name
		if n.project == "" {
			n.project, n.region = project, region
		}
	}
	return n
}

// splitLocationName splits projects/P/locations/R/COLLECTION/NAME.
func splitLocationName(full, collection string) (project, region, name string, ok bool) {
	parts := strings.Split(full, "/")
	if len(parts) != 6 || parts[0] != "projects" || parts[2] != "locations" || parts[4] != collection {
		return "", "", "", false
	}
	return parts[1], parts[3], parts[5], true
}

// flags is the --region and --project suffix of a gcloud command.
func (n names) flags() sanitize.Words {
	s := sanitize.Command(" --region %s", n.region)
	if n.project != "" {
		s += sanitize.Command(" --project %s", n.project)
	}
	return sanitize.Words(s)
}

// describeInstance is the gcloud command that prints the given instance fields.
func (n names) describeInstance(fields string) string {
	return sanitize.Command("gcloud redis instances describe %s%s --format=%s", n.instance, n.flags(), sanitize.Words(sanitize.Shell("value("+fields+")")))
}

// describeService is the gcloud command that prints the service's network settings.
func (n names) describeService() string {
	return sanitize.Command("gcloud run services describe %s%s --format='yaml(spec.template.metadata.annotations)'", n.service, n.flags())
}

// caCommand saves the instance's CA certificate where --ca-file can read it.
func (n names) caCommand() string {
	return sanitize.Command("gcloud redis instances describe %s%s --format='value(serverCaCerts[0].cert)' > ca.pem", n.instance, n.flags())
}

// remediation says what to do about a cause: one paragraph naming the configuration check
// that usually explains it, and the commands to look or fix.
func remediation(c Cause, n names, opts Options) *finding.Remediation {
	switch c {
	case CauseInvalidOptions:
		return &finding.Remediation{Text: "Give the probe the instance's address: --host (and --port), or --from-env with REDIS_HOST / REDIS_URL set as the application has them.",
			Commands: []string{n.describeInstance("host,port")}}
	case CauseDNSNotFound, CauseDNSFailure:
		return &finding.Remediation{Text: "Memorystore has no DNS name of its own: set REDIS_HOST to the instance's host IP address (config check run.redis-host), or fix the private DNS record that should point at it.",
			Commands: []string{n.describeInstance("host,port")}}
	case CauseConnectionRefused:
		return &finding.Remediation{Text: "Something at this address answers but nothing listens on the port: Memorystore listens on 6379, or on 6378 when in-transit encryption is on. Set REDIS_PORT (and REDIS_HOST) to the instance's port and host (config check run.redis-host).",
			Commands: []string{n.describeInstance("host,port,transitEncryptionMode")}}
	case CauseConnectTimeout, CauseNoRoute, CauseConnectFailed:
		return &finding.Remediation{Text: "Packets to the instance are not routed or are dropped. Run `vpcdoctor check` to find which hop: the service has no VPC egress (run.vpc-egress), the connector is not READY (connector.ready) or sits in another network than the instance's authorizedNetwork (connector.network), egress is private-ranges-only while the address is not private (run.egress-scope), or a firewall rule denies egress to the port (vpc.firewall-egress). From outside the VPC (a laptop) this timeout is expected: run the probe as a Cloud Run job on the same connector.",
			Commands: []string{
				n.describeService(),
				n.describeInstance("host,port,authorizedNetwork,connectMode,state"),
				sanitize.Command("gcloud compute networks vpc-access connectors describe CONNECTOR%s --format='value(state,network,ipCidrRange)'", n.flags()),
			}}
	case CauseTLSToPlainServer:
		return &finding.Remediation{Text: "The server does not speak TLS: in-transit encryption is disabled on the instance (config check redis.tls). Connect without TLS on port 6379, or enable in-transit encryption on a new instance (it cannot be turned on in place).",
			Commands: []string{n.describeInstance("transitEncryptionMode,port")}}
	case CauseTLSHandshakeTimeout, CauseTLSHandshakeFailed:
		return &finding.Remediation{Text: "The server accepted TCP but did not complete a TLS handshake: check that the port is the instance's TLS port 6378 and that in-transit encryption is on (config check redis.tls).",
			Commands: []string{n.describeInstance("transitEncryptionMode,port")}}
	case CauseTLSUnknownAuthority:
		return unknownAuthorityRemediation(n, opts)
	case CauseTLSHostnameMismatch:
		return &finding.Remediation{Text: "The server certificate does not name the address the probe used: connect to the instance's host IP address (config check run.redis-host), or pass --server-name with a name the certificate holds.",
			Commands: []string{n.describeInstance("host,port")}}
	case CauseTLSCertificateInvalid:
		return &finding.Remediation{Text: "The server certificate is expired, not yet valid or not usable for a server: check this machine's clock, and fetch the instance's current CA certificates (serverCaCerts), which rotate (config check redis.tls).",
			Commands: []string{n.caCommand()}}
	case CausePlainToTLSServer:
		return &finding.Remediation{Text: "The instance requires TLS (in-transit encryption, SERVER_AUTHENTICATION): connect with TLS on port 6378 and verify with the instance's CA from serverCaCerts (config checks redis.tls and run.redis-host).",
			Commands: []string{n.describeInstance("transitEncryptionMode,port"), n.caCommand()}}
	case CauseConnectionClosed:
		return &finding.Remediation{Text: "The server closed the connection without a Redis error: the address may be a proxy or another service rather than the instance, or the server dropped the client. Check REDIS_HOST and REDIS_PORT against the instance (config check run.redis-host).",
			Commands: []string{n.describeInstance("host,port,transitEncryptionMode")}}
	case CauseNotRedis:
		return &finding.Remediation{Text: "The server at this address does not speak Redis (an HTTP server, a proxy, another service): set REDIS_HOST and REDIS_PORT to the instance's host and port (config check run.redis-host).",
			Commands: []string{n.describeInstance("host,port")}}
	case CauseReplyTimeout:
		return &finding.Remediation{Text: "The connection is open but nothing answered the command: the address is probably not a Redis server (check run.redis-host), or the instance is overloaded; check its CPU and connected clients.",
			Commands: []string{n.describeInstance("host,port,state")}}
	case CauseNoAuth:
		return &finding.Remediation{Text: "AUTH is enabled on the instance but no password was sent: give the service the instance's AUTH string as a secret (config check run.redis-auth), and the probe the same variable (--auth-env).",
			Commands: []string{
				sanitize.Command("gcloud redis instances get-auth-string %s%s", n.instance, n.flags()),
				sanitize.Command("gcloud run services update %s%s --set-secrets REDIS_AUTH=redis-auth:latest", n.service, n.flags()),
			}}
	case CauseWrongPass:
		return &finding.Remediation{Text: "The server rejected the AUTH secret: the secret is stale (the AUTH string is rotated when AUTH is disabled and re-enabled) or belongs to another instance. Store the current AUTH string as a new secret version and redeploy (config check run.redis-auth).",
			Commands: []string{
				sanitize.Command("gcloud redis instances get-auth-string %s%s", n.instance, n.flags()),
				"gcloud secrets versions add redis-auth --data-file=-",
			}}
	case CauseAuthNotEnabled:
		return &finding.Remediation{Text: "An AUTH secret was sent but the instance has AUTH disabled; many clients then fail to connect. Remove the secret from the service or enable AUTH on the instance (config check run.redis-auth).",
			Commands: []string{sanitize.Command("gcloud redis instances update %s%s --enable-auth", n.instance, n.flags())}}
	case CauseMaxClients:
		return &finding.Remediation{Text: "The instance refuses new connections because maxclients is reached: lower the client pool size or the service's max instances, or close leaked connections; maxclients is fixed by the instance's tier and size.",
			Commands: []string{n.describeInstance("tier,memorySizeGb,redisConfigs")}}
	case CauseReadOnly, CauseReadReplica:
		return &finding.Remediation{Text: "The address is the instance's read endpoint (a read replica), where writes fail with READONLY: point REDIS_HOST at the primary endpoint, the instance's host (config check run.redis-host).",
			Commands: []string{n.describeInstance("host,readEndpoint,port")}}
	case CauseServerError, CauseUnexpectedReply:
		return &finding.Remediation{Text: "The server answered with something the probe did not expect: check that the address is the Memorystore instance (config check run.redis-host) and its state is READY.",
			Commands: []string{n.describeInstance("host,port,state")}}
	case CauseHighLatency:
		return &finding.Remediation{Text: "The PING median is high for a path inside one region. Likely causes: the service and the instance are in different regions, the connector is at capacity (raise its max instances or machine type), or the service's CPU is throttled outside requests.",
			Commands: []string{
				n.describeInstance("locationId,currentLocationId"),
				sanitize.Command("gcloud compute networks vpc-access connectors describe CONNECTOR%s --format='value(machineType,minInstances,maxInstances)'", n.flags()),
			}}
	}
	return nil
}

// unknownAuthorityRemediation explains a CA that does not verify the server: missing when
// the user gave none, rotated when it came from the live instance.
func unknownAuthorityRemediation(n names, opts Options) *finding.Remediation {
	text := "The server certificate is signed by the instance's own CA, which the probe was not given: save the CA from the instance's serverCaCerts and pass it with --ca-file; `vpcdoctor check --probe` does this automatically with live data (config check redis.tls)."
	if len(opts.CAPEM) > 0 {
		text = "The CA certificates given do not verify the server certificate: they belong to another instance or the instance's CA rotated. Fetch every certificate in the instance's serverCaCerts again (config check redis.tls)."
	}
	if opts.FromLive {
		text = "The live serverCaCerts of the instance do not verify its server certificate: a CA rotation is probably in progress; retry, and check the instance's server CA rotation (config check redis.tls)."
	}
	return &finding.Remediation{Text: text, Commands: []string{
		n.caCommand(),
		sanitize.Command("vpcdoctor probe --host %s --port %d --tls --ca-file ca.pem", n.host, n.port),
	}}
}

// statusOf is the status a cause gives its step.
func statusOf(c Cause) finding.Status {
	switch c {
	case CauseInvalidOptions, CauseCanceled:
		return finding.Error
	case CauseAuthNotEnabled, CauseReadReplica, CauseHighLatency:
		return finding.Warn
	}
	return finding.Fail
}
