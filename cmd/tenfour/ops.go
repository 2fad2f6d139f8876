package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/metrics"
)

// listenMetrics binds the metrics listener, when MetricsAddr is set, and
// makes the metrics the engine and the server will report to. The metrics
// have a listener of their own so that /metrics is never on the address
// the public and the partners reach: a firewall opens it to Prometheus
// alone.
func (m *Main) listenMetrics() error {
	if m.MetricsAddr == "" {
		return nil
	}
	l, err := net.Listen("tcp", m.MetricsAddr)
	if err != nil {
		return fmt.Errorf("listen for metrics on %s: %w", m.MetricsAddr, err)
	}
	m.metricsListener = l
	m.MetricsURL = "http://" + l.Addr().String() + "/metrics"
	m.Metrics = metrics.New()
	return nil
}

// observer is the engine's observer: the metrics, if any.
func (m *Main) observer() engine.Observer {
	if m.Metrics == nil {
		return nil
	}
	return m.Metrics
}

// serveMetrics serves /metrics on l until the returned function is called.
// Its requests are not logged: Prometheus scrapes every few seconds.
func serveMetrics(l net.Listener, h http.Handler, logger *slog.Logger) (stop func()) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Warn("metrics listener stopped", "err", err)
		}
	}()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		<-done
	}
}

// logStart writes the line that says the node serves: which build, which
// store, where, and the log it serves.
func (m *Main) logStart() {
	v, revision := metrics.Build()
	if version != "" {
		v = version // stamped by make release: git describe
	}
	store := "sqlite " + m.DataDir
	if m.DB != "" {
		store = "postgres " + redactURL(m.DB)
	}
	l := m.Engine.Log()
	role := "follower"
	if l.IsSequencer() {
		role = "sequencer"
	}
	if l.Held() != nil {
		role = "read-only" // the ledger logged why (ledger/hold.go)
	}
	attrs := []any{"version", v, "revision", revision, "node", m.Node, "role", role,
		"store", store, "address", m.URL, "origin", l.Origin(), "log_size", l.Size()}
	if m.MetricsURL != "" {
		attrs = append(attrs, "metrics", m.MetricsURL)
	}
	m.Logger.Info("serving", attrs...)
}
