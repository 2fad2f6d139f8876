package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

// envPrefix starts the environment variable of every flag of serve and
// demo: --checkpoint-interval is TENFOUR_CHECKPOINT_INTERVAL.
const envPrefix = "TENFOUR_"

// envName returns the environment variable that sets a flag.
func envName(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// noEnv are the flags that no environment variable sets: they choose what
// the command does, not how the node runs, and a variable left in a unit
// file would change that silently (a node that only ever checks its
// configuration). A restored node's rollback is accepted for one start,
// on the command line (docs/operations.md, "Backups that cannot fork").
var noEnv = map[string]bool{"check-config": true, "accept-rollback": true, "reason": true, "checkpoint-from": true}

// envFlags lets every flag of fs (but noEnv's) be set from its environment
// variable (envName), and says so in --help. It returns the function to
// call after fs.Parse: it sets each flag that the command line did not
// from its variable, if that is set, so that a flag given on the command
// line wins over the environment, which wins over the default. A value the
// flag refuses is an error naming the variable.
func envFlags(fs *flag.FlagSet) func() error {
	usage := fs.Usage
	fs.Usage = func() {
		usage()
		fmt.Fprintf(fs.Output(), "\nEvery flag but --check-config can also be set by its environment variable,\nnamed in its line: a flag on the command line wins over the variable, which\nwins over the default.\n")
	}
	fs.VisitAll(func(f *flag.Flag) {
		if !noEnv[f.Name] {
			f.Usage += " (env " + envName(f.Name) + ")"
		}
	})
	return func() error {
		given := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
		var err error
		fs.VisitAll(func(f *flag.Flag) {
			if err != nil || given[f.Name] || noEnv[f.Name] {
				return
			}
			name := envName(f.Name)
			v, ok := os.LookupEnv(name)
			if !ok {
				return
			}
			if serr := fs.Set(f.Name, v); serr != nil {
				// The value is not repeated: it may be a secret (a
				// database URL with its password).
				err = fmt.Errorf("environment variable %s (for --%s): %w%s", name, f.Name, serr, want(f))
			}
		})
		return err
	}
}

// want says what kind of value a flag takes, for an error: flag's own
// errors say only "parse error".
func want(f *flag.Flag) string {
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return ""
	}
	switch g.Get().(type) {
	case time.Duration:
		return "; want a duration such as 30s, 5m or 24h"
	case bool:
		return "; want true or false"
	case int, int64, uint, uint64:
		return "; want a whole number"
	case float64:
		return "; want a number"
	}
	return ""
}
