// Package e2e drives the whole Pillars application in a real browser (Chromium, through the
// DevTools protocol) and checks every page it visits with axe-core.
//
// Run it with: go test ./e2e/ -count=1 -v
//
// Set PILLARS_E2E_SCREENSHOTS to a directory to keep a full-page PNG of every page visited.
package e2e

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/pillars-ot/pillars/internal/testutil"
)

// chromiumPath is the browser the tests drive.
const chromiumPath = "/usr/bin/chromium"

// Hang protection only: nothing here asserts how fast anything is.
const (
	actionTimeout     = 30 * time.Second
	navigationTimeout = 60 * time.Second
	axeTimeout        = 120 * time.Second
)

//go:embed testdata/axe.min.js
var axeSource string

// shared is the one browser the test process uses. Each test opens its own tab in its own
// browser context, so cookies never leak between tests.
var shared struct {
	once    sync.Once
	err     error
	ctx     context.Context
	cancels []context.CancelFunc
	dir     string
}

func TestMain(m *testing.M) {
	code := m.Run()
	for i := len(shared.cancels) - 1; i >= 0; i-- {
		shared.cancels[i]()
	}
	if shared.dir != "" {
		_ = os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// browser returns the shared browser, starting it the first time. A missing Chromium fails the
// test: these tests are part of the suite, not optional extras.
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("the browser tests need Chromium at %s, which is missing (%v): run `apt-get install chromium`", chromiumPath, err)
	}
	shared.once.Do(func() {
		dir, err := os.MkdirTemp("", "pillars-e2e-chromium-")
		if err != nil {
			shared.err = err
			return
		}
		shared.dir = dir
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(chromiumPath),
			chromedp.Headless,
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.UserDataDir(dir),
			chromedp.WindowSize(1280, 900),
		)
		allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelBrowser := chromedp.NewContext(allocCtx)
		shared.cancels = append(shared.cancels, cancelAlloc, cancelBrowser)
		// The first Run starts the browser; its context must have no deadline, or the deadline
		// would end the browser. A watchdog stands in for one.
		done := make(chan error, 1)
		go func() { done <- chromedp.Do(ctx) }()
		select {
		case err := <-done:
			if err != nil {
				shared.err = fmt.Errorf("start %s: %w", chromiumPath, err)
				return
			}
		case <-time.After(navigationTimeout):
			cancelBrowser()
			shared.err = fmt.Errorf("start %s: no answer within %s", chromiumPath, navigationTimeout)
			return
		}
		shared.ctx = ctx
	})
	if shared.err != nil {
		t.Fatalf("browser: %v", shared.err)
	}
	return shared.ctx
}

// tab is one browser tab in its own browser context (its own cookies), on one running app.
type tab struct {
	ctx  context.Context
	app  *testutil.App
	js   bool
	name string // for screenshot file names
	step int
}

// newTab opens a tab. With js false, the tab runs no page scripts at all, as for a person who
// has turned JavaScript off or whose browser failed to load it.
func newTab(t *testing.T, app *testutil.App, js bool) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser(t), chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // opens the tab; no deadline, see browser
		t.Fatalf("open a tab: %v", err)
	}
	b := &tab{ctx: ctx, app: app, js: js, name: t.Name()}
	if !js {
		b.scripts(t, false)
	}
	return b
}

// scripts turns the page's script execution on or off.
func (b *tab) scripts(t *testing.T, on bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on}); err != nil {
		t.Fatalf("turn scripts on=%v: %v", on, err)
	}
}

// run runs one action with hang protection, failing the test on error.
func run[T any](t *testing.T, b *tab, what string, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// eval evaluates a JavaScript expression in the page through DevTools (not subject to the page's
// Content-Security-Policy, and working with page scripts turned off) and decodes the result.
func eval[T any](t *testing.T, b *tab, expr string) T {
	t.Helper()
	return run(t, b, "evaluate "+firstLine(expr), chromedp.Evaluate[T](expr))
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " ..."
	}
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return s
}

