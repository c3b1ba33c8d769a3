#!/usr/bin/env bash
# Runs the store benchmarks and writes BENCHMARKS.md: the figures, the disk's fsync latency
# measured in the same run, the machine, and the exact command.
set -euo pipefail
cd "$(dirname "$0")/.."
benchtime=${BENCHTIME:-3s}
count=${COUNT:-3}
# Point location is measured on one core (-cpu 1), as the figure it must reach is per core.
cmd="go test -run '^\$' -bench . -benchtime $benchtime -count $count ./eventstore/embedded ./eventstore/postgres ./commands ./dashboard ./geo/tiles && go test -run '^\$' -bench . -cpu 1 -benchtime $benchtime -count $count ./geo/locate && go test -run '^\$' -bench 'Replay' -benchtime 1x -count $count ./indicators && go test -run '^\$' -bench 'AsOf|LiveLatency' -benchtime 300x -count $count ./indicators && go test -run '^\$' -bench 'CatchUp' -benchtime 1x -count $count ./projections && CHENGYUN_BENCH_EVENTS=1000000 go test -run '^\$' -bench 'CatchUpAll' -benchtime 1x -count $count -timeout 60m ./cmd/chengyun && go test -run '^\$' -bench 'LiveEventToIndicator' -benchtime 1000x -count $count ./cmd/chengyun && go test -run '^\$' -bench 'Backfill' -benchtime 1x -count $count ./cmd/chengyun/sim && go test -run '^\$' -bench 'DemoStart|SimulateLoad|WSFanout' -benchtime 1x -count $count ./cmd/chengyun"
out=$(mktemp)
if [ -n "${BENCH_RAW:-}" ]; then
  # re-render BENCHMARKS.md from the raw output of an earlier run
  grep -v '^running:' "$BENCH_RAW" | grep -v '^rc=' > "$out"
else
  echo "running: $cmd"
  eval "$cmd" 2>&1 | grep -v '^20[0-9][0-9]/' | tee "$out"
fi

# median of each metric per benchmark, as "name unit value" rows
table=$(awk '
  /^pkg:/ { pkg=$2; sub(".*/", "", pkg) }
  /^Benchmark/ {
    name=$1; sub(/-[0-9]+$/, "", name)
    for (i = 5; i < NF; i += 2) { key=pkg "|" name "|" $(i+1); vals[key]=vals[key] " " $i }
  }
  END {
    for (k in vals) {
      n=split(vals[k], a, " "); asort(a); printf "%s|%s\n", k, a[int((n+1)/2)]
    }
  }' "$out" | sort)

# each target beside its median: store|benchmark|unit|median|direction|target|met
checked=$(awk -F'|' 'NR==FNR { if ($0 !~ /^#/) t[$1 "|" $2 "|" $3]=$4 "|" $5; next }
  ($1 "|" $2 "|" $3) in t { split(t[$1 "|" $2 "|" $3], g, "|");
    met = (g[1] == ">=") ? ($4 + 0 >= g[2] + 0) : ($4 + 0 <= g[2] + 0);
    printf "| %s | %s | %s %s | %s | %s |\n", $1, $2, $4, $3, g[1] " " g[2], met ? "met" : "**missed**" }' \
  scripts/bench-targets.txt <(echo "$table"))

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')
{
  echo "# Benchmarks"
  echo
  echo "Produced by \`make bench\` (scripts/bench.sh), which ran:"
  echo
  echo '```'
  echo "$cmd"
  echo '```'
  echo
  echo "Machine: $(nproc) cores ($cpu), $(free -g | awk '/Mem:/ {print $2}') GiB memory, $(uname -sr), $(go version | cut -d' ' -f3);"
  echo "PostgreSQL $(psql -V 2>/dev/null | awk '{print $3}') on the same machine. Date: $(date -u +%Y-%m-%d). Events are about 500 bytes of JSON;"
  echo "every append is durable (synced) before it returns. Figures are the median of $count runs."
  echo
  echo "## Against the targets"
  echo
  echo "| package | benchmark | median | target | |"
  echo "|---|---|---|---|---|"
  echo "$checked"
  echo
  echo "## All figures"
  echo
  echo "| package | benchmark | figure | unit |"
  echo "|---|---|---|---|"
  echo "$table" | awk -F'|' '$3 != "ns/op" { printf "| %s | %s | %s | %s |\n", $1, $2, $4, $3 }'
  echo
  echo "BenchmarkFsync is the disk's own latency (4 KiB written and synced), measured in the same run:"
  echo "the physical floor under one durable commit. BenchmarkPebbleCeiling* is bare Pebble on the same"
  echo "disk with the store's two keys per event and nothing else (no validation, hashing or index),"
  echo "showing how far the embedded store is from its engine."
  [ -f BENCHMARKS.notes.md ] && { echo; cat BENCHMARKS.notes.md; }
  echo
  echo "## Raw output"
  echo
  echo '```'
  cat "$out"
  echo '```'
} > BENCHMARKS.md
rm -f "$out"
echo "wrote BENCHMARKS.md"
