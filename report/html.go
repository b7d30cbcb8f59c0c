package report

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vpcdoctor/vpcdoctor/finding"
	"github.com/vpcdoctor/vpcdoctor/internal/sanitize"
)

// The HTML report is one self-contained page to attach to a ticket or an incident: styles,
// script and SVG inline, nothing fetched, and a Content-Security-Policy that allows only the
// page's own style and script (by hash), so even a value that escaped escaping could load or
// run nothing. It draws each service's path as an SVG row of hops (the broken one red),
// shows a hop's findings and fix commands when it is clicked, lists every finding in a table
// filterable by status, and, after a probe, charts the PING latency. Every value from input
// goes through html/template's contextual escaping.

//go:embed html/page.html
var pageTemplate string

//go:embed html/page.css
var pageStyle string

//go:embed html/page.js
var pageScript string

var page = template.Must(template.New("page").Parse(pageTemplate))

// WriteHTML writes the document as a self-contained HTML page.
func WriteHTML(w io.Writer, doc *Document) error {
	if err := page.Execute(w, newHTMLPage(doc)); err != nil {
		return fmt.Errorf("render HTML: %w", err)
	}
	return nil
}

// contentSecurityPolicy allows the page's one style element and one script element, by
// their SHA-256, and nothing else: no fetch, no image, no font, no frame, no form target.
func contentSecurityPolicy() string {
	hash := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	return "default-src 'none'; style-src " + hash(pageStyle) + "; script-src " + hash(pageScript) +
		"; img-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'"
}

type htmlPage struct {
	CSP        string
	Title      string
	Style      template.CSS
	Script     template.JS
	Status     finding.Status
	StatusText string
	Mark       string
	Verdict    string
	Target     []htmlKV
	Several    bool
	Routes     []htmlRoute
	Findings   []htmlFinding
	Counts     []htmlCount
	Latency    *htmlLatency
	Tool       string
	Generated  string
}

type htmlKV struct{ Key, Value string }

type htmlCount struct {
	Status finding.Status
	Mark   string
	Count  int
}

type htmlFinding struct {
	ID, Title, Service, Hop, Message, Fix, Docs string
	Status                                      finding.Status
	Mark                                        string
	// Commands are the fix commands, each as its words: the page keeps a word on one line
	// (a flag never breaks at its hyphen) and breaks only between words.
	Commands [][]string
	Ignored  bool
}

type htmlRoute struct {
	ID, Service   string
	Status        finding.Status
	Mark          string
	WorstHop      string
	Verdict       string
	Width, Height int
	Hops          []htmlHop
	Arrows        []htmlArrow
	Groups        []htmlGroup
}

type htmlHop struct {
	ID, PanelID, Key, Kind, Name, FullName, Note string
	Status                                       finding.Status
	Class, Mark, StateText                       string
	X, Y, W, H, RX                               int
	TextX, KindY, NameY, StateY                  int
	// NameLength, when set, is the width the name is squeezed into (SVG textLength).
	NameLength int
	Findings   []htmlFinding
	// Attention are the findings that did not pass (shown open); Others are folded.
	Attention, Others []htmlFinding
	OthersLabel       string
}

type htmlArrow struct{ X1, X2, Y int }

type htmlGroup struct {
	X, Y, W, H, TextX, TextY int
	Label                    string
}

// Diagram geometry, in SVG user units.
const (
	hopWidth  = 184
	hopHeight = 86
	linkWidth = 150
	hopGap    = 54
	margin    = 16
	groupPad  = 12
	// hopNameRunes is the most of a hop's name drawn (escaped first, so that an escape
	// sequence counts as what is shown); names longer than hopNameFits are squeezed.
	hopNameRunes = 22
	hopNameFits  = 17
)

func htmlText(s string) string { return sanitize.Line(s) }

