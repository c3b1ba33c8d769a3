package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBigScreen opens the big screen of serve --demo in headless chromium, as make run leaves
// it, and checks what an operator relies on: the map draws our own tiles and the live case
// points, the counters show the city, a case reported through the API shows in the live list
// within a second, a click on a district drills the screen down to it, and the time-travel
// slider replays a past day. It leaves var/test-output/big-screen.png.
func TestBigScreen(t *testing.T) {
	ctx := browser(t, 1920, 1080)
	d := startDemoServer(t, filepath.Join(t.TempDir(), "data"), "--public-screen", "--demo-days", "30")
	for !d.up() {
		time.Sleep(20 * time.Millisecond)
	}
	d.waitLog(t, "the last 30 days are written", 60*time.Second)
	eval := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	waitFor := func(what, js string, within time.Duration) {
		t.Helper()
		deadline := time.Now().Add(within)
		for eval(js) != "yes" {
			if time.Now().After(deadline) {
				shot(t, ctx, "big-screen-failed.png")
				t.Fatalf("%s: not within %s", what, within)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	// The page's own viewport, whatever the window's frame takes: the stage is designed on it.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1920, 1080), chromedp.Navigate(d.base+"/")); err != nil {
		t.Fatal(err)
	}
	waitFor("the screen renders", `document.body.dataset.ready === "1" ? "yes" : "no"`, 60*time.Second)
	waitFor("the map draws the districts and the case points", `(() => { const m = window.__map; if (!m || !m.loaded()) return "no";
		const f = m.queryRenderedFeatures(); const src = new Set(f.map(x => x.source));
		return f.length > 0 && src.has("cases") && [...src].some(s => s.startsWith("district")) ? "yes" : "no" })()`, 30*time.Second)
	reported := func() int {
		n, _ := strconv.Atoi(strings.NewReplacer(",", "", " ", "").Replace(eval(`document.querySelector('#kpis [data-id="reported"] .value').textContent`)))
		return n
	}
	waitFor("the counters show the city", `(() => { const v = document.querySelector('#kpis [data-id="reported"] .value'); return v && /\d/.test(v.textContent) ? "yes" : "no" })()`, 20*time.Second)
	cityReported := reported()
	ringTotal := func(scope string) string {
		return fmt.Sprintf(`(() => { const r = document.querySelector("#chart-cats"); return r.dataset.scope === %q && +r.dataset.total > 0 ? r.dataset.total : "" })()`, scope)
	}
	waitFor("the category ring shows the city", ringTotal("city")+` ? "yes" : "no"`, 20*time.Second)
	cityRing, _ := strconv.Atoi(eval(ringTotal("city")))

	// A case reported through the API reaches the live list within a second.
	token := login(t, d.base, "admin", "demo admin password")
	title := fmt.Sprintf("大屏测试 %d", time.Now().UnixNano()%100000)
	body := fmt.Sprintf(`{"source":"hotline","category":"H0101","title":%q,"location":{"point":{"lon":114.30,"lat":30.59}}}`, title)
	if code := call(t, "POST", d.base+"/api/v1/cases", token, body, nil); code != 201 {
		t.Fatalf("report: %d", code)
	}
	posted := time.Now()
	waitFor("the reported case on the screen", fmt.Sprintf(`document.querySelector("#events").textContent.includes(%q) ? "yes" : "no"`, title), time.Second)
	t.Logf("the reported case showed after %s", time.Since(posted).Round(time.Millisecond))
	// The counters move by patches: each two seconds the indicators that changed, not all 107.
	waitFor("the counters count the new case, from a patch", fmt.Sprintf(`(() => { const k = document.querySelector("#kpis");
		const v = parseInt(k.querySelector('[data-id="reported"] .value').textContent.replace(/[, ]/g, ""));
		return v > %d && +(k.dataset.patches ?? 0) > 0 ? "yes" : "no" })()`, cityReported), 10*time.Second)
	shot(t, ctx, "big-screen.png")

	// Drill down: a district of the ranking re-scopes the whole screen.
	code := eval(`document.querySelector("#rank-districts li[data-code]").dataset.code`)
	name := eval(fmt.Sprintf(`document.querySelector('#rank-districts li[data-code="%s"]').textContent`, code))
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`#rank-districts li[data-code="%s"]`, code)))); err != nil {
		t.Fatal(err)
	}
	waitFor("the scope names the district", fmt.Sprintf(`document.querySelector("#scope").textContent.trim().length > 0 && %q.includes(document.querySelector("#scope").textContent.replace(/返回全市|Back to city|·/g, "").trim().slice(0, 2)) ? "yes" : "no"`, name), 10*time.Second)
	waitFor("the counters drop to the district's", fmt.Sprintf(`(() => { const v = parseInt(document.querySelector('#kpis [data-id="reported"] .value').textContent.replace(/[, ]/g, "")); return v >= 0 && v < %d ? "yes" : "no" })()`, max(cityReported, 1)), 10*time.Second)
	waitFor("the category ring drops to the district's", fmt.Sprintf(`+(%s) > 0 && +(%s) < %d ? "yes" : "no"`, ringTotal(code), ringTotal(code), cityRing), 10*time.Second)
	time.Sleep(1500 * time.Millisecond) // the charts' entry animations end, for a screenshot that shows them
	shot(t, ctx, "big-screen-district.png")

	// Time travel: three days back, replayed at speed.
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector("#tt-day"); s.value = "-3";
		s.dispatchEvent(new Event("input", {bubbles: true})); s.dispatchEvent(new Event("change", {bubbles: true})); })()`)); err != nil {
		t.Fatal(err)
	}
	waitFor("replay mode", `document.body.dataset.mode === "replay" && document.querySelector("#kpis").dataset.asof ? "yes" : "no"`, 10*time.Second)
	asof := func() time.Time {
		at, _ := time.Parse(time.RFC3339, eval(`document.querySelector("#kpis").dataset.asof`))
		return at
	}
	first := asof()
	if ago := time.Since(first); ago < 48*time.Hour || ago > 4*24*time.Hour {
		t.Fatalf("replaying %s, want three days ago", first)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#tt-play"))); err != nil {
		t.Fatal(err)
	}
	waitFor("the replay advances", fmt.Sprintf(`new Date(document.querySelector("#kpis").dataset.asof) > new Date(%q) ? "yes" : "no"`, first.Format(time.RFC3339Nano)), 15*time.Second)
	waitFor("the replayed map shows the cases open then", `+document.querySelector("#case-count").textContent.replace(/,/g, "") > 0 ? "yes" : "no"`, 10*time.Second)
	shot(t, ctx, "big-screen-replay.png")

	// A 4K wall: the 1920×1080 stage scales to fill it, and the map redraws at its size.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(3840, 2160)); err != nil {
		t.Fatal(err)
	}
	waitFor("the stage fills 3840×2160", `(() => { const r = document.querySelector("#stage").getBoundingClientRect();
		const c = document.querySelector("#map canvas").getBoundingClientRect();
		return Math.abs(r.width - 3840) < 2 && Math.abs(r.height - 2160) < 2 && c.width > 1500 ? "yes" : "no" })()`, 10*time.Second)
	shot(t, ctx, "big-screen-4k.png")
}

// shot writes a screenshot to var/test-output.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	out := testOutput(t, name)
	if err := os.WriteFile(out, png, 0o644); err == nil {
		t.Logf("screenshot: %s", out)
	}
}
