package probe

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vpcdoctor/vpcdoctor/finding"
	"github.com/vpcdoctor/vpcdoctor/internal/sanitize"
)

// The probe's finding ids, in the order Run reports them. They are part of the public
// contract, like the configuration checks' ids.
const (
	IDTCP     = "probe.tcp"
	IDTLS     = "probe.tls"
	IDAuth    = "probe.auth"
	IDPing    = "probe.ping"
	IDLatency = "probe.latency"
)

// step is one probe step. Steps run in the order steps lists them, on one prober.
type step struct {
	id    string
	title string
	run   func(p *prober, ctx context.Context) outcome
}

// steps lists the probe's steps in order; each needs the ones before it to have passed,
// warned or been skipped for a benign reason.
func steps() []step {
	return []step{
		{IDTCP, "TCP connect to the Redis address", (*prober).connect},
		{IDTLS, "TLS handshake with the Redis server", (*prober).handshake},
		{IDAuth, "Redis AUTH", (*prober).authenticate},
		{IDPing, "Redis PING", (*prober).ping},
		{IDLatency, "Redis PING latency", (*prober).latency},
	}
}

// outcome is what one step observed.
type outcome struct {
	status  finding.Status
	cause   Cause
	message string
	// reason is the finding's reason code when the step is skipped or in error.
	reason string
}

// passed, skipped and failed build outcomes; failed takes its status from the cause.
func passed(format string, args ...any) outcome {
	return outcome{status: finding.Pass, message: fmt.Sprintf(format, args...)}
}

func skipped(format string, args ...any) outcome {
	return outcome{status: finding.Skip, message: fmt.Sprintf(format, args...)}
}

func failed(c Cause, format string, args ...any) outcome {
	return outcome{status: statusOf(c), cause: c, message: fmt.Sprintf(format, args...)}
}

// Run probes the Redis server opts describes, one step at a time, and returns one finding
// per step in order: probe.tcp, probe.tls, probe.auth, probe.ping, probe.latency. When a
// step fails, the later ones are skipped with the reason. observe, when not nil, is called
// with each finding as its step ends, so a report can stream. Run never returns or reports
// the AUTH secret.
//
// Run is bounded by the options' timeouts: a path that drops packets fails probe.tcp in
// about ConnectTimeout, and Timeout bounds the whole run. Every reply is bounded in size
// and nesting (MaxReplyBytes and the other limits), and a finding quotes at most
// maxServerText bytes of what the server said.
func Run(ctx context.Context, opts Options, observe func(finding.Finding)) []finding.Finding {
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	p := &prober{opts: opts.withDefaults()}
	p.names = namesFor(p.opts)
	defer p.close()

	var findings []finding.Finding
	blocked := ""
	if err := opts.validate(); err != nil {
		blocked = fmt.Sprintf("invalid options: %v", err)
	}
	for i, s := range steps() {
		var o outcome
		switch {
		case i == 0 && blocked != "":
			o = failed(CauseInvalidOptions, "%s", blocked)
		case blocked != "":
			o = skipped("skipped: %s", blocked)
			o.reason = finding.ReasonPrerequisite
		default:
			o = s.run(p, ctx)
		}
		if o.status == finding.Fail || o.status == finding.Error {
			blocked = fmt.Sprintf("%s failed (%s)", s.id, o.cause)
		}
		// Made one printable line first, then scrubbed: the secret is looked for in the
		// spellings the finding ends up with.
		f := redact(finding.Sanitize(p.finding(s, o)), opts.Auth)
		if observe != nil {
			observe(f)
		}
		findings = append(findings, f)
	}
	return findings
}

// prober carries the connection from one step to the next. It is the probe's only state:
// one connection, upgraded to TLS, then handed to a Redis session.
type prober struct {
	opts    Options
	names   names
	conn    net.Conn
	session *session
	// firstPing is the PING the auth step sent when it had no secret to send; the ping
	// step reports its failure instead of sending another PING on a broken connection.
	firstPing *pingResult
}

// pingResult is one PING's reply, round trip and error.
type pingResult struct {
	reply   string
	elapsed time.Duration
	err     error
}

