package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/vpcdoctor/vpcdoctor/finding"
	"github.com/vpcdoctor/vpcdoctor/internal/sanitize"
)

// The JUnit XML report is what CI systems (GitLab's artifacts:reports:junit, Jenkins' junit
// step, most others) render as a test tab. There is no standard: the shape below is the
// common subset those readers accept, checked in the tests against the schema Jenkins'
// xUnit plugin uses (report/testdata/junit-10.xsd).
//
// Mapping: one <testsuite> per Cloud Run service, one <testcase> per check
// (classname = service, name = check id).
//   - fail    → <failure message type="fail">: message, remediation, commands, docs link.
//   - error   → <error message type="error">: the check could not be evaluated.
//   - skip    → <skipped message="why">why</skipped>: Jenkins reads the attribute, GitLab's
//     parser only the element's text (it shows a skipped case's element content as its
//     detail), so the reason is in both.
//   - warn    → a passing test case whose <system-out> carries the warning and its fix.
//     JUnit has no warning state; a warning does not fail the default gate (--fail-on fail),
//     so showing it as a failure would make the test tab disagree with the exit code.
//     Jenkins shows a passing case's output; GitLab's parser drops it (it keeps output only
//     for failed, errored and skipped cases): in GitLab, warnings reach the merge request
//     through the code quality report (--output gitlab=...), see docs/ci.md.
//   - ignored → <skipped message="ignored (--ignore): STATUS: message">(the same)</skipped>,
//     whatever its status, because an ignored finding does not count for the exit code
//     either.
//
// GitLab also reads a testcase file="PATH" attribute; vpcdoctor does not write it, because
// the schema above (and Jenkins' xUnit) has no such attribute. Every value from input goes through sanitize.XML, so the document stays
// well-formed XML 1.0 whatever the input holds.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr,omitempty"`
	Type    string `xml:"type,attr,omitempty"`
	// Body is CDATA so the multi-line detail stays readable in the file.
	Body string `xml:",cdata"`
}

// WriteJUnit writes the document as JUnit XML: one test suite per service, one test case per
// check. Checks take no measurable time, so every time attribute is 0 and the output is the
// same for the same findings.
func WriteJUnit(w io.Writer, doc *Document) error {
	root := junitSuites{Name: "vpcdoctor", Time: "0"}
	var suites []*junitSuite
	byService := map[string]*junitSuite{}
	for _, f := range doc.Findings {
		service := f.Service
		if service == "" {
			service = "vpcdoctor"
		}
		suite := byService[service]
		if suite == nil {
			suite = &junitSuite{Name: sanitize.XML("vpcdoctor " + service), Time: "0", Properties: junitProperties(doc, service)}
			byService[service] = suite
			suites = append(suites, suite)
		}
		c := junitTestCase(f, service)
		suite.Tests++
		switch {
		case c.Failure != nil:
			suite.Failures++
		case c.Error != nil:
			suite.Errors++
		case c.Skipped != nil:
			suite.Skipped++
		}
		suite.Cases = append(suite.Cases, c)
	}
	for _, s := range suites {
		root.Tests += s.Tests
		root.Failures += s.Failures
		root.Errors += s.Errors
		root.Suites = append(root.Suites, *s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(root); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitProperties records what was checked, so a test report read on its own says which
// project and input it is about.
func junitProperties(doc *Document, service string) []junitProperty {
	props := []junitProperty{{Name: "service", Value: sanitize.XML(service)}}
	add := func(name, value string) {
		if value != "" {
			props = append(props, junitProperty{Name: name, Value: sanitize.XML(value)})
		}
	}
	add("project", doc.Target.Project)
	add("region", doc.Target.Region)
	add("redis", doc.Target.Redis)
	add("source", doc.Target.Source)
	add("input", doc.Target.Input)
	add("vpcdoctor.version", doc.Tool.Version)
	return props
}

func junitTestCase(f finding.Finding, service string) junitCase {
	c := junitCase{Name: sanitize.XML(f.ID), Classname: sanitize.XML(service), Time: "0"}
	message := sanitize.XML(f.Message)
	switch {
	case f.Ignored:
		why := sanitize.XML(fmt.Sprintf("ignored (--ignore): %s: %s", f.Status, f.Message))
		c.Skipped = &junitMessage{Message: why, Body: why}
	case f.Status == finding.Fail:
		c.Failure = &junitMessage{Message: message, Type: string(finding.Fail), Body: sanitize.XML(findingDetail(f))}
	case f.Status == finding.Error:
		c.Error = &junitMessage{Message: message, Type: string(finding.Error), Body: sanitize.XML(findingDetail(f))}
	case f.Status == finding.Skip:
		c.Skipped = &junitMessage{Message: message, Body: message}
	case f.Status == finding.Warn:
		c.SystemOut = sanitize.XML("warning: " + findingDetail(f))
	}
	return c
}

// findingDetail is the plain-text body of a finding: what was observed, what to do, the
// commands, and where the check is documented. JUnit, GitHub annotations and SARIF share it.
func findingDetail(f finding.Finding) string {
	var b strings.Builder
	b.WriteString(f.Message)
	if f.Resource != "" {
		b.WriteString("\nresource: " + f.Resource)
	}
	if r := f.Remediation; r != nil {
		if r.Text != "" {
			b.WriteString("\nfix: " + r.Text)
		}
		for _, cmd := range r.Commands {
			b.WriteString("\n  $ " + cmd)
		}
	}
	if f.Docs != "" {
		b.WriteString("\ndocs: " + f.Docs)
	}
	return b.String()
}
