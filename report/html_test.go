package report

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/vpcdoctor/vpcdoctor/finding"
)

// domText is the page as normalised DOM text: one line per element that carries meaning
// (tag, id, class, data-status), indented by depth, with its own text collapsed; scripts,
// styles and the CSP hashes left out, so the golden changes with the page's content and
// structure, not with whitespace or a style edit.
func domText(t *testing.T, page string) string {
	t.Helper()
	root, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "style", "defs", "path":
				return
			}
			line := strings.Repeat("  ", depth) + n.Data
			for _, a := range n.Attr {
				switch a.Key {
				case "id":
					line += "#" + a.Val
				case "class":
					line += "." + strings.ReplaceAll(a.Val, " ", ".")
				case "data-status", "data-key", "href", "hidden", "open":
					line += " " + a.Key + "=" + a.Val
				}
			}
			var text []string
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.TextNode {
					if s := strings.Join(strings.Fields(c.Data), " "); s != "" {
						text = append(text, s)
					}
				}
			}
			if len(text) > 0 {
				line += ": " + strings.Join(text, " ")
			}
			b.WriteString(line + "\n")
			depth++
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth)
		}
	}
	walk(root, 0)
	return b.String()
}

func renderHTML(t *testing.T, doc *Document) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteHTML(&buf, doc); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestGoldenHTML pins the page of a broken path and of a healthy Shared VPC path as
// normalised DOM text.
func TestGoldenHTML(t *testing.T) {
	for _, name := range []string{"connector-network", "shared-vpc"} {
		doc := goldenDocument(t, goldenCase{scenario: name})
		golden(t, name+".html.txt", domText(t, renderHTML(t, doc)))
	}
}

// TestHTMLIsSelfContained: one style and one script, both inline and allowed by hash; no
// element that could fetch anything.
func TestHTMLIsSelfContained(t *testing.T) {
	page := renderHTML(t, scenarioDocument(t, goldenCase{scenario: "connector-network"}))
	if !strings.Contains(page, `<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;sha256-`) {
		t.Error("no strict Content-Security-Policy meta tag")
	}
	for _, fetching := range []string{"<link", "<img", "<iframe", " src=", "url(http", "@import", "fetch(", "XMLHttpRequest"} {
		if strings.Contains(page, fetching) {
			t.Errorf("the page contains %q", fetching)
		}
	}
	if n := strings.Count(page, "<script"); n != 1 {
		t.Errorf("%d script elements", n)
	}
}

// TestHTMLEscapesInput: a hostile service name and message reach the page as text.
func TestHTMLEscapesInput(t *testing.T) {
	hostile := `x"><script>alert(1)</script><img src=x onerror=alert(2)>`
	findings := []finding.Finding{
		{ID: "run.vpc-egress", Status: finding.Fail, Hop: finding.HopRun, Service: hostile, Message: hostile,
			Remediation: &finding.Remediation{Text: hostile, Commands: []string{"gcloud run services update '" + hostile + "'"}}},
	}
	doc := NewDocument(Tool{Name: "vpcdoctor"}, Target{Services: []string{hostile}, Input: hostile}, findings)
	doc.Paths = []finding.PathShape{{Service: hostile, Egress: finding.EgressConnector, Connector: hostile, Network: hostile, Redis: hostile}}
	page := renderHTML(t, doc)
	if strings.Count(page, "<script") != 1 || strings.Contains(page, "<img") {
		t.Errorf("input reached the page as markup")
	}
	if !strings.Contains(domText(t, page), "alert(1)") {
		t.Error("the hostile text is not shown as text")
	}
}

func TestLatencyChart(t *testing.T) {
	findings := []finding.Finding{{ID: "probe.latency", Status: finding.Pass, Hop: finding.HopProbe, Service: "s",
		Message: "PING round trips on one connection: count=100 min=0.081ms p50=0.095ms p90=0.150ms p99=0.210ms max=0.250ms"}}
	chart := latencyChart(findings)
	if chart == nil {
		t.Fatal("no chart")
	}
	var labels []string
	for _, b := range chart.Bars {
		labels = append(labels, b.Label)
	}
	if got := strings.Join(labels, ","); got != "min,p50,p90,p99,max" {
		t.Errorf("bars %s", got)
	}
}

// TestHTMLRegionWide: a run over several services has one row per service, each linking to
// its diagram.
func TestHTMLRegionWide(t *testing.T) {
	a := scenarioDocument(t, goldenCase{scenario: "connector-network"})
	b := scenarioDocument(t, goldenCase{scenario: "healthy"})
	var findings []finding.Finding
	for _, f := range a.Findings {
		f.Service = "cart"
		findings = append(findings, f)
	}
	for _, f := range b.Findings {
		f.Service = "checkout"
		findings = append(findings, f)
	}
	shapeA, shapeB := a.Paths[0], b.Paths[0]
	shapeA.Service, shapeB.Service = "cart", "checkout"
	doc := NewDocument(Tool{Name: "vpcdoctor"}, Target{Services: []string{"cart", "checkout"}}, findings)
	doc.Paths = []finding.PathShape{shapeA, shapeB}
	dom := domText(t, renderHTML(t, doc))
	for _, want := range []string{
		"tr data-status=fail\n", "a href=#route-1: cart", "a href=#route-2: checkout",
		"section.route#route-1", "section.route#route-2",
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}
