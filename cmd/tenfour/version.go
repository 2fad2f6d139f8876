package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// buildVersion describes the running binary from its build info: the module
// version ("(devel)" for a build from a work tree), the VCS revision and
// time, and whether the tree had uncommitted changes.
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "tenfour (no build information) " + runtime.Version()
	}
	version := bi.Main.Version
	if version == "" {
		version = "(devel)"
	}
	var rev, at, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = " (modified)"
			}
		}
	}
	out := "tenfour " + version
	if rev != "" {
		out += ", revision " + rev + dirty
	}
	if at != "" {
		out += ", committed " + at
	}
	return out + ", " + bi.GoVersion
}

func runVersion(stdout io.Writer) error {
	_, err := fmt.Fprintln(stdout, buildVersion())
	return err
}
