package store

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
)

// Unreachable reports whether err is a failure to reach the database that
// passes, not an answer from it: a connection refused, cut or timed out, a
// server that is starting up, shutting down or has no connection slot left.
// Nothing was read or written by the failed call; the same call succeeds
// once the database is back, so a request that failed so is answered "not
// now" (503 with Retry-After), never as an internal error.
//
// It reads the errors' kinds, not their drivers: a net.Error, a stream cut
// short, a deadline, or an SQLSTATE (PostgreSQL's errors carry one) of class
// 08 (connection exception) or 57P (operator intervention: admin_shutdown,
// crash_shutdown, cannot_connect_now), or 53300 (too_many_connections).
func Unreachable(err error) bool {
	if err == nil {
		return false
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var coded interface{ SQLState() string }
	if errors.As(err, &coded) {
		c := coded.SQLState()
		return strings.HasPrefix(c, "08") || strings.HasPrefix(c, "57P") || c == "53300"
	}
	return false
}
