# tenfour — the whole test suite is `make test`; CI runs exactly that.
GO ?= go
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: test lint unit demo bench build

## test: formatting, vet, staticcheck, then every test (unit, fuzz seeds,
## property, end-to-end with real server processes).
test: lint unit

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

unit:
	$(GO) test -count=1 -timeout 12m ./...

## demo: a live demo city; prints the URL.
demo:
	$(GO) run ./cmd/tenfour demo

## bench: the benchmarks that docs/performance.md reports.
bench:
	$(GO) run ./cmd/tenfour bench log
	$(GO) run ./cmd/tenfour bench verify

build:
	$(GO) build -o tenfour ./cmd/tenfour
