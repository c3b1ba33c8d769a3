package dashboard_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/chengyun/chengyun/dashboard"
	"github.com/chengyun/chengyun/eventstore/embedded"
)

// TestBigScreenIsServed: / is the built big screen (or the status page when the app was not
// built), /status the status page, and the assets come compressed to browsers that ask.
func TestBigScreenIsServed(t *testing.T) {
	store, err := embedded.Open(t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	srv := httptest.NewServer(dashboard.NewServer(store, dashboard.NewMetrics(), nil, "test"))
	defer srv.Close()
	get := func(path string, h http.Header) (*http.Response, string) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		for k, v := range h {
			req.Header[k] = v
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r io.Reader = resp.Body
		if resp.Header.Get("Content-Encoding") == "gzip" {
			if r, err = gzip.NewReader(resp.Body); err != nil {
				t.Fatal(err)
			}
		}
		b, _ := io.ReadAll(r)
		return resp, string(b)
	}
	if resp, body := get("/status", nil); resp.StatusCode != 200 || !strings.Contains(body, "城运") {
		t.Fatalf("/status: %d", resp.StatusCode)
	}
	resp, index := get("/", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("/: %d", resp.StatusCode)
	}
	script := regexp.MustCompile(`/assets/[^"]+\.js`).FindString(index)
	if script == "" {
		// Not built (make web builds it before make test): / must then be the status page.
		if os.Getenv("CI") == "true" || !strings.Contains(index, "城运") {
			t.Fatalf("/ serves neither the built big screen nor the status page (CI builds the screen first)")
		}
		return
	}
	resp, js := get(script, http.Header{"Accept-Encoding": {"gzip"}})
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") || len(js) < 1000 {
		t.Fatalf("%s: %d %v, %d bytes", script, resp.StatusCode, resp.Header, len(js))
	}
	for _, p := range []string{"/assets/../status.html", "/assets/%2e%2e/web.go", "/assets/nothing.js"} {
		if resp, _ := get(p, nil); resp.StatusCode == 200 {
			t.Fatalf("%s: served", p)
		}
	}
}
