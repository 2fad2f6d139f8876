package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/eido"
	"github.com/tenfour-cad/tenfour/eido/conveyance"
	"github.com/tenfour-cad/tenfour/engine"
)

// EIDOPartner is a partner's notifier this node subscribes to
// (--eido-subscribe): its URL, the bearer token of the account the partner
// made for this installation, and the agency the EIDOs are received for.
type EIDOPartner struct {
	URL    string
	Token  string
	Agency string
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// eidoFlags adds the EIDO conveyance's flags to serve and returns the
// function that reads them, once parsed, into the partners to subscribe to.
func eidoFlags(fs *flag.FlagSet) func() ([]EIDOPartner, error) {
	var urls, tokenFiles listFlag
	fs.Var(&urls, "eido-subscribe", "subscribe to the EIDO notifier at `URL` (ws:// or wss://…/eido/v1/ent, NENA-STA-024.1a); repeatable, each with an --eido-token-file in the same order")
	fs.Var(&tokenFiles, "eido-token-file", "`file` holding the bearer token of the partner's account for the --eido-subscribe at the same place")
	agency := fs.String("eido-agency", "", "the `agency` that receives the EIDOs of --eido-subscribe (required with it)")
	return func() ([]EIDOPartner, error) {
		if len(urls) != len(tokenFiles) {
			return nil, fmt.Errorf("give one --eido-token-file for each --eido-subscribe (%d URLs, %d token files)", len(urls), len(tokenFiles))
		}
		if len(urls) > 0 && *agency == "" {
			return nil, errors.New("--eido-subscribe needs --eido-agency: the agency that receives the EIDOs")
		}
		var out []EIDOPartner
		for i, u := range urls {
			p, err := url.Parse(u)
			if err != nil || (p.Scheme != "ws" && p.Scheme != "wss") || p.Host == "" {
				return nil, fmt.Errorf("--eido-subscribe %q: want a ws:// or wss:// URL", u)
			}
			b, err := os.ReadFile(tokenFiles[i])
			if err != nil {
				return nil, fmt.Errorf("--eido-token-file: %w", err)
			}
			token := strings.TrimSpace(string(b))
			if token == "" {
				return nil, fmt.Errorf("--eido-token-file %s is empty", tokenFiles[i])
			}
			out = append(out, EIDOPartner{URL: u, Token: token, Agency: *agency})
		}
		return out, nil
	}
}

// exportSource conveys the EIDO export, as the Retrieval Service answers
// it (engine.IncidentExport, eido.Build): the incident as the partner's
// account may see it.
type exportSource struct{ e *engine.Engine }

// EIDO implements conveyance.Source.
func (s exportSource) EIDO(ctx context.Context, a dispatch.Actor, id string) ([]byte, error) {
	x, err := s.e.IncidentExport(ctx, a, id)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(eido.Build(x))
	if err != nil {
		return nil, fmt.Errorf("EIDO of %s: %w", id, err)
	}
	return b, nil
}

// IncidentID implements conveyance.Resolver: tenfour's id, or the tracking
// identifier of an incident of this installation's log.
func (s exportSource) IncidentID(ref string) (string, bool) {
	return eido.IncidentID(ref, s.e.Log().Origin())
}

// openEIDO makes the node's notifier, which conveys the EIDO export
// (Main.EIDOSource, exportSource by default), and its subscribers, when it
// has partners and an import for what they send (Main.EIDOSink).
func (m *Main) openEIDO() error {
	if m.EIDOSource == nil {
		m.EIDOSource = exportSource{m.Engine}
	}
	m.Notifier = conveyance.NewNotifier(m.Engine, m.EIDOSource, m.Logger)
	m.Server.SetConveyance(m.Notifier)
	if len(m.EIDOSubscribe) == 0 {
		return nil
	}
	if m.EIDOSink == nil {
		return errors.New("--eido-subscribe: this build has no EIDO import to take in what partners send")
	}
	for _, p := range m.EIDOSubscribe {
		sink, err := m.EIDOSink(p.Agency)
		if err != nil {
			return fmt.Errorf("--eido-subscribe %s: %w", p.URL, err)
		}
		s := conveyance.NewSubscriber(p.URL, p.Token, sink, m.exec, m.Logger)
		s.Agency = p.Agency
		if u, err := url.Parse(p.URL); err == nil {
			s.Name = u.Host // the partner, in the log: never the token
		}
		m.subscribers = append(m.subscribers, s)
	}
	return nil
}

// runEIDO runs the notifier and the subscribers until ctx is done, and
// returns a function that waits for them to end.
func (m *Main) runEIDO(ctx context.Context) (wait func()) {
	var wg sync.WaitGroup
	if m.Notifier != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := m.Notifier.Run(ctx); err != nil {
				m.Logger.Error("EIDO notifier stopped", "err", err)
			}
		}()
	}
	for _, s := range m.subscribers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.Run(ctx)
		}()
	}
	return wg.Wait
}
