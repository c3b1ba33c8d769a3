// Command wsload measures the live-screen gateway: N WebSocket clients on loopback subscribe
// to the city's indicators and the case feed while cases are reported through the HTTP API
// at R per second. It reports deliveries per second, event→screen latency percentiles (from
// the instant the store recorded each event to the instant a client read it), the server's
// memory per idle connection (with --server-pid), and whether any client saw a gap or a
// repeated sequence number.
//
//	wsload --target http://127.0.0.1:8080 --password '…' --clients 5000 --rate 100 --duration 20s --server-pid 1234
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "wsload:", err)
		os.Exit(1)
	}
}

type config struct {
	target, password, login string
	clients                 int
	rate                    float64
	duration, warmup        time.Duration
	serverPID               int
	compress                bool
	topics                  []string
	pollGap                 time.Duration
}

func run(args []string) error {
	var c config
	fs := flag.NewFlagSet("wsload", flag.ContinueOnError)
	fs.StringVar(&c.target, "target", "http://127.0.0.1:8080", "the server")
	fs.StringVar(&c.login, "login", "admin", "the user who reports the cases")
	fs.StringVar(&c.password, "password", "", "its password")
	fs.IntVar(&c.clients, "clients", 1000, "WebSocket clients")
	fs.Float64Var(&c.rate, "rate", 100, "cases reported per second (one event each)")
	fs.DurationVar(&c.duration, "duration", 20*time.Second, "how long to measure")
	fs.DurationVar(&c.warmup, "warmup", 3*time.Second, "reporting before the measurement starts")
	fs.IntVar(&c.serverPID, "server-pid", 0, "the server's process id, to measure its memory per connection")
	fs.BoolVar(&c.compress, "compress", true, "negotiate per-message compression (as browsers do)")
	fs.DurationVar(&c.pollGap, "poll-gap", time.Millisecond, "the readers' pause before each epoll wait (one wait then returns many sockets; it adds at most this to the latency)")
	cpuProfile := fs.String("cpuprofile", "", "write the load tool's own CPU profile here")
	topics := fs.String("topics", "cases,indicators:city", "the topics each client subscribes to (the case feed must be one)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c.topics = strings.Split(*topics, ",")
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if c.password == "" {
		return errors.New("--password is needed to report cases")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	token, err := login(ctx, c)
	if err != nil {
		return err
	}
	rssBefore := rss(c.serverPID)
	clients, err := connect(ctx, c, token)
	if err != nil {
		return err
	}
	readers, err := startPollers(clients, c.pollGap)
	if err != nil {
		return err
	}
	// Idle: connected and subscribed, nothing flowing yet.
	time.Sleep(2 * time.Second)
	rssIdle := rss(c.serverPID)
	fmt.Printf("clients: %d connected and subscribed\n", len(clients))
	if c.serverPID > 0 {
		fmt.Printf("server memory: %.1f MiB before, %.1f MiB with the idle clients: %.1f KB per connection\n",
			float64(rssBefore)/(1<<20), float64(rssIdle)/(1<<20), float64(rssIdle-rssBefore)/float64(len(clients))/1000)
	}
	var reported atomic.Int64
	ingestCtx, stopIngest := context.WithCancel(ctx)
	ingestDone := make(chan error, 1)
	go func() { ingestDone <- ingest(ingestCtx, c, token, &reported) }()
	time.Sleep(c.warmup)
	// The window is one of report time: a delivery counts when its case was reported inside
	// it, however late it is read, so "every event to every client" is what is counted.
	start := time.Now()
	window.from.Store(start.UnixMilli())
	reportedAtStart := reported.Load()
	select {
	case <-time.After(c.duration):
	case <-ctx.Done():
	}
	end := time.Now()
	window.to.Store(end.UnixMilli())
	elapsed := end.Sub(start)
	events := reported.Load() - reportedAtStart
	stopIngest()
	if err := <-ingestDone; err != nil {
		return err
	}
	time.Sleep(3 * time.Second) // the events of the window's last moments arrive
	readers.Stop()
	fmt.Printf("readers: %d epoll waits, %.1f sockets ready per wait\n", readers.waits.Load(), float64(readers.ready.Load())/math.Max(1, float64(readers.waits.Load())))
	return summarize(c, clients, events, elapsed, float64(rssIdle-rssBefore)/float64(len(clients)))
}

func login(ctx context.Context, c config) (string, error) {
	body, _ := json.Marshal(map[string]string{"login": c.login, "password": c.password})
	req, _ := http.NewRequestWithContext(ctx, "POST", c.target+"/api/v1/auth/login", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 || out.Token == "" {
		return "", fmt.Errorf("log in as %s: HTTP %d", c.login, resp.StatusCode)
	}
	return out.Token, nil
}

// rss is a process's resident memory in bytes (0 without a pid).
func rss(pid int) int64 {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// ingest reports cases at the rate through the HTTP API until ctx ends.
func ingest(ctx context.Context, c config, token string, n *atomic.Int64) error {
	tr := &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}
	hc := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	interval := time.Duration(float64(time.Second) / c.rate)
	sem := make(chan struct{}, 64)
	var failed atomic.Int64
	start := time.Now()
	for k := int64(0); ctx.Err() == nil; k++ {
		if d := time.Until(start.Add(time.Duration(k) * interval)); d > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(d):
			}
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			continue
		}
		go func(k int64) {
			defer func() { <-sem }()
			lon, lat := 114.25+float64(k%97)*0.001, 30.55+float64(k%89)*0.001
			body := fmt.Sprintf(`{"source":"patrol","category":"E0101","title":"负载测试 %d","location":{"point":{"lon":%f,"lat":%f}}}`, k, lon, lat)
			req, _ := http.NewRequest("POST", c.target+"/api/v1/cases", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := hc.Do(req)
			if err != nil {
				failed.Add(1)
				return
			}
			defer resp.Body.Close()
			if resp.StatusCode != 201 {
				failed.Add(1)
				return
			}
			n.Add(1)
			// The instant of each acknowledged report (its card's "reported"): the events of the
			// window every client must read are counted from these, not from what clients read.
			var res struct {
				Events []struct {
					Type       string    `json:"type"`
					OccurredAt time.Time `json:"occurredAt"`
				} `json:"events"`
			}
			if json.NewDecoder(resp.Body).Decode(&res) == nil {
				acked.Lock()
				for _, e := range res.Events {
					acked.at = append(acked.at, e.OccurredAt.UnixMilli())
				}
				acked.Unlock()
			}
		}(k)
	}
	for range cap(sem) {
		sem <- struct{}{}
	}
	if f := failed.Load(); f > 0 {
		fmt.Printf("ingest: %d reports failed\n", f)
	}
	return nil
}

// window is the measured span of report time, in unix ms (to is 0 while it is open): a
// delivery counts when its case was reported inside it, however late it is read.
var window struct{ from, to atomic.Int64 }

// acked holds the instants (unix ms) of the events of every acknowledged report.
var acked struct {
	sync.Mutex
	at []int64
}

// inWindow counts the acknowledged events that happened inside the window.
func inWindow() int64 {
	acked.Lock()
	defer acked.Unlock()
	var n int64
	for _, at := range acked.at {
		if at >= window.from.Load() && at <= window.to.Load() {
			n++
		}
	}
	return n
}

func summarize(c config, clients []*client, events int64, elapsed time.Duration, perConn float64) error {
	var hist [2001]int64
	var received, gaps, dups, closed int64
	reasons := map[string]int{}
	for _, cl := range clients {
		for i, v := range cl.hist {
			hist[i] += v
		}
		received += cl.received
		gaps += cl.gaps
		dups += cl.dups
		if cl.closed != "" {
			closed++
			reasons[cl.closed]++
		}
	}
	pct := func(p float64) int {
		want := int64(math.Ceil(p * float64(received)))
		var seen int64
		for i, v := range hist {
			if seen += v; seen >= want {
				return i
			}
		}
		return len(hist) - 1
	}
	// Every client must read every event reported inside the window (counted from the
	// acknowledged reports, so an event that reached no client shows too).
	var most, least int64 = 0, math.MaxInt64
	for _, cl := range clients {
		most, least = max(most, cl.received), min(least, cl.received)
	}
	windowEvents := inWindow()
	expected := windowEvents * int64(len(clients))
	fmt.Printf("events: %d reported in %.1fs (%.0f/s); %d acknowledged inside the window\n", events, elapsed.Seconds(), float64(events)/elapsed.Seconds(), windowEvents)
	fmt.Printf("deliveries: %d of %d (%.2f%%; the clients read %d to %d of the %d), %.0f/s\n", received, expected,
		100*float64(received)/math.Max(1, float64(expected)), least, most, windowEvents, float64(received)/elapsed.Seconds())
	fmt.Printf("latency: p50 %d ms, p90 %d ms, p99 %d ms, max %d ms\n", pct(0.5), pct(0.9), pct(0.99), pct(1))
	fmt.Printf("sequence: %d gaps, %d duplicates; %d clients disconnected %v\n", gaps, dups, closed, reasons)
	if c.serverPID > 0 {
		fmt.Printf("RESULT clients=%d rate=%.0f deliveries_per_s=%.0f p50_ms=%d p99_ms=%d kb_per_conn=%.1f gaps=%d dups=%d delivered_pct=%.2f\n",
			len(clients), c.rate, float64(received)/elapsed.Seconds(), pct(0.5), pct(0.99), perConn/1000, gaps, dups, 100*float64(received)/math.Max(1, float64(expected)))
	}
	if gaps > 0 || dups > 0 {
		return fmt.Errorf("%d gaps and %d duplicate sequences", gaps, dups)
	}
	return nil
}