func newHTMLPage(doc *Document) htmlPage {
	routes := Routes(doc.Findings, doc.Paths)
	status, verdict := VerdictText(routes)
	p := htmlPage{
		CSP:        contentSecurityPolicy(),
		Style:      template.CSS(pageStyle),
		Script:     template.JS(pageScript),
		Status:     status,
		StatusText: statusWord(status),
		Mark:       Marks[status],
		Verdict:    htmlText(fit(verdict, 240)),
		Several:    len(routes) > 1,
		Tool:       strings.TrimSpace(doc.Tool.Name + " " + doc.Tool.Version),
	}
	if !doc.Generated.IsZero() {
		p.Generated = doc.Generated.UTC().Format(time.RFC3339)
	}
	p.Title = "vpcdoctor: " + p.StatusText
	if len(doc.Target.Services) > 0 {
		p.Title += " — " + htmlText(strings.Join(doc.Target.Services, ", "))
	}
	t := doc.Target
	add := func(key, value string) {
		if value != "" {
			p.Target = append(p.Target, htmlKV{key, htmlText(value)})
		}
	}
	add("Service", strings.Join(t.Services, ", "))
	add("Redis", t.Redis)
	add("Project", t.Project)
	add("Region", t.Region)
	add("Input", strings.TrimSpace(t.Source+" "+t.Input))
	add("Checked at", p.Generated)
	add("Findings", summaryLine(doc.Summary))

	counts := map[finding.Status]int{}
	for i, r := range routes {
		hr := newHTMLRoute(i, r)
		p.Routes = append(p.Routes, hr)
		for _, h := range hr.Hops {
			for _, f := range h.Findings {
				p.Findings = append(p.Findings, f)
				counts[f.Status]++
			}
		}
	}
	// The table lists what asks for attention first: fail, error, warn, skip, pass, each in
	// path order.
	tableRank := map[finding.Status]int{finding.Fail: 4, finding.Error: 3, finding.Warn: 2, finding.Skip: 1, finding.Pass: 0}
	sort.SliceStable(p.Findings, func(i, j int) bool {
		return tableRank[p.Findings[i].Status] > tableRank[p.Findings[j].Status]
	})
	for _, s := range []finding.Status{finding.Fail, finding.Error, finding.Warn, finding.Skip, finding.Pass} {
		if counts[s] > 0 {
			p.Counts = append(p.Counts, htmlCount{Status: s, Mark: Marks[s], Count: counts[s]})
		}
	}
	p.Latency = latencyChart(doc.Findings)
	return p
}

// statusWord says a status in words for the page's heading.
func statusWord(s finding.Status) string {
	switch s {
	case finding.Fail:
		return "broken"
	case finding.Error:
		return "incomplete"
	case finding.Warn:
		return "works, with warnings"
	}
	return "healthy"
}

func newHTMLFinding(f finding.Finding, hop string) htmlFinding {
	hf := htmlFinding{
		ID: f.ID, Title: htmlText(f.Title), Service: htmlText(f.Service), Hop: hop,
		Message: htmlText(f.Message), Status: f.Status, Mark: Marks[f.Status], Ignored: f.Ignored,
	}
	if strings.HasPrefix(f.Docs, "https://") {
		hf.Docs = f.Docs
	}
	if r := f.Remediation; r != nil && f.Status != finding.Pass && f.Status != finding.Skip {
		hf.Fix = htmlText(r.Text)
		for _, c := range r.Commands {
			hf.Commands = append(hf.Commands, strings.Split(htmlText(c), " "))
		}
	}
	return hf
}

func newHTMLRoute(index int, r Route) htmlRoute {
	hr := htmlRoute{ID: fmt.Sprintf("route-%d", index+1), Service: htmlText(r.Service), Status: r.Status, Mark: Marks[r.Status]}
	if r.Status == finding.Skip {
		hr.Status, hr.Mark = finding.Pass, Marks[finding.Pass]
	}
	if r.Verdict != nil {
		hr.Verdict = htmlText(r.Verdict.ID + ": " + fit(ShortNames(r.Verdict.Message), 200))
	} else {
		hr.Verdict = "every check passed"
	}
	broken := r.Broken()
	x := margin
	shared := r.Shape.SharedVPC()
	hopTop := 12
	if shared {
		hopTop = 46 // room for the project frames' labels
	}
	for i, h := range r.Hops {
		w := hopWidth
		rx := 10
		if h.Key == HopKeyPeering || h.Key == HopKeyPSA {
			w, rx = linkWidth, hopHeight/2 // a link between networks: drawn as a pill
		}
		hop := htmlHop{
			ID:       fmt.Sprintf("%s-hop-%d", hr.ID, i+1),
			PanelID:  fmt.Sprintf("%s-panel-%d", hr.ID, i+1),
			Key:      h.Key,
			Kind:     diagramKind(h),
			Name:     ellipsis(htmlText(h.Name), hopNameRunes),
			FullName: htmlText(h.Name),
			Note:     htmlText(h.Note),
			Status:   h.Status,
			Class:    string(h.Status),
			Mark:     Marks[h.Status],
			X:        x, Y: hopTop, W: w, H: hopHeight, RX: rx,
			TextX: x + w/2, KindY: hopTop + 24, NameY: hopTop + 48, StateY: hopTop + 70,
		}
		if utf8.RuneCountInString(hop.Name) > hopNameFits {
			// A long name is drawn squeezed into the box rather than over its border.
			hop.NameLength = w - 16
		}
		hop.StateText = string(h.Status)
		if h.Pending() {
			hop.Class, hop.Mark, hop.StateText = "pending", PendingMark, "after apply"
		}
		switch {
		case h.Key == HopKeyPeering:
			hop.Name = "to Memorystore"
		case h.Key == HopKeyPSA:
			hop.Name = "to Memorystore"
		case h.Key == HopKeyProbe:
			hop.Name = "from here"
		case h.Name == "" && h.Note != "":
			hop.Name = ellipsis(htmlText(h.Note), hopNameRunes)
		}
		if i == broken {
			hr.WorstHop = htmlText(strings.TrimSpace(h.Kind + " " + h.Name))
		}
		passed, skipped := 0, 0
		for _, f := range h.Findings {
			hf := newHTMLFinding(f, htmlText(h.Label()))
			hop.Findings = append(hop.Findings, hf)
			switch {
			case f.Status == finding.Pass:
				passed++
				hop.Others = append(hop.Others, hf)
			case f.Status == finding.Skip && !IsDeferred(f):
				skipped++
				hop.Others = append(hop.Others, hf)
			default:
				hop.Attention = append(hop.Attention, hf)
			}
		}
		hop.OthersLabel = fmt.Sprintf("%d passed", passed)
		if skipped > 0 {
			hop.OthersLabel += fmt.Sprintf(", %d skipped", skipped)
		}
		hr.Hops = append(hr.Hops, hop)
		if i > 0 {
			hr.Arrows = append(hr.Arrows, htmlArrow{X1: x - hopGap + 4, X2: x - 4, Y: hopTop + hopHeight/2})
		}
		x += w + hopGap
	}
	hr.Width = x - hopGap + margin
	hr.Height = hopTop + hopHeight + margin + groupPad
	if shared {
		hr.Groups = projectGroups(r, hr.Hops, hopTop)
	}
	return hr
}