// do runs actions that cause no navigation.
func (b *tab) do(t *testing.T, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	run(t, b, what, chromedp.Steps(steps...))
}

// navigate runs actions that load a new page (following a link, submitting a form), waits for
// the page, then checks it with axe. It returns the response to the HTML document; after
// redirects that is the final one.
func (b *tab) navigate(t *testing.T, step string, steps ...chromedp.Action[chromedp.Void]) *network.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, navigationTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, steps...)
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	if resp == nil {
		t.Fatalf("%s: no response for the page", step)
	}
	b.check(t, step)
	return resp
}

// visit opens a path of the app and checks the page.
func (b *tab) visit(t *testing.T, step, path string) *network.Response {
	t.Helper()
	return b.open(t, step, b.app.URL+path)
}

// open loads a URL, as typing it in the address bar does, and checks the page.
func (b *tab) open(t *testing.T, step, url string) *network.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, navigationTimeout)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		t.Fatalf("%s: open %s: %v", step, url, err)
	}
	if resp == nil {
		t.Fatalf("%s: no response for %s", step, url)
	}
	b.check(t, step)
	return resp
}

// enter presses the Enter key as a physical keyboard does: one keyDown that carries the text
// "\r", so Chromium itself produces the keypress, and suppresses it when the keydown was handled
// (following a link, say), then keyUp. chromedp.KeyEvent sends the char as a separate event that
// always arrives, so after a keydown moves focus (an error summary link focusing its field) it
// would land on the new element and submit the form: not what a person's keyboard does.
func enter() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		down := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyDown, Key: "Enter", Code: "Enter",
			WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13, Text: "\r", UnmodifiedText: "\r"}
		up := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyUp, Key: "Enter", Code: "Enter",
			WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13}
		for _, ev := range []input.DispatchKeyEventParams{down, up} {
			if _, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, ev); err != nil {
				return err
			}
		}
		return nil
	})
}

// press sends keys to whatever has focus.
func (b *tab) press(t *testing.T, keys string) {
	t.Helper()
	b.do(t, fmt.Sprintf("press %q", keys), chromedp.KeyEvent(keys))
}

// focus moves keyboard focus to the element.
func (b *tab) focus(t *testing.T, css string) {
	t.Helper()
	b.do(t, "focus "+css, chromedp.Focus(chromedp.CSS(css)))
}

// activate focuses an element and presses Enter on it, as a keyboard user would, and checks the
// page that loads.
func (b *tab) activate(t *testing.T, step, css string) *network.Response {
	t.Helper()
	b.focus(t, css)
	if !b.focusedMatches(t, css) {
		t.Fatalf("%s: focus is on %s, not on %s", step, b.focused(t), css)
	}
	return b.navigate(t, step, enter())
}

// fill replaces a field's value, as pasting does.
func (b *tab) fill(t *testing.T, css, value string) {
	t.Helper()
	ok := eval[bool](t, b, fmt.Sprintf(`(() => {
		const e = document.querySelector(%s);
		if (!e) return false;
		e.value = %s;
		e.dispatchEvent(new Event('input', {bubbles: true}));
		e.dispatchEvent(new Event('change', {bubbles: true}));
		return e.value === %[2]s;
	})()`, jsString(css), jsString(value)))
	if !ok {
		t.Fatalf("could not fill %s", css)
	}
}

// typeInto clears a field and types into it key by key.
func (b *tab) typeInto(t *testing.T, css, value string) {
	t.Helper()
	b.fill(t, css, "")
	b.do(t, "type into "+css, chromedp.SendKeys(chromedp.CSS(css), value))
	if got := b.value(t, css); got != value {
		t.Fatalf("typed %q into %s, but it holds %q", value, css, got)
	}
}

// focusInfo describes the element that has keyboard focus.
type focusInfo struct {
	Tag   string `json:"tag"`
	ID    string `json:"id"`
	Class string `json:"class"`
	Href  string `json:"href"`
	Text  string `json:"text"`
}

