package main

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkWSFanout runs the live-screen load tool (cmd/wsload) as its own process against a
// serve process: the two loads the big screens must carry (sub-benchmarks name clients and
// events per second). The figures are the tool's: deliveries per second, event→screen p50 and
// p99, the server's memory per idle connection; a gap or a repeated sequence fails it.
func BenchmarkWSFanout(b *testing.B) {
	tool := filepath.Join(b.TempDir(), "wsload")
	if out, err := exec.Command("go", "build", "-o", tool, "../wsload").CombinedOutput(); err != nil {
		b.Fatalf("build wsload: %v\n%s", err, out)
	}
	for _, load := range []struct{ clients, rate int }{{5000, 100}, {2000, 1000}} {
		b.Run("clients="+strconv.Itoa(load.clients)+"/rate="+strconv.Itoa(load.rate), func(b *testing.B) {
			for b.Loop() {
				fanout(b, tool, load.clients, load.rate)
			}
		})
	}
}

func fanout(b *testing.B, tool string, clients, rate int) {
	d := startPlainServer(b)
	defer func() { _ = d.cmd.Process.Kill() }()
	out, err := exec.Command(tool, "--target", d.base, "--password", "load test password", "--clients", strconv.Itoa(clients),
		"--rate", strconv.Itoa(rate), "--duration", "20s", "--server-pid", strconv.Itoa(d.cmd.Process.Pid), "--compress=false").CombinedOutput()
	if err != nil {
		b.Fatalf("wsload: %v\n%s", err, out)
	}
	b.Logf("%s", out)
	for _, line := range strings.Split(string(out), "\n") {
		rest, ok := strings.CutPrefix(line, "RESULT ")
		if !ok {
			continue
		}
		for _, kv := range strings.Fields(rest) {
			k, v, _ := strings.Cut(kv, "=")
			x, _ := strconv.ParseFloat(v, 64)
			switch k {
			case "deliveries_per_s":
				b.ReportMetric(x, "deliveries/s")
			case "p50_ms":
				b.ReportMetric(x, "p50-ms")
			case "p99_ms":
				b.ReportMetric(x, "p99-ms")
			case "kb_per_conn":
				b.ReportMetric(x, "KB/conn")
			case "delivered_pct":
				b.ReportMetric(x, "delivered-%")
			}
		}
	}
}
