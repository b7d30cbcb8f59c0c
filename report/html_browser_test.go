package report

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/vpcdoctor/vpcdoctor/finding"
	goldenfile "github.com/vpcdoctor/vpcdoctor/internal/golden"
)

// The HTML report in a real headless Chromium, driven over the DevTools protocol by
// chromedp: the page is opened from file://, nothing else may be requested, the hops and
// their statuses are in the DOM, clicking the broken hop shows its fix commands, the status
// filter hides rows, and a screenshot is not blank. With -update the screenshots of a
// healthy and a broken path are written to docs/ for the README.

// browserPath finds a Chromium: $VPCDOCTOR_CHROMIUM, else the Debian package's binaries.
// Without one the test skips, unless VPCDOCTOR_REQUIRE_BROWSER=1 (set by .ci/run).
func browserPath(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("VPCDOCTOR_CHROMIUM"), "chromium-headless-shell", "chromium", "chromium-browser", "google-chrome"}
	for _, name := range candidates {
		if name == "" {
			continue
		}
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("VPCDOCTOR_REQUIRE_BROWSER") == "1" {
		t.Fatal("no Chromium found (install Debian's chromium, or set VPCDOCTOR_CHROMIUM) and VPCDOCTOR_REQUIRE_BROWSER=1")
	}
	t.Skip("no Chromium installed (Debian: apt-get install chromium); the HTML browser tests need one")
	return ""
}

// browser starts a headless Chromium with a fresh profile and no network services of its
// own, and returns its context.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := browserPath(t)
	allocator, cancelAllocator := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // root in CI containers
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
	)
	ctx, cancel := chromedp.NewContext(allocator)
	t.Cleanup(func() {
		cancel()
		cancelAllocator()
	})
	return ctx
}

// openReport writes the document's HTML to a file, opens it, and returns the file's URL
// and the URLs the page requested (read them after the actions of the test).
func openReport(t *testing.T, ctx context.Context, doc *Document, dark bool) (string, func() []string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "report.html")
	var buf bytes.Buffer
	if err := WriteHTML(&buf, doc); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	url := "file://" + file
	var mu sync.Mutex
	var requests, problems []string
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			requests = append(requests, e.Request.URL)
		case network.EventRequestWillBeSent:
			requests = append(requests, e.Request.URL)
		}
	}); err != nil {
		t.Fatal(err)
	}
	console := chromedp.Console(ctx)
	if dark {
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(".diagram .hop"))); err != nil {
		t.Fatal(err)
	}
	// Console messages (a CSP violation, a script error) arrive asynchronously: collect
	// what came until now without blocking.
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			if m.IsException() || m.Type == "error" || strings.Contains(m.Text, "Content Security Policy") {
				mu.Lock()
				problems = append(problems, m.String())
				mu.Unlock()
			}
		}
	}()
	return url, func() []string {
		time.Sleep(100 * time.Millisecond)
		mu.Lock()
		defer mu.Unlock()
		for _, p := range problems {
			t.Errorf("console: %s", p)
		}
		return append([]string(nil), requests...)
	}
}

func run[T any](t *testing.T, ctx context.Context, action chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestHTMLInBrowser(t *testing.T) {
	ctx := browser(t)
	doc := scenarioDocument(t, goldenCase{scenario: "connector-network"})
	doc.Generated = screenshotTime
	routes := Routes(doc.Findings, doc.Paths)
	url, requests := openReport(t, ctx, doc, false)

	// The hops and their statuses, as the model has them.
	got := run(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".diagram .hop")).map(h => h.dataset.key + ":" + h.dataset.status + ":" + h.querySelector(".state").textContent)`))
	var want []string
	for _, h := range routes[0].Hops {
		want = append(want, h.Key+":"+string(h.Status)+":"+Marks[h.Status]+" "+string(h.Status))
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("hops in the DOM:\n%v\nwant\n%v", got, want)
	}

	// Clicking the broken hop shows its findings with every fix command.
	broken := routes[0].Broken()
	if broken < 0 {
		t.Fatal("no broken hop")
	}
	hop := "route-1-hop-" + itoa(broken+1)
	panel := "route-1-panel-" + itoa(broken+1)
	if visible := run(t, ctx, chromedp.Evaluate[bool](`!document.getElementById("`+panel+`").hidden`)); visible {
		t.Errorf("panel %s is visible before the click", panel)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID(hop)), chromedp.WaitVisible(chromedp.ID(panel))); err != nil {
		t.Fatal(err)
	}
	text := run(t, ctx, chromedp.Text(chromedp.ID(panel)))
	failing := 0
	for _, f := range routes[0].Hops[broken].Findings {
		if f.Status != finding.Fail {
			continue
		}
		failing++
		for _, cmd := range f.Remediation.Commands {
			if !strings.Contains(text, cmd) {
				t.Errorf("the broken hop's panel lacks command %q", cmd)
			}
		}
	}
	if failing == 0 {
		t.Error("the broken hop has no failing finding")
	}
	if n := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("#`+panel+` button.copy").length`)); n == 0 {
		t.Error("no copy button on the broken hop's commands")
	}

	// The status filter: unchecking pass hides the passing rows.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.filters input[value="pass"]`))); err != nil {
		t.Fatal(err)
	}
	shown := run(t, ctx, chromedp.Evaluate[int](`Array.from(document.querySelectorAll("#findings tbody tr")).filter(r => !r.hidden).length`))
	if want := doc.Summary.Fail + doc.Summary.Warn + doc.Summary.Error + doc.Summary.Skip; shown != want {
		t.Errorf("%d rows shown with pass unchecked, want %d", shown, want)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.filters input[value="pass"]`))); err != nil {
		t.Fatal(err)
	}

	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`)); err != nil {
		t.Fatal(err)
	}
	screenshot := run(t, ctx, chromedp.CaptureScreenshot())
	assertNotBlank(t, screenshot)
	if goldenfile.Updating() {
		writeScreenshot(t, "html-broken.png", screenshot)
	}
	seen := requests()
	if len(seen) == 0 {
		t.Error("no request seen at all: the network listener is not working")
	}
	for _, r := range seen {
		if r != url {
			t.Errorf("the page requested %s", r)
		}
	}
}

