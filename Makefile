# tenfour — the whole test suite is `make test`; CI runs exactly that.
GO ?= go
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: test lint unit postgres chromium demo bench build release

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

## release: static, reproducible binaries for linux/amd64 and linux/arm64 in
## release/, with SHA256SUMS. Two clean clones of one commit give the same
## hashes (docs/operations.md, "Packages"): no cgo, no paths (-trimpath), no
## build id, the version from git describe, the VCS revision from -buildvcs.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
RELEASE_PLATFORMS := linux/amd64 linux/arm64

release:
	rm -rf release && mkdir -p release
	@set -e; for p in $(RELEASE_PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; \
		echo "build tenfour $(VERSION) $$os/$$arch"; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch GOFLAGS= $(GO) build -trimpath -buildvcs=true \
			-ldflags "-s -w -buildid= -X main.version=$(VERSION)" \
			-o release/tenfour-$(VERSION)-$$os-$$arch ./cmd/tenfour; \
	done
	cd release && sha256sum tenfour-* > SHA256SUMS && cat SHA256SUMS
