// Command tenfour is accountable multi-agency computer-aided dispatch.
//
//	tenfour serve   run a node
//	tenfour demo    run a node with a generated city
//	tenfour verify  check a log or an evidence bundle
//	tenfour export  write an evidence bundle
//	tenfour import  import an incident from a NENA EIDO file
//	tenfour keygen  make a log signing key
//	tenfour backup  copy a node's database, verified
//	tenfour restore restore a backup into a data directory
//	tenfour status  report on a node
//	tenfour map     check a centre's map
//	tenfour bench   measure the log
//	tenfour peer    add, list and remove partner installations
//	tenfour version print the version and revision (also --version)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `tenfour — accountable multi-agency computer-aided dispatch

Usage:
  tenfour <command> [flags]

Commands:
  serve    run a tenfour node on a data directory
  demo     run a node with a small generated city, for trying tenfour
  verify   verify a log (URL) or an evidence bundle (FILE) offline, one log's or several installations'
  export   write the evidence bundle of an incident
  import   import another system's incident from a NENA EIDO file
  keygen   make a log signing key
  backup   write a verified copy of a node's SQLite database, while it serves
  restore  put a backup into a data directory, verified first
  status   say whether a node is ready, sequencing, and how far behind
  user     add, list, disable and unlock users, reset passwords, make tokens
  map      check a centre's map, write the demo city's, geocode on it
  bench    measure durable append throughput and verification speed
  peer     add, list and remove partner installations (peers)
  version  print the version and the revision it was built from (also --version)

Run "tenfour <command> --help" for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "tenfour:", err)
		}
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, args, stdout, stderr)
	case "demo":
		return runDemo(ctx, args, stdout, stderr)
	case "verify":
		return runVerify(ctx, args, stdout, stderr)
	case "export":
		return runExport(ctx, args, stdout, stderr)
	case "import":
		return runImport(ctx, args, stdout, stderr)
	case "keygen":
		return runKeygen(args, stdout, stderr)
	case "bench":
		return runBench(ctx, args, stdout, stderr)
	case "backup":
		return runBackup(ctx, args, stdout, stderr)
	case "restore":
		return runRestore(ctx, args, stdout, stderr)
	case "status":
		return runStatus(ctx, args, stdout, stderr)
	case "user":
		return runUser(ctx, args, stdout, stderr)
	case "map":
		return runMap(ctx, args, stdout, stderr)
	case "peer":
		return runPeer(ctx, args, stdout, stderr)
	case "version", "--version", "-version":
		return runVersion(stdout)
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

// newFlags returns a flag set that prints its usage with a one-line summary.
func newFlags(name, summary string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "%s\n\nFlags:\n", summary)
		fs.PrintDefaults()
	}
	return fs
}
