#!/usr/bin/env bash
# Runs the store benchmarks and writes BENCHMARKS.md: the figures, the disk's fsync latency
# measured in the same run, the machine, and the exact command.
set -euo pipefail
cd "$(dirname "$0")/.."
benchtime=${BENCHTIME:-3s}
count=${COUNT:-3}
cmd="go test -run '^\$' -bench . -benchtime $benchtime -count $count ./eventstore/embedded ./eventstore/postgres"
out=$(mktemp)
echo "running: $cmd"
eval "$cmd" 2>&1 | grep -v '^20[0-9][0-9]/' | tee "$out"

# median of each metric per benchmark, as "name unit value" rows
table=$(awk '
  /^Benchmark/ {
    name=$1; sub(/-[0-9]+$/, "", name)
    for (i = 5; i < NF; i += 2) { key=name "|" $(i+1); vals[key]=vals[key] " " $i }
    if (pkg != "") pkgof[name]=pkg
  }
  /^pkg:/ { pkg=$2; sub(".*/", "", pkg) }
  END {
    for (k in vals) {
      n=split(vals[k], a, " "); asort(a); m=a[int((n+1)/2)]
      split(k, p, "|"); printf "%s|%s|%s|%s\n", pkgof[p[1]], p[1], p[2], m
    }
  }' "$out" | sort)

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
  echo "| store | benchmark | figure | unit |"
  echo "|---|---|---|---|"
  echo "$table" | awk -F'|' '$3 != "ns/op" { printf "| %s | %s | %s | %s |\n", $1, $2, $4, $3 }'
  echo
  echo "The fsync rows are the disk's own latency (4 KiB written and synced), measured in the same run:"
  echo "the physical floor under one durable commit."
  echo
  echo "## Raw output"
  echo
  echo '```'
  cat "$out"
  echo '```'
} > BENCHMARKS.md
rm -f "$out"
echo "wrote BENCHMARKS.md"