func (f focusInfo) String() string {
	s := "<" + strings.ToLower(f.Tag)
	if f.ID != "" {
		s += ` id="` + f.ID + `"`
	}
	if f.Class != "" {
		s += ` class="` + f.Class + `"`
	}
	if f.Href != "" {
		s += ` href="` + f.Href + `"`
	}
	s += ">"
	if f.Text != "" {
		s += " " + f.Text
	}
	return s
}

func (b *tab) focused(t *testing.T) focusInfo {
	t.Helper()
	return eval[focusInfo](t, b, `(() => {
		const e = document.activeElement || document.body || document.documentElement;
		return {tag: e.tagName, id: e.id || '', class: typeof e.className === 'string' ? e.className : '',
			href: e.getAttribute('href') || '', text: (e.innerText || e.value || '').trim().slice(0, 60)};
	})()`)
}

// focusedMatches reports whether the focused element matches the CSS selector.
func (b *tab) focusedMatches(t *testing.T, css string) bool {
	t.Helper()
	return eval[bool](t, b, fmt.Sprintf(`!!document.activeElement && document.activeElement.matches(%s)`, jsString(css)))
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// path is the current path and query.
func (b *tab) path(t *testing.T) string {
	t.Helper()
	return eval[string](t, b, `location.pathname + location.search`)
}

// text is the visible text of the first element matching css, or "" if there is none.
func (b *tab) text(t *testing.T, css string) string {
	t.Helper()
	return eval[string](t, b, fmt.Sprintf(`(() => { const e = document.querySelector(%s); return e ? e.innerText.trim() : '' })()`, jsString(css)))
}

// texts is the visible text of every element matching css.
func (b *tab) texts(t *testing.T, css string) []string {
	t.Helper()
	return eval[[]string](t, b, fmt.Sprintf(`[...document.querySelectorAll(%s)].map(e => e.innerText.trim())`, jsString(css)))
}

// value is the current value of a form field.
func (b *tab) value(t *testing.T, css string) string {
	t.Helper()
	return eval[string](t, b, fmt.Sprintf(`(() => { const e = document.querySelector(%s); return e ? e.value : '(no such field)' })()`, jsString(css)))
}

func (b *tab) title(t *testing.T) string {
	t.Helper()
	return eval[string](t, b, `document.title`)
}

// summaryList reads the NHS.UK summary lists in the main content as key: value.
func (b *tab) summaryList(t *testing.T) map[string]string {
	t.Helper()
	return eval[map[string]string](t, b, `Object.fromEntries([...document.querySelectorAll('main .nhsuk-summary-list__row')].map(r =>
		[r.querySelector('.nhsuk-summary-list__key').innerText.trim(), r.querySelector('.nhsuk-summary-list__value').innerText.trim()]))`)
}

// errorSummary is the messages in the page's error summary, or nil when there is none.
func (b *tab) errorSummary(t *testing.T) []string {
	t.Helper()
	if b.text(t, ".nhsuk-error-summary h2") == "" {
		return nil
	}
	return b.texts(t, ".nhsuk-error-summary__list li")
}

// check runs axe on the page, failing the test on any violation, and saves a screenshot when
// PILLARS_E2E_SCREENSHOTS is set.
func (b *tab) check(t *testing.T, step string) {
	t.Helper()
	b.step++
	b.screenshot(t, step)
	if b.js {
		// app.js (an ES module loaded under the page's CSP) marks the page; if it did not run,
		// the progressive enhancements silently vanish.
		if !eval[bool](t, b, `document.body.classList.contains('js-enabled')`) {
			t.Errorf("%s: app.js did not run (no js-enabled class on body) on %s", step, b.path(t))
		}
	} else if eval[bool](t, b, `document.body.classList.contains('js-enabled')`) {
		t.Fatalf("%s: page scripts ran in a tab with JavaScript turned off", step)
	}
	b.axe(t, step)
}

func (b *tab) screenshot(t *testing.T, step string) {
	t.Helper()
	dir := os.Getenv("PILLARS_E2E_SCREENSHOTS")
	if dir == "" {
		return
	}
	png := run(t, b, "screenshot", chromedp.FullScreenshot(100))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("%s-%02d-%s.png", fileSafe(b.name), b.step, fileSafe(step))
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9]+`)

func fileSafe(s string) string {
	return strings.Trim(strings.ToLower(unsafeChars.ReplaceAllString(s, "-")), "-")
}

type axeNode struct {
	Target  json.RawMessage `json:"target"`
	HTML    string          `json:"html"`
	Summary string          `json:"summary"`
}

type axeViolation struct {
	ID      string    `json:"id"`
	Impact  string    `json:"impact"`
	Help    string    `json:"help"`
	HelpURL string    `json:"helpUrl"`
	Nodes   []axeNode `json:"nodes"`
}

type axeResult struct {
	Version    string         `json:"version"`
	Violations []axeViolation `json:"violations"`
	Incomplete []axeViolation `json:"incomplete"`
	Passes     int            `json:"passes"`
}

// axe runs axe-core with its default rules (WCAG 2.x A and AA, and best practice) and fails the
// test on any violation, saying enough to fix it.
func (b *tab) axe(t *testing.T, step string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, axeTimeout)
	defer cancel()
	if !b.js {
		// axe needs timers, which do not run while scripts are off. Turning scripts on for the
		// check runs none of the page's own scripts: they were skipped when the page loaded.
		b.scripts(t, true)
		defer func() {
			b.scripts(t, false)
			if eval[bool](t, b, `document.body.classList.contains('js-enabled')`) {
				t.Fatalf("%s: page scripts ran while axe checked the page", step)
			}
		}()
	}
	// Injected through DevTools, so the page's CSP does not apply and nothing is downloaded.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`window.axe ? undefined : (() => {`+axeSource+"\n})()")); err != nil {
		t.Fatalf("%s: inject axe: %v", step, err)
	}
	res, err := chromedp.Run(ctx, chromedp.Evaluate[axeResult](`axe.run(document, {resultTypes: ['violations', 'incomplete']}).then(r => {
		const simple = list => list.map(v => ({id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
			nodes: v.nodes.map(n => ({target: n.target, html: n.html,
				summary: n.failureSummary || [...n.any, ...n.all, ...n.none].map(c => c.message).join('\n')}))}));
		return {version: r.testEngine.version, passes: r.passes.length, violations: simple(r.violations), incomplete: simple(r.incomplete)};
	})`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: run axe: %v", step, err)
	}
	if res.Passes == 0 {
		t.Fatalf("%s: axe %s ran no rules: is the page empty?", step, res.Version)
	}
	// What axe cannot decide alone is reported for a person to look at; it does not fail.
	if len(res.Incomplete) > 0 {
		t.Logf("%s", axeReport(fmt.Sprintf("%s: axe %s needs a person to review %d item(s) on %s", step, res.Version, len(res.Incomplete), b.path(t)), res.Incomplete))
	}
	if len(res.Violations) > 0 {
		t.Errorf("%s", axeReport(fmt.Sprintf("%s: axe %s found %d accessibility violation(s) on %s", step, res.Version, len(res.Violations), b.path(t)), res.Violations))
	}
}

func axeReport(heading string, list []axeViolation) string {
	var sb strings.Builder
	sb.WriteString(heading + ":\n")
	for _, v := range list {
		fmt.Fprintf(&sb, "\n  [%s] %s (impact: %s)\n    %s\n", v.ID, v.Help, v.Impact, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&sb, "    - target: %s\n      html:   %s\n", n.Target, n.HTML)
			for _, line := range strings.Split(strings.TrimSpace(n.Summary), "\n") {
				if line != "" {
					fmt.Fprintf(&sb, "      %s\n", strings.TrimSpace(line))
				}
			}
		}
	}
	return sb.String()
}
