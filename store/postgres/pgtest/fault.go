package pgtest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Faults of the server itself, for tests of what its clients do when the
// database goes away under them. Tests that use them start a Server of their
// own (Start), not the one Main shares between a package's tests. Restart
// is in pgtest.go.

// Pause stops the server (SIGSTOP) as a stalled machine would: the
// postmaster first, so that it starts no new process, then every process it
// started. Each of those runs in a session of its own (PostgreSQL calls
// setsid in every child), so they cannot be stopped as one process group.
// Connections stay open and new ones are queued by the kernel, but nothing
// answers until Resume.
func (s *Server) Pause() error {
	s.pauseMu.Lock()
	defer s.pauseMu.Unlock()
	if len(s.paused) > 0 {
		return errors.New("pgtest: the server is already paused")
	}
	pm, err := s.postmaster()
	if err != nil {
		return err
	}
	if err := syscall.Kill(pm, syscall.SIGSTOP); err != nil {
		return fmt.Errorf("pgtest: stop the postmaster %d: %w", pm, err)
	}
	s.paused = []int{pm}
	kids, err := children(pm)
	if err != nil {
		s.resumeLocked()
		return err
	}
	for _, pid := range kids {
		// A child may have just exited: it needs no stopping.
		if err := syscall.Kill(pid, syscall.SIGSTOP); err == nil {
			s.paused = append(s.paused, pid)
		}
	}
	// A signal is taken when the process next runs: wait until each is
	// stopped, so that the caller's pause starts now.
	deadline := time.Now().Add(30 * time.Second)
	for _, pid := range s.paused {
		for {
			st, err := state(pid)
			if err != nil || st == "T" {
				break // gone, or stopped
			}
			if time.Now().After(deadline) {
				s.resumeLocked()
				return fmt.Errorf("pgtest: process %d of the server is in state %s 30s after SIGSTOP", pid, st)
			}
			time.Sleep(time.Millisecond)
		}
	}
	return nil
}

// Resume lets a server stopped by Pause run again (SIGCONT). It does
// nothing if the server is not paused.
func (s *Server) Resume() {
	s.pauseMu.Lock()
	defer s.pauseMu.Unlock()
	s.resumeLocked()
}

func (s *Server) resumeLocked() {
	// Children first: the postmaster, running again, finds them running.
	for i := len(s.paused) - 1; i >= 0; i-- {
		syscall.Kill(s.paused[i], syscall.SIGCONT)
	}
	s.paused = nil
}

// postmaster returns the server's process id, from the first line of
// postmaster.pid in the data directory.
func (s *Server) postmaster() (int, error) {
	b, err := os.ReadFile(filepath.Join(s.dir, "data", "postmaster.pid"))
	if err != nil {
		return 0, fmt.Errorf("pgtest: the server's pid: %w", err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		return 0, fmt.Errorf("pgtest: postmaster.pid starts %q: %w", line, err)
	}
	return pid, nil
}

// state returns a process's state letter (R, S, T for stopped…).
func state(pid int) (string, error) {
	f, err := stat(pid)
	if err != nil {
		return "", err
	}
	return f[0], nil
}

// stat returns the fields of /proc/PID/stat after the command name: state,
// ppid, …. The name may hold spaces and parentheses, so the fields are
// counted from the last ")".
func stat(pid int) ([]string, error) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return nil, err
	}
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b[i+1:]))
	if i < 0 || len(f) < 2 {
		return nil, fmt.Errorf("pgtest: /proc/%d/stat = %q", pid, b)
	}
	return f, nil
}

// children lists the processes whose parent is ppid, from /proc.
func children(ppid int) ([]int, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("pgtest: list processes: %w", err)
	}
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		f, err := stat(pid)
		if err != nil {
			continue // gone since the listing
		}
		if p, err := strconv.Atoi(f[1]); err == nil && p == ppid {
			out = append(out, pid)
		}
	}
	return out, nil
}