// close releases whatever the steps opened.
func (p *prober) close() {
	if p.session != nil {
		p.session.close()
		return
	}
	if p.conn != nil {
		_ = p.conn.Close()
	}
}

// redis returns the Redis session over the probe's connection, starting it on first use.
func (p *prober) redis() *session {
	if p.session == nil {
		p.session = newSession(p.conn, p.opts.ConnectTimeout)
	}
	return p.session
}

// finding turns a step's outcome into the public finding.
func (p *prober) finding(s step, o outcome) finding.Finding {
	f := finding.Finding{
		ID:       s.id,
		Status:   o.status,
		Title:    s.title,
		Hop:      finding.HopProbe,
		Service:  p.opts.Service,
		Resource: p.resource(),
		Message:  o.message,
	}
	switch {
	case o.status == finding.Skip && o.reason == "":
		f.Reason = finding.ReasonNotApplicable
	case o.status == finding.Skip:
		f.Reason = o.reason
	case o.status == finding.Error:
		f.Reason = finding.ReasonCannotEvaluate
	}
	if o.cause != "" {
		f.Cause = string(o.cause)
		f.Remediation = remediation(o.cause, p.names, p.opts)
		f.Docs = DocsURL + "#" + string(o.cause)
	}
	return f
}

// resource names what was probed: the instance when known, else the address.
func (p *prober) resource() string {
	if p.opts.Instance != nil && p.opts.Instance.Name != "" {
		return p.opts.Instance.Name
	}
	if strings.TrimSpace(p.opts.Host) == "" {
		return ""
	}
	return p.opts.Addr()
}

// maxServerText bounds how much of a server's reply or error a finding quotes: enough to
// recognise it, never a page of whatever a hostile server sends.
const maxServerText = 300

// serverText is text a server sent (a reply, an error reply, a library error quoting one),
// made fit for a finding: the AUTH secret removed, in every spelling, before it is cut to
// maxServerText bytes (so no cut can leave a piece of the secret behind).
func (p *prober) serverText(s string) string {
	s = scrubSecret(s, p.opts.Auth)
	if len(s) <= maxServerText {
		return s
	}
	cut := maxServerText
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("... (%d bytes not shown)", len(s)-cut)
}

// secretSpellings are the forms in which the secret can appear in a finding: as sent, and
// as %q, JSON and sanitize.Line write it (a quote, a backslash or a tab in the secret is
// escaped there, so the raw form alone would not be found).
func secretSpellings(secret string) []string {
	quoted := strconv.Quote(secret)
	spellings := []string{secret, quoted[1 : len(quoted)-1], sanitize.Line(secret)}
	if js, err := json.Marshal(secret); err == nil {
		spellings = append(spellings, string(js[1:len(js)-1]))
	}
	return spellings
}

// scrubSecret replaces every spelling of secret in s with [redacted].
func scrubSecret(s, secret string) string {
	if secret == "" {
		return s
	}
	for _, spelling := range secretSpellings(secret) {
		if spelling != "" {
			s = strings.ReplaceAll(s, spelling, "[redacted]")
		}
	}
	return s
}

// redact removes every occurrence of the AUTH secret, in every spelling, from the finding.
// The probe never puts the secret in a message; this is the guarantee if a server or
// library echoes it.
func redact(f finding.Finding, secret string) finding.Finding {
	if secret == "" {
		return f
	}
	scrub := func(s string) string { return scrubSecret(s, secret) }
	f.Title, f.Message, f.Resource, f.Service, f.Docs = scrub(f.Title), scrub(f.Message), scrub(f.Resource), scrub(f.Service), scrub(f.Docs)
	if f.Remediation != nil {
		r := &finding.Remediation{Text: scrub(f.Remediation.Text)}
		for _, c := range f.Remediation.Commands {
			r.Commands = append(r.Commands, scrub(c))
		}
		f.Remediation = r
	}
	return f
}

// StepTitle returns the title of a probe step by its finding id (probe.tcp, ...), for
// `vpcdoctor explain`.
func StepTitle(id string) (string, bool) {
	for _, s := range steps() {
		if s.id == id {
			return s.title, true
		}
	}
	return "", false
}
