package pgtest

import (
	"testing"
)

// Processes lists the server's postmaster and its children, for tests.
func Processes(tb testing.TB, s *Server) []int {
	tb.Helper()
	pm, err := s.postmaster()
	if err != nil {
		tb.Fatal(err)
	}
	kids, err := children(pm)
	if err != nil {
		tb.Fatal(err)
	}
	return append([]int{pm}, kids...)
}

// State returns a process's state letter from /proc (T: stopped).
func State(tb testing.TB, pid int) string {
	tb.Helper()
	st, err := state(pid)
	if err != nil {
		tb.Fatal(err)
	}
	return st
}
