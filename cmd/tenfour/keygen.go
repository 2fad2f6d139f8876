package main

import (
	"fmt"
	"io"

	"github.com/tenfour-cad/tenfour/ledger"
)

func runKeygen(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("keygen", "tenfour keygen — make an Ed25519 log signing key (a C2SP signed-note key).\n\nThe key's name is the log's origin. All nodes of one deployment use one key\n(serve --key FILE). The public verifier key is printed.", stderr)
	origin := fs.String("origin", "tenfour.local/log", "origin of the log: the key's name")
	out := fs.String("out", "", "write the private key to this `file` (mode 0600; default: standard output)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	skey, err := ledger.GenerateKey(*origin)
	if err != nil {
		return err
	}
	k, err := ledger.ParseKey(skey)
	if err != nil {
		return err
	}
	if *out == "" {
		fmt.Fprintln(stdout, skey)
		fmt.Fprintln(stderr, "verifier key:", k.Text)
		return nil
	}
	if err := writeSecret(*out, skey+"\n"); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\nverifier key: %s\n", *out, k.Text)
	return nil
}
