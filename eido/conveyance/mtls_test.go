package conveyance_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"math/big"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/eido/conveyance"
	"github.com/tenfour-cad/tenfour/eido/conveyance/conveyancetest"
)

// mustCert makes a certificate for cn signed by parent (self-signed when
// parent is nil), for a CA or a TLS client.
func mustCert(t *testing.T, cn string, ca bool, parent *tls.Certificate) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	if ca {
		tmpl.IsCA, tmpl.BasicConstraintsValid, tmpl.KeyUsage = true, true, x509.KeyUsageCertSign
	} else {
		tmpl.KeyUsage, tmpl.ExtKeyUsage = x509.KeyUsageDigitalSignature, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	signer, signerKey := tmpl, any(key)
	if parent != nil {
		signer, signerKey = parent.Leaf, parent.PrivateKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}

func fingerprint(c tls.Certificate) string {
	sum := sha256.Sum256(c.Certificate[0])
	return hex.EncodeToString(sum[:])
}

// Mutual TLS: a partner whose client certificate the server verifies and
// has pinned to its account subscribes with no token, as that account; a
// certificate of the same CA that is not pinned, or none, is 401 before
// any upgrade.
func TestMutualTLS(t *testing.T) {
	ca := mustCert(t, "partners CA", true, nil)
	pinned := mustCert(t, "county CAD", false, &ca)
	unpinned := mustCert(t, "someone else", false, &ca)
	pool := x509.NewCertPool()
	pool.AddCert(ca.Leaf)

	a := conveyancetest.MustOpenNodeWith(t, "metro.example",
		conveyancetest.Options{TLS: &tls.Config{ClientCAs: pool, ClientAuth: tls.VerifyClientCertIfGiven}}, "metro")
	a.MustCreatePartner(t, "county-cad", "metro", dispatch.RoleLiaison)
	a.HTTP.SetPartnerCertificates(map[string]string{fingerprint(pinned): "county-cad"})
	x := a.MustCreateIncident(t, "metro", "ASSAULT")
	roots := x509.NewCertPool()
	roots.AddCert(a.Certificate())

	for _, tc := range []struct {
		name  string
		certs []tls.Certificate
	}{{"Unpinned", []tls.Certificate{unpinned}}, {"NoCertificate", nil}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, Certificates: tc.certs}}}
			ws, resp, err := websocket.Dial(ctx, a.WebSocketURL(), &websocket.DialOptions{HTTPClient: client, Subprotocols: []string{conveyance.Subprotocol}})
			if err == nil {
				ws.CloseNow()
				t.Fatal("Dial = upgraded, want 401")
			}
			if resp == nil || resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("Dial = %v, %v; want 401", resp, err)
			}
		})
	}

	b := conveyancetest.MustOpenNode(t, "county.example", "county")
	sink := conveyancetest.NewSink(b, "county")
	exec := func(ctx context.Context, act dispatch.Actor, c dispatch.Command) error {
		_, err := b.Engine.Execute(ctx, act, c)
		return err
	}
	s := conveyance.NewSubscriber(a.WebSocketURL(), "", sink, exec, nil)
	s.Agency, s.MinBackoff = "county", 10*time.Millisecond
	s.TLS = &tls.Config{RootCAs: roots, Certificates: []tls.Certificate{pinned}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.Run(ctx) }()
	defer func() { cancel(); <-done }()
	sink.Await(t, "the incident, over mutual TLS", notes(urn(a, x), 0))
	a.Notifier.Flush(context.Background())
	for _, c := range conveyed(t, a, dispatch.TypeEIDOSent) {
		if c.Incident == x && (len(c.Recipients) == 0 || c.Recipients[0].User != "county-cad") {
			t.Errorf("eido.sent of %s to %+v, want to county-cad, the certificate's account", x, c.Recipients)
		}
	}
}
