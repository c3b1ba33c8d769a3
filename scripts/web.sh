#!/usr/bin/env bash
# Builds the big-screen app into dashboard/web/dist (embedded by the Go binary) when its
# sources are newer than the build: npm ci from the lock file, then Vite.
set -euo pipefail
cd "$(dirname "$0")/../dashboard/web"
stamp=dist/index.html
if [ -f "$stamp" ] && [ -z "$(find src index.html package.json package-lock.json vite.config.ts tsconfig.json public -newer "$stamp" 2>/dev/null | head -1)" ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "web: npm is needed to build the big screen (Debian: apt-get install nodejs npm)" >&2
  exit 1
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run build --silent
touch dist/.gitkeep
