# Chengyun — the two commands are `make run` and `make test`; everything they need is installed
# or started by scripts/ from here.
SHELL := /bin/bash
GO    ?= go
PKGS  := ./...
STORE ?= var/data
ADDR  ?= :8080

.PHONY: run build web test test-race lint bench chaos fuzz services browser clean

run: web ## the whole system with the demo city on the embedded store at http://localhost:8080 (the screen reads without login)
	$(GO) run ./cmd/chengyun serve --store $(STORE) --addr $(ADDR) --public-screen --demo

build: web
	$(GO) build -o bin/chengyun ./cmd/chengyun

web: ## build the big-screen app (dashboard/web: npm + Vite) into dashboard/web/dist, embedded by the Go binary
	@bash scripts/web.sh

test: lint services browser web ## every test, with the race detector, against real services and a real browser
	@$(GO) test -count=1 -run 'TestContract$$' -v ./eventstore/esdb | grep -E '^\s*(contract_test|--- )' || true
	$(GO) test -race -count=1 -timeout 12m $(PKGS)
	@# The race detector slows the brute-force point-location references ~20x, so under -race
	@# they check a twentieth of the points; here they run in full (100,000 random points).
	$(GO) test -count=1 -timeout 5m -run 'Reference|Vertices' ./geo/locate
	@# Likewise the indicator agreement run: about 100,000 events here, a sixth under -race.
	$(GO) test -count=1 -timeout 5m -run 'TestAgreement' ./indicators

lint: ## gofmt and go vet must be clean
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet $(PKGS)

services: ## start PostgreSQL, NATS and Mosquitto if they are down
	@bash scripts/services.sh

browser: ## install Debian's chromium and a CJK font for the browser tests if they are missing
	@bash scripts/browser.sh

bench: services ## benchmarks; writes BENCHMARKS.md
	@bash scripts/bench.sh

chaos: services ## long crash runs: 20 SIGKILLs of a writer process, PostgreSQL crash-restarts
	CHENGYUN_CRASH_ROUNDS=20 $(GO) test -race -count=1 -timeout 30m -run 'Crash|Restart' -v ./eventstore/...

fuzz: ## each fuzz target for 30 s
	@bash scripts/fuzz.sh 30s

clean:
	rm -rf bin var dashboard/web/node_modules
	find dashboard/web/dist -mindepth 1 ! -name .gitkeep -delete
