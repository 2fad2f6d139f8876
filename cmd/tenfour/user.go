package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tenfour-cad/tenfour/auth"
	"github.com/tenfour-cad/tenfour/dispatch"
)

const userUsage = `tenfour user — manage users on a data directory.

  tenfour user add --username NAME --roles ROLE[,ROLE] [--agency ID] [--password P]
  tenfour user list
  tenfour user disable NAME
  tenfour user unlock NAME
  tenfour user reset-password NAME [--password P]
  tenfour user token NAME [--name TEXT] [--roles ROLE,…] [--expires DURATION] [--code CODE]

Every command takes --data DIR (and --db, --key as serve does). It works on a
data directory whose node is stopped, and records each change in the log as
done by "cli:<your login>". While nodes run, use the users API instead
(docs/api.md). A password left out is generated and printed once.

A token lives 90 days unless --expires says less (serve's --token-life sets
the installation's bound). A token that carries a role with a second factor
(supervisor, admin) is made only with that user's current one-time code
(--code): the command line makes no token its user could not make.
`

func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		fmt.Fprint(stderr, userUsage)
		if len(args) == 0 {
			return errors.New("user needs a subcommand")
		}
		return nil
	}
	sub, args := args[0], args[1:]
	fs := newFlags("user "+sub, userUsage, stderr)
	m := &Main{Offline: true}
	fs.StringVar(&m.DataDir, "data", "tenfour-data", "data `directory`")
	fs.StringVar(&m.DB, "db", "", "PostgreSQL `URL`, as for serve")
	fs.StringVar(&m.KeyFile, "key", "", "signing key `file`, as for serve")
	username := fs.String("username", "", "the new user's `name` (add)")
	agency := fs.String("agency", "", "the user's agency `id`; none for an installation administrator (add)")
	roles := fs.String("roles", "", "comma-separated `roles` (add: the user's; token: the token's, a subset)")
	password := fs.String("password", "", "the `password` (add, reset-password); default: generated")
	name := fs.String("name", "", "what the token is for (token)")
	expires := fs.Duration("expires", 0, "the token's lifetime, such as 720h; 0: the installation's token life (token)")
	code := fs.String("code", "", "the user's current one-time `code`, for a token carrying a role with a second factor (token)")
	fs.DurationVar(&m.TokenLife, "token-life", auth.DefaultTokenLife, "the longest an API token lives, as serve's --token-life (token)")
	// Flags may come before or after the user name.
	var positional []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	target := func() (string, error) {
		if len(positional) != 1 {
			return "", fmt.Errorf("user %s takes one user name", sub)
		}
		return positional[0], nil
	}
	var run func(ctx context.Context, by dispatch.Actor) error
	switch sub {
	case "add":
		run = func(ctx context.Context, by dispatch.Actor) error {
			if *username == "" || *roles == "" {
				return errors.New("user add needs --username and --roles")
			}
			pw, generated := *password, *password == ""
			if generated {
				pw = auth.NewPassword()
			}
			_, uri, err := m.Auth.CreateUser(ctx, m.exec, by, auth.NewUser{Username: *username, Agency: *agency, Roles: splitList(*roles), Password: pw})
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "created user %s\n", *username)
			if generated {
				fmt.Fprintf(stdout, "password: %s\n", pw)
			}
			if uri != "" {
				fmt.Fprintf(stdout, "totp: %s\n(add it to the user's authenticator app; it is shown only now)\n", uri)
			}
			return nil
		}
	case "list":
		run = func(ctx context.Context, by dispatch.Actor) error {
			us, err := m.Auth.Users(ctx)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(w, "USERNAME\tAGENCY\tROLES\tSECOND FACTOR\tSTATE")
			now := m.Auth.Now()
			for _, u := range us {
				state := "active"
				switch {
				case u.Disabled:
					state = "disabled"
				case u.LockedUntil.After(now):
					state = "locked until " + u.LockedUntil.Local().Format("15:04")
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%v\t%s\n", u.Username, orDash(u.Agency), strings.Join(u.Roles, ","), u.TOTPSecret != "", state)
			}
			return w.Flush()
		}
	case "disable":
		run = func(ctx context.Context, by dispatch.Actor) error {
			u, err := target()
			if err == nil {
				_, err = m.Auth.DisableUser(ctx, by, u)
			}
			if err == nil {
				fmt.Fprintf(stdout, "disabled %s and ended its sessions\n", u)
			}
			return err
		}
	case "unlock":
		run = func(ctx context.Context, by dispatch.Actor) error {
			u, err := target()
			if err == nil {
				_, err = m.Auth.Unlock(ctx, by, u)
			}
			if err == nil {
				fmt.Fprintf(stdout, "unlocked %s\n", u)
			}
			return err
		}
	case "reset-password":
		run = func(ctx context.Context, by dispatch.Actor) error {
			u, err := target()
			if err != nil {
				return err
			}
			pw, generated := *password, *password == ""
			if generated {
				pw = auth.NewPassword()
			}
			if err := m.Auth.ResetPassword(ctx, by, u, pw); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "set a new password for %s and ended its sessions\n", u)
			if generated {
				fmt.Fprintf(stdout, "password: %s\n", pw)
			}
			return nil
		}
	case "token":
		run = func(ctx context.Context, by dispatch.Actor) error {
			u, err := target()
			if err != nil {
				return err
			}
			secret, t, err := m.Auth.IssueToken(ctx, by, auth.TokenRequest{Username: u, Name: *name, Roles: splitList(*roles), TTL: *expires, Code: *code})
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "token %s for %s", t.ID, u)
			if !t.Expires.IsZero() {
				fmt.Fprintf(stdout, ", valid until %s", t.Expires.Format(time.RFC3339))
			}
			fmt.Fprintf(stdout, "\ntoken: %s\n(it is shown only now)\n", secret)
			return nil
		}
	default:
		fmt.Fprint(stderr, userUsage)
		return fmt.Errorf("unknown user subcommand %q", sub)
	}
	if err := m.Open(ctx); err != nil {
		m.Close()
		if strings.Contains(err.Error(), "in use by another tenfour process") {
			return fmt.Errorf("%w: stop its node, or use the users API while it runs", err)
		}
		return err
	}
	defer m.Close()
	if m.Bootstrap != nil {
		fmt.Fprintf(stderr, "this was a new data directory: created the administrator (credentials in %s/bootstrap-admin.txt)\n", m.DataDir)
	}
	return run(ctx, cliActor())
}

// cliActor is who a command-line change is recorded as: the operator's login
// on the machine that holds the data directory.
func cliActor() dispatch.Actor {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return dispatch.Actor{System: "cli:" + name}
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
