package web_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/seatkeeper/seatkeeper/internal/app/apptest"
)

// BrowserEnv names the variable that makes a missing Chromium fail the
// browser tests instead of skipping them; CI sets it.
const BrowserEnv = "SEATKEEPER_TEST_BROWSER"

// browser is one headless Chromium for a test. Each person in it has a
// browser context of their own, so their cookies never mix.
type browser struct {
	t     *testing.T
	ctx   context.Context
	env   *apptest.Env
	shots string // the folder this test's screenshots go to

	mu sync.Mutex
	n  int // screenshots taken, to number them in order
}

// startBrowser starts Chromium for the test, or skips the test when it is
// not installed (and BrowserEnv is not set).
func startBrowser(t *testing.T, env *apptest.Env) *browser {
	t.Helper()
	path := chromium()
	if path == "" {
		if os.Getenv(BrowserEnv) != "" {
			t.Fatal("Chromium is not installed, and " + BrowserEnv + " requires it")
		}
		t.Skip("Chromium is not installed (apt-get install chromium)")
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return &browser{t: t, ctx: ctx, env: env, shots: shotsDir(t)}
}

// chromium finds the browser: $SEATKEEPER_CHROMIUM, or Debian's package.
func chromium() string {
	if p := os.Getenv("SEATKEEPER_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// shotsDir is where a test's screenshots go: $SEATKEEPER_ARTIFACTS, else
// the repository's artifacts folder, one folder per test.
func shotsDir(t *testing.T) string {
	root := os.Getenv("SEATKEEPER_ARTIFACTS")
	if root == "" {
		root = filepath.Join("..", "..", "artifacts")
	}
	name := regexp.MustCompile(`[^A-Za-z0-9_-]+`).ReplaceAllString(t.Name(), "_")
	dir := filepath.Join(root, "screenshots", name)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// person is someone using the dashboard in their own browser context.
type person struct {
	b    *browser
	t    *testing.T
	ctx  context.Context
	name string
}

// person opens a new browser context for someone.
func (b *browser) person(name string) *person {
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	// The first run makes the person's tab, which lives as long as the
	// context of that run: it must be one without a deadline.
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("opening a browser context for %s: %v", name, err)
	}
	return &person{b: b, t: b.t, ctx: ctx, name: name}
}

// run runs browser actions, failing the test with what was being done.
func (p *person) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.shot("failed")
		p.t.Fatalf("%s: %s: %v", p.name, what, err)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](p *person, what, js string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		p.shot("failed")
		p.t.Fatalf("%s: %s: %v", p.name, what, err)
	}
	return v
}

// open goes to a path of the dashboard.
func (p *person) open(path string) {
	p.t.Helper()
	p.run("opening "+path, chromedp.Navigate(p.b.env.URL+path),
		chromedp.WaitReady(chromedp.CSS("body")))
}

// fill types a value into the field that sel finds.
func (p *person) fill(sel, value string) {
	p.t.Helper()
	p.run("filling "+sel, chromedp.WaitVisible(chromedp.CSS(sel)),
		chromedp.SetValue(chromedp.CSS(sel), value))
}

// click clicks the element that sel finds.
func (p *person) click(sel string) {
	p.t.Helper()
	p.run("clicking "+sel, chromedp.WaitVisible(chromedp.CSS(sel)),
		chromedp.Click(chromedp.CSS(sel)))
}

// press clicks the button or link whose text is label.
func (p *person) press(label string) {
	p.t.Helper()
	sel := fmt.Sprintf(`//*[(self::button or self::a or self::summary) and `+
		`normalize-space(.)=%q and not(ancestor::dialog[not(@open)])]`, label)
	p.run("pressing "+label, chromedp.WaitVisible(chromedp.Search(sel)),
		chromedp.Click(chromedp.Search(sel)))
}

// see waits until the page shows text. It asks again and again rather
// than waiting in the page, because a form sent just before may still be
// replacing the page, which breaks any wait that the old page began.
func (p *person) see(text string) {
	p.t.Helper()
	js := fmt.Sprintf(`document.body !== null && document.body.innerText.includes(%q)`, text)
	deadline := time.Now().Add(15 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			p.shot("failed")
			p.t.Fatalf("%s: the page never showed %q (last error: %v)", p.name, text, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// count returns how many elements sel finds on the page.
func (p *person) count(sel string) int {
	p.t.Helper()
	return eval[int](p, "counting "+sel,
		fmt.Sprintf(`document.querySelectorAll(%q).length`, sel))
}

// text returns the page's visible text.
func (p *person) text() string {
	p.t.Helper()
	return eval[string](p, "reading the page", `document.body.innerText`)
}

// path returns the path of the page the person is on.
func (p *person) path() string {
	p.t.Helper()
	return eval[string](p, "reading the location", `location.pathname`)
}

// fitsWindow fails the test when the page is wider than the window, so
// that reading it needs scrolling sideways.
func (p *person) fitsWindow(page string) {
	p.t.Helper()
	js := `[document.documentElement.scrollWidth, document.documentElement.clientWidth]`
	w := eval[[]int](p, "measuring "+page, js)
	if w[0] > w[1] {
		p.t.Errorf("%s: the page is %d px wide in a window of %d px", page, w[0], w[1])
	}
}

// shot saves a screenshot of the whole page as a test artifact.
func (p *person) shot(name string) {
	p.b.mu.Lock()
	p.b.n++
	n := p.b.n
	p.b.mu.Unlock()

	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Logf("screenshot %s: %v", name, err)
		return
	}
	file := filepath.Join(p.b.shots, fmt.Sprintf("%02d-%s-%s.png", n,
		strings.ToLower(strings.Fields(p.name)[0]), name))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		p.t.Logf("screenshot %s: %v", name, err)
	}
}

// signIn signs the person in through the sign-in form.
func (p *person) signIn(email, password string) {
	p.t.Helper()
	p.open("/sign-in")
	p.fill("#email", email)
	p.fill("#password", password)
	p.press("Sign in")
	p.see("Sign out")
}

// follow opens the link of the newest mail to the address.
func (p *person) follow(address string) {
	p.t.Helper()
	path, token := p.b.env.LinkToken(p.t, p.b.env.MailTo(p.t, address))
	p.open(path + "?token=" + token)
}
