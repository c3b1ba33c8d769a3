package dashboard_test

import (
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chengyun/chengyun/eventstore/embedded"
)

// BenchmarkHTTPCommands64 drives the command API over real HTTP with 64 concurrent clients on
// the embedded store, each walking its own cases from report to close as an authenticated
// admin. It reports commands/s and the p99 latency of one request.
func BenchmarkHTTPCommands64(b *testing.B) {
	s, err := embedded.Open(b.TempDir(), embedded.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	a := serveOn(b, s)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}}
	report := `{"source":"patrol","category":"` + a.category() + `","title":"井盖破损","location":{"address":"武昌区中北路 1 号","district":"420106"}}`
	steps := []struct{ cmd, body string }{{"verify", `{}`}, {"register", `{}`}, {"dispatch", `{}`}, {"accept", `{}`},
		{"handle", `{"feedback":"已更换"}`}, {"inspect", `{"pass":true}`}, {"close", `{}`}}
	const clients = 64
	var next atomic.Int64
	lat := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var id string
			post := func(url, body string) bool {
				t0 := time.Now()
				req, _ := http.NewRequest("POST", url, strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+a.token) // every request is authenticated and authorized
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return false
				}
				// Draining the body lets the connection be reused, as any real client does.
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lat[c] = append(lat[c], time.Since(t0))
				if resp.StatusCode >= 300 {
					b.Errorf("POST %s: %d", url, resp.StatusCode)
					return false
				}
				if id == "" {
					id = strings.TrimPrefix(resp.Header.Get("Location"), "/api/v1/cases/")
				}
				return true
			}
			for i := 0; next.Add(1) <= int64(b.N); i = (i + 1) % (len(steps) + 1) {
				ok := false
				if i == 0 {
					id = ""
					ok = post(a.url+"/api/v1/cases", report)
				} else {
					ok = post(a.url+"/api/v1/cases/"+id+"/"+steps[i-1].cmd, steps[i-1].body)
				}
				if !ok {
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	all := slices.Concat(lat...)
	slices.Sort(all)
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "commands/s")
	if len(all) > 0 {
		b.ReportMetric(float64(all[len(all)*99/100])/1e6, "p99-ms")
	}
}
