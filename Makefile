# tenfour — the whole test suite is `make test`; CI runs exactly that.
GO ?= go
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: test lint unit postgres chromium demo bench build

## test: formatting, vet, staticcheck, then every test (unit, fuzz seeds,
## property, end-to-end with real server processes).
test: lint unit

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

unit: postgres chromium
	$(GO) test -count=1 -timeout 14m ./...

## postgres: the tests start their own throw-away PostgreSQL servers; this
## makes sure its binaries are installed (Debian's postgresql package).
postgres:
	@if command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	else echo "PostgreSQL is needed by the tests: install Debian's postgresql package"; exit 1; fi

## chromium: the console's browser tests (cmd/tenfour/console_test.go) drive
## Debian's chromium headless; this makes sure it is installed.
chromium:
	@if command -v chromium >/dev/null || [ -n "$$TENFOUR_CHROMIUM" ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "Chromium is needed by the console tests: install Debian's chromium package"; exit 1; fi

## demo: a live demo city; prints the URL.
demo:
	$(GO) run ./cmd/tenfour demo

## bench: the benchmarks that docs/performance.md reports.
bench:
	$(GO) run ./cmd/tenfour bench log
	$(GO) run ./cmd/tenfour bench verify
	$(GO) run ./cmd/tenfour bench geocode
	$(GO) run ./cmd/tenfour bench recommend

build:
	$(GO) build -o tenfour ./cmd/tenfour
