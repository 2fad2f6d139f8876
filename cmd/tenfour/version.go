package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version is the release's version, stamped by "make release"
// (-ldflags "-X main.version=$(git describe)"); empty in a plain build,
// where the module's build information is all there is.
var version string

// buildVersion describes the running binary from its build info: the module
// version ("(devel)" for a build from a work tree), the VCS revision and
// time, and whether the tree had uncommitted changes.
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "tenfour (no build information) " + runtime.Version()
	}
	v := bi.Main.Version
	if version != "" {
		v = version // stamped by make release: git describe
	}
	if v == "" {
		v = "(devel)"
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
	out := "tenfour " + v
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