// diagramKind is the short kind a diagram box has room for.
func diagramKind(h RouteHop) string {
	switch h.Key {
	case HopKeyConnector:
		return "VPC Access connector"
	case HopKeyPeering:
		return "VPC peering"
	case HopKeyRedis:
		return "Memorystore Redis"
	case HopKeyProbe:
		return "data plane probe"
	}
	return h.Kind
}

// projectGroups frames the runs of hops that live in one project, for a Shared VPC path:
// the service project and the host project are drawn as what they are.
func projectGroups(r Route, hops []htmlHop, hopTop int) []htmlGroup {
	var groups []htmlGroup
	for i := 0; i < len(r.Hops); {
		project := r.Hops[i].Project
		j := i
		for j+1 < len(r.Hops) && r.Hops[j+1].Project == project {
			j++
		}
		if project != "" {
			label := "service project " + project
			if project == r.Shape.NetworkProject {
				label = "Shared VPC host project " + project
			}
			x := hops[i].X - groupPad
			groups = append(groups, htmlGroup{
				X: x, Y: hopTop - 30, W: hops[j].X + hops[j].W + groupPad - x, H: hopHeight + 30 + groupPad,
				TextX: x + 10, TextY: hopTop - 12, Label: ellipsis(htmlText(label), (hops[j].X+hops[j].W-hops[i].X)/7),
			})
		}
		i = j + 1
	}
	return groups
}

// ellipsis cuts s to n runes, ending in "…" when cut.
func ellipsis(s string, n int) string {
	if n < 2 || utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// The latency chart: the percentiles the probe.latency message reports, as bars.

type htmlLatency struct {
	Text          string
	Width, Height int
	X0, X1, AxisY int
	Bars          []htmlBar
}

type htmlBar struct {
	X, Y, W, H, TextX, LabelY, ValueY int
	Label, Value                      string
}

// latencyRe reads the stable "name=0.123ms" pairs of the probe.latency message.
var latencyRe = regexp.MustCompile(`\b(min|p50|p90|p99|max)=([0-9.]+)ms\b`)

func latencyChart(findings []finding.Finding) *htmlLatency {
	var message string
	for _, f := range findings {
		if f.ID == "probe.latency" && (f.Status == finding.Pass || f.Status == finding.Fail || f.Status == finding.Warn) {
			message = f.Message
		}
	}
	matches := latencyRe.FindAllStringSubmatch(message, -1)
	if len(matches) == 0 {
		return nil
	}
	values := map[string]float64{}
	largest := 0.0
	for _, m := range matches {
		v, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			continue
		}
		values[m[1]] = v
		largest = max(largest, v)
	}
	if largest <= 0 {
		return nil
	}
	chart := &htmlLatency{Text: htmlText(message), Width: 560, Height: 200, X0: 40, X1: 540, AxisY: 160}
	const barWidth, top = 56, 30
	x := 70
	for _, name := range []string{"min", "p50", "p90", "p99", "max"} {
		v, ok := values[name]
		if !ok {
			continue
		}
		h := int(float64(chart.AxisY-top) * v / largest)
		h = max(h, 2)
		chart.Bars = append(chart.Bars, htmlBar{
			X: x, Y: chart.AxisY - h, W: barWidth, H: h, TextX: x + barWidth/2,
			LabelY: chart.AxisY + 18, ValueY: chart.AxisY - h - 6,
			Label: name, Value: strconv.FormatFloat(v, 'f', 3, 64) + " ms",
		})
		x += barWidth + 40
	}
	chart.X1 = x - 10
	chart.Width = x + 20
	return chart
}
