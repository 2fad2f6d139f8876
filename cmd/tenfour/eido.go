package main

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
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
	Token  string // "": the client certificate of TLS stands for the account
	Agency string
	TLS    *tls.Config
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// eidoFlags adds the EIDO conveyance's flags to serve and returns the
// function that reads them, once parsed, into m (the partners'
// certificates) and the partners to subscribe to.
func eidoFlags(fs *flag.FlagSet, m *Main) func() ([]EIDOPartner, error) {
	clientCA := fs.String("tls-client-ca", "", "PEM `file` of the CAs whose client certificates the HTTPS server verifies (mutual TLS, for partners; with --partner-certs)")
	certs := fs.String("partner-certs", "", "`file` pinning partners' client certificates to their accounts: lines of \"<SHA-256 of the certificate, hex> <username>\"")
	clientCert := fs.String("eido-client-cert", "", "client certificate `file` (PEM) the --eido-subscribe connections present, for partners that pin it (mutual TLS; with --eido-client-key)")
	clientKey := fs.String("eido-client-key", "", "the client certificate's private key `file` (PEM)")
	partnerCA := fs.String("eido-ca", "", "PEM `file` of the CAs that vouch for the partners' servers (default: the system's)")
	var urls, tokenFiles listFlag
	fs.Var(&urls, "eido-subscribe", "subscribe to the EIDO notifier at `URL` (ws:// or wss://…/eido/v1/ent, NENA-STA-024.1a); repeatable, each with an --eido-token-file in the same order")
	fs.Var(&tokenFiles, "eido-token-file", "`file` holding the bearer token of the partner's account for the --eido-subscribe at the same place")
	agency := fs.String("eido-agency", "", "the `agency` that receives the EIDOs of --eido-subscribe (required with it)")
	return func() ([]EIDOPartner, error) {
		if *certs != "" {
			if *clientCA == "" {
				return nil, errors.New("--partner-certs needs --tls-client-ca: the CAs that vouch for the partners' certificates")
			}
			pins, err := readPins(*certs)
			if err != nil {
				return nil, err
			}
			m.PartnerCerts = pins
		}
		m.TLSClientCA = *clientCA
		cfg, err := clientTLS(*clientCert, *clientKey, *partnerCA)
		if err != nil {
			return nil, err
		}
		noCert := cfg == nil || len(cfg.Certificates) == 0
		if len(tokenFiles) > 0 && len(urls) != len(tokenFiles) || len(tokenFiles) == 0 && len(urls) > 0 && noCert {
			return nil, fmt.Errorf("give one --eido-token-file for each --eido-subscribe (%d URLs, %d token files), or none and an --eido-client-cert", len(urls), len(tokenFiles))
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
			var token string
			if len(tokenFiles) > 0 {
				b, err := os.ReadFile(tokenFiles[i])
				if err != nil {
					return nil, fmt.Errorf("--eido-token-file: %w", err)
				}
				if token = strings.TrimSpace(string(b)); token == "" {
					return nil, fmt.Errorf("--eido-token-file %s is empty", tokenFiles[i])
				}
			}
			out = append(out, EIDOPartner{URL: u, Token: token, Agency: *agency, TLS: cfg})
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

// importSink takes a partner's EIDO in as POST /api/v1/eido does
// (eido.DecodeImport, engine.Import), into its agency, as the system
// "eido": created or updated by the EIDO's tracking identifier.
type importSink struct {
	e      *engine.Engine
	agency string
}

// Import implements conveyance.Sink.
func (s importSink) Import(ctx context.Context, body []byte) (string, error) {
	cmd, err := eido.DecodeImport(body)
	if err != nil {
		return "", err
	}
	cmd.Agency = s.agency
	res, err := s.e.Import(ctx, conveyance.SystemActor, cmd)
	if err != nil {
		return "", err
	}
	return res.Incident, nil
}

// openEIDO makes the node's notifier, which conveys the EIDO export
// (Main.EIDOSource, exportSource by default), and its subscribers, which
// hand what partners send to the import (Main.EIDOSink, importSink by
// default).
func (m *Main) openEIDO() error {
	if m.EIDOSource == nil {
		m.EIDOSource = exportSource{m.Engine}
	}
	if m.EIDOSink == nil {
		m.EIDOSink = func(agency string) (conveyance.Sink, error) { return importSink{m.Engine, agency}, nil }
	}
	m.Notifier = conveyance.NewNotifier(m.Engine, m.EIDOSource, m.Logger)
	m.Notifier.Imported = func(in dispatch.Incident) bool { return in.Import != nil }
	m.Server.SetConveyance(m.Notifier)
	if len(m.PartnerCerts) > 0 {
		m.Server.SetPartnerCertificates(m.PartnerCerts)
	}
	for _, p := range m.EIDOSubscribe {
		sink, err := m.EIDOSink(p.Agency)
		if err != nil {
			return fmt.Errorf("--eido-subscribe %s: %w", p.URL, err)
		}
		s := conveyance.NewSubscriber(p.URL, p.Token, sink, m.exec, m.Logger)
		s.Agency, s.TLS = p.Agency, p.TLS
		if u, err := url.Parse(p.URL); err == nil {
			s.Name = u.Host // the partner, in the log: never the token
		}
		m.subscribers = append(m.subscribers, s)
	}
	return nil
}

// runEIDO runs the notifier and the subscribers until ctx is done, and
// returns a function that waits for them to end. The notifier follows the
// engine before it returns, so that no change is missed by a partner that
// connects at once.
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
		<-m.Notifier.Ready()
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

// readPins reads a --partner-certs file: "<sha256 hex> <username>" lines;
// blank lines and lines starting with # are skipped.
func readPins(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--partner-certs: %w", err)
	}
	pins := map[string]string{}
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 2 {
			return nil, fmt.Errorf("--partner-certs %s:%d: want \"<sha256> <username>\"", path, i+1)
		}
		if d, err := hex.DecodeString(f[0]); err != nil || len(d) != sha256.Size {
			return nil, fmt.Errorf("--partner-certs %s:%d: %q is not a SHA-256 in hex", path, i+1, f[0])
		}
		pins[strings.ToLower(f[0])] = f[1]
	}
	return pins, nil
}

// clientAuth has the TLS configuration verify the client certificates
// that --tls-client-ca vouches for, when one is offered: a partner without
// one still signs in with a token.
func (m *Main) clientAuth(cfg *tls.Config) error {
	if m.TLSClientCA == "" {
		return nil
	}
	if cfg == nil {
		return errors.New("--tls-client-ca needs HTTPS (--tls-cert and --tls-key)")
	}
	b, err := os.ReadFile(m.TLSClientCA)
	if err != nil {
		return fmt.Errorf("--tls-client-ca: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return fmt.Errorf("--tls-client-ca %s holds no PEM certificate", m.TLSClientCA)
	}
	cfg.ClientCAs, cfg.ClientAuth = pool, tls.VerifyClientCertIfGiven
	return nil
}

// clientTLS returns the TLS configuration of the subscriptions: a client
// certificate to present and the CAs of the partners' servers; nil when
// neither is given.
func clientTLS(certFile, keyFile, caFile string) (*tls.Config, error) {
	if certFile == "" && keyFile == "" && caFile == "" {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if certFile != "" || keyFile != "" {
		if certFile == "" || keyFile == "" {
			return nil, errors.New("give --eido-client-cert and --eido-client-key together")
		}
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("--eido-client-cert: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	if caFile != "" {
		b, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("--eido-ca: %w", err)
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("--eido-ca %s holds no PEM certificate", caFile)
		}
	}
	return cfg, nil
}