func TestHTMLInBrowserHealthyAndDark(t *testing.T) {
	for _, dark := range []bool{false, true} {
		ctx := browser(t)
		doc := scenarioDocument(t, goldenCase{scenario: "shared-vpc"})
		doc.Generated = screenshotTime
		url, requests := openReport(t, ctx, doc, dark)
		statuses := run(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".diagram .hop")).map(h => h.dataset.status)`))
		for _, s := range statuses {
			if s != string(finding.Pass) {
				t.Errorf("a hop of the healthy Shared VPC path is %s", s)
			}
		}
		groups := run(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".diagram .group text")).map(t => t.textContent)`))
		if !strings.Contains(strings.Join(groups, "|"), "Shared VPC host project net-host-prod") {
			t.Errorf("project frames %q lack the host project", groups)
		}
		screenshot := run(t, ctx, chromedp.CaptureScreenshot())
		assertNotBlank(t, screenshot)
		if goldenfile.Updating() && !dark {
			writeScreenshot(t, "html-healthy.png", screenshot)
		}
		for _, r := range requests() {
			if r != url {
				t.Errorf("the page requested %s", r)
			}
		}
	}
}

// screenshotTime is the report time the screenshots show, so they change only with the page.
var screenshotTime = time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)

// assertNotBlank decodes a PNG and wants many colours and ink on much of it.
func assertNotBlank(t *testing.T, data []byte) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	bounds := img.Bounds()
	colours := map[[3]uint32]bool{}
	background := colourAt(img, bounds.Min.X+1, bounds.Min.Y+1)
	ink := 0
	for y := bounds.Min.Y; y < bounds.Max.Y; y += 3 {
		for x := bounds.Min.X; x < bounds.Max.X; x += 3 {
			c := colourAt(img, x, y)
			colours[c] = true
			if c != background {
				ink++
			}
		}
	}
	samples := (bounds.Dx() / 3) * (bounds.Dy() / 3)
	if len(colours) < 16 || ink < samples/50 {
		t.Errorf("screenshot looks blank: %d colours, %d of %d samples differ from the background", len(colours), ink, samples)
	}
}

func colourAt(img image.Image, x, y int) [3]uint32 {
	r, g, b, _ := img.At(x, y).RGBA()
	return [3]uint32{r >> 8, g >> 8, b >> 8}
}

func writeScreenshot(t *testing.T, name string, data []byte) {
	t.Helper()
	path := filepath.Join("..", "docs", name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", path)
}

// TestHTMLHostileInBrowser opens the page of a snapshot full of hostile values (markup,
// script, event handlers, escapes) and clicks every hop: no element comes from input, no
// script runs but the page's own, nothing is fetched, and the values show as text.
func TestHTMLHostileInBrowser(t *testing.T) {
	ctx := browser(t)
	doc := hostileDocument(t)
	url, requests := openReport(t, ctx, doc, false)
	hops := run(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".diagram .hop")).map(h => h.id)`))
	for _, hop := range hops {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID(hop))); err != nil {
			t.Fatal(err)
		}
	}
	injected := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("img, iframe, object, embed, details details, [onerror], [onload]").length + document.scripts.length - 1`))
	if injected != 0 {
		t.Errorf("%d elements or scripts on the page come from input", injected)
	}
	if text := run(t, ctx, chromedp.Evaluate[string](`document.body.textContent`)); !strings.Contains(text, "<img src=x onerror=alert(1)>") {
		t.Error("the hostile value is not shown as text")
	}
	for _, r := range requests() {
		if r != url {
			t.Errorf("the page requested %s", r)
		}
	}
}
