package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser starts headless Debian chromium for a test (make test installs it). Without it the
// test fails under CI=true and skips elsewhere, naming what it wanted.
func browser(t *testing.T, width, height int) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed (make browser installs it)")
		}
		t.Skip("this test wants Debian's chromium: run make browser")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.WindowSize(width, height), chromedp.Flag("lang", "zh-CN"),
		// WebGL without a GPU: the map draws through SwiftShader.
		chromedp.Flag("use-angle", "swiftshader"), chromedp.Flag("enable-unsafe-swiftshader", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 180*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return ctx
}

// testOutput is where browser tests leave their screenshots: var/test-output of the repository.
func testOutput(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join("..", "..", "var", "test-output")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, name)
}

// TestStatusPageShowsALivingCity opens the status page of serve --demo in a real browser, as
// make run leaves it: the month of history is on the counters, the latest cases fill the
// list, the figures move while one watches, no hidden form shows, and the English switch
// works. It leaves a screenshot in var/test-output/status-page.png.
func TestStatusPageShowsALivingCity(t *testing.T) {
	ctx := browser(t, 1600, 1000)
	d := startDemoServer(t, filepath.Join(t.TempDir(), "data"), "--public-screen", "--demo-days", "30")
	for !d.up() {
		time.Sleep(20 * time.Millisecond)
	}
	number := func(sel string) int {
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatal(err)
		}
		n, _ := strconv.Atoi(strings.NewReplacer(",", "", "–", "").Replace(strings.TrimSpace(s)))
		return n
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(d.base+"/status"), chromedp.WaitVisible(chromedp.CSS("#kpis"))); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(40 * time.Second)
	for number("#k30") < 15000 {
		if time.Now().After(deadline) {
			t.Fatalf("the 30-day counter shows %d, want the history's 15,000 or more", number("#k30"))
		}
		time.Sleep(250 * time.Millisecond)
	}
	if rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#latest tbody tr").length`)); err != nil || rows != 8 {
		t.Fatalf("latest cases: %d rows (%v), want 8", rows, err)
	}
	before := number("#events")
	for number("#events") <= before {
		if time.Now().After(deadline) {
			t.Fatalf("the event counter stayed at %d: the city does not live", before)
		}
		time.Sleep(250 * time.Millisecond)
	}
	if pwShown, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`getComputedStyle(document.getElementById("pwForm")).display !== "none"`)); err != nil || pwShown {
		t.Fatalf("the password form shows on the public screen (%v)", err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	out := testOutput(t, "status-page.png")
	if err := os.WriteFile(out, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", out)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#lang"))); err != nil {
		t.Fatal(err)
	}
	if label, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#kpis .label"))); err != nil || label != "Reported today" {
		t.Fatalf("after the English switch the first counter reads %q (%v)", label, err)
	}
}
