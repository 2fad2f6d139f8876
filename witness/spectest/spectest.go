// Package spectest checks a C2SP tlog-witness from the outside, written
// from the specifications alone (c2sp.org/tlog-witness,
// c2sp.org/tlog-cosignature, c2sp.org/signed-note, c2sp.org/tlog-checkpoint)
// and none of tenfour's witness code: it builds add-checkpoint requests with
// golang.org/x/mod/sumdb/tlog and note, checks the status codes the spec
// gives, and verifies the cosignatures it gets back with crypto/ed25519 by
// hand. Like store/storetest, it is a suite any implementation runs: tenfour's
// witness runs it in its tests, and so can any other witness.
package spectest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// A Witness is the witness under test.
type Witness struct {
	// URL is its submission prefix: the suite posts to URL+"/add-checkpoint".
	URL string
	// Key is its cosignature/v1 verifier key, "<name>+<hash>+<base64>".
	Key string
	// Trust makes the witness know a log: its origin and note verifier key.
	Trust func(t *testing.T, origin, vkey string)
	// Client sends the requests; nil means http.DefaultClient.
	Client *http.Client
	// Deviations names the subtests in which the witness is known to
	// depart from the spec, with how: they are skipped with that sentence,
	// so that a run says what it did not check.
	Deviations map[string]string
}

// Run runs the suite against w. Each subtest makes logs of its own, with
// origins unique to the run.
func Run(t *testing.T, w Witness) {
	name, pub := parseKey(t, w.Key)
	c := &client{t: t, w: w, name: name, pub: pub}
	run := fmt.Sprintf("%d", time.Now().UnixNano())
	newLog := func(t *testing.T, label string) *log {
		l := makeLog(t, "spectest.example/"+run+"/"+label)
		w.Trust(t, l.origin, l.vkey)
		return l
	}

	t.Run("Cosign", func(t *testing.T) {
		deviates(t, w)
		l := newLog(t, "cosign")
		l.add(t, 7)
		c.cosigned(t, l, c.post(t, l.request(t, 0, l.proof(t, 0))))
		l.add(t, 30)
		c.cosigned(t, l, c.post(t, l.request(t, 7, l.proof(t, 7))))
		// The same checkpoint again, from its own size: an empty proof.
		c.cosigned(t, l, c.post(t, l.request(t, 37, nil)))
	})
	t.Run("StaleOld", func(t *testing.T) {
		deviates(t, w)
		l := newLog(t, "stale")
		l.add(t, 5)
		c.cosigned(t, l, c.post(t, l.request(t, 0, nil)))
		l.add(t, 2)
		for _, old := range []int64{0, 3, 6} {
			r := c.post(t, l.request(t, old, l.proof(t, old)))
			if r.status != http.StatusConflict || r.contentType != "text/x.tlog.size" || r.body != "5\n" {
				t.Errorf("add-checkpoint(old %d, holding 5) = %d %q %q, want 409 text/x.tlog.size \"5\\n\"", old, r.status, r.contentType, r.body)
			}
		}
	})
	t.Run("UnknownOrigin", func(t *testing.T) {
		deviates(t, w)
		l := makeLog(t, "spectest.example/"+run+"/unknown")
		l.add(t, 3)
		if r := c.post(t, l.request(t, 0, nil)); r.status != http.StatusNotFound {
			t.Errorf("add-checkpoint(unknown origin) = %d %q, want 404", r.status, r.body)
		}
	})
	t.Run("UnknownKey", func(t *testing.T) {
		deviates(t, w)
		l := newLog(t, "unknownkey")
		other := makeLog(t, l.origin) // the same origin, a key the witness does not know
		other.add(t, 3)
		if r := c.post(t, other.request(t, 0, nil)); r.status != http.StatusForbidden {
			t.Errorf("add-checkpoint(signed by an unknown key) = %d %q, want 403", r.status, r.body)
		}
	})
	t.Run("OldBeyondSize", func(t *testing.T) {
		deviates(t, w)
		l := newLog(t, "beyond")
		l.add(t, 3)
		if r := c.post(t, l.request(t, 4, nil)); r.status != http.StatusBadRequest {
			t.Errorf("add-checkpoint(old 4 > size 3) = %d %q, want 400", r.status, r.body)
		}
	})
	t.Run("BadProof", func(t *testing.T) {
		deviates(t, w)
		l := newLog(t, "badproof")
		l.add(t, 6)
		c.cosigned(t, l, c.post(t, l.request(t, 0, nil)))
		l.add(t, 5)
		p := l.proof(t, 6)
		p[len(p)-1][3] ^= 0x10
		if r := c.post(t, l.request(t, 6, p)); r.status != http.StatusUnprocessableEntity {
			t.Errorf("add-checkpoint(bad proof) = %d %q, want 422", r.status, r.body)
		}
		// Still holding 6: the good proof is cosigned.
		c.cosigned(t, l, c.post(t, l.request(t, 6, l.proof(t, 6))))
	})
	t.Run("SameSizeOtherRoot", func(t *testing.T) {
		deviates(t, w)
		l := newLog(t, "sameroot")
		l.add(t, 4)
		c.cosigned(t, l, c.post(t, l.request(t, 0, nil)))
		l.leaves[3] = []byte("rewritten")
		if r := c.post(t, l.request(t, 4, nil)); r.status != http.StatusConflict {
			t.Errorf("add-checkpoint(size held, another root) = %d %q, want 409", r.status, r.body)
		}
	})
	t.Run("Fork", func(t *testing.T) {
		deviates(t, w)
		l := newLog(t, "fork")
		l.add(t, 8)
		c.cosigned(t, l, c.post(t, l.request(t, 0, nil)))
		// A copy from size 5 that appends differently: no proof from 8 exists.
		l.leaves = l.leaves[:5]
		l.add(t, 9)
		if r := c.post(t, l.request(t, 8, l.proof(t, 5))); r.status != http.StatusUnprocessableEntity {
			t.Errorf("add-checkpoint(fork) = %d %q, want 422", r.status, r.body)
		}
	})
}

// deviates skips the running subtest if the witness is known to depart
// from the spec in it.
func deviates(t *testing.T, w Witness) {
	t.Helper()
	name := t.Name()[strings.LastIndex(t.Name(), "/")+1:]
	if how, ok := w.Deviations[name]; ok {
		t.Skipf("known deviation from C2SP tlog-witness: %s", how)
	}
}

// parseKey reads a cosignature/v1 verifier key (c2sp.org/signed-note
// "Verifier keys", type 0x04 of c2sp.org/tlog-cosignature) and checks its
// key ID.
func parseKey(t *testing.T, vkey string) (string, ed25519.PublicKey) {
	t.Helper()
	parts := strings.SplitN(strings.TrimSpace(vkey), "+", 3)
	if len(parts) != 3 {
		t.Fatalf("witness key %q: want name+hash+key", vkey)
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 33 || raw[0] != 0x04 {
		t.Fatalf("witness key %q: not a cosignature/v1 Ed25519 key", vkey)
	}
	if id := keyID(parts[0], raw[1:]); fmt.Sprintf("%08x", id) != parts[1] {
		t.Fatalf("witness key %q: key ID %s, want %08x", vkey, parts[1], id)
	}
	return parts[0], ed25519.PublicKey(raw[1:])
}

// keyID is SHA-256(name || "\n" || 0x04 || key)[:4].
func keyID(name string, key []byte) uint32 {
	h := sha256.Sum256(append(append([]byte(name+"\n"), 0x04), key...))
	return binary.BigEndian.Uint32(h[:4])
}

// A log is a log in memory: its leaves and an Ed25519 note key.
type log struct {
	origin string
	signer note.Signer
	vkey   string
	leaves [][]byte
}

func makeLog(t *testing.T, origin string) *log {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return &log{origin: origin, signer: s, vkey: vkey}
}

func (l *log) add(t *testing.T, n int) {
	for range n {
		l.leaves = append(l.leaves, fmt.Appendf(nil, "leaf %d of %s", len(l.leaves), l.origin))
	}
}

// hashes returns the stored hashes of the tree (tlog's layout).
func (l *log) hashes(t *testing.T) tlog.HashReaderFunc {
	t.Helper()
	var hs []tlog.Hash
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = hs[x]
		}
		return out, nil
	})
	for i, leaf := range l.leaves {
		add, err := tlog.StoredHashes(int64(i), leaf, r)
		if err != nil {
			t.Fatal(err)
		}
		hs = append(hs, add...)
	}
	return r
}

func (l *log) proof(t *testing.T, old int64) tlog.TreeProof {
	t.Helper()
	if old == 0 || old == int64(len(l.leaves)) {
		return nil
	}
	p, err := tlog.ProveTree(int64(len(l.leaves)), old, l.hashes(t))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// checkpoint returns the signed checkpoint (c2sp.org/tlog-checkpoint) and
// its body.
func (l *log) checkpoint(t *testing.T) (note []byte, body string) {
	t.Helper()
	root, err := tlog.TreeHash(int64(len(l.leaves)), l.hashes(t))
	if err != nil {
		t.Fatal(err)
	}
	body = fmt.Sprintf("%s\n%d\n%s\n", l.origin, len(l.leaves), base64.StdEncoding.EncodeToString(root[:]))
	msg, err := noteSign(body, l.signer)
	if err != nil {
		t.Fatal(err)
	}
	return msg, body
}

// request is an add-checkpoint body (c2sp.org/tlog-witness).
func (l *log) request(t *testing.T, old int64, proof tlog.TreeProof) []byte {
	t.Helper()
	msg, _ := l.checkpoint(t)
	b := []byte("old " + strconv.FormatInt(old, 10) + "\n")
	for _, h := range proof {
		b = append(b, base64.StdEncoding.EncodeToString(h[:])+"\n"...)
	}
	b = append(b, '\n')
	return append(b, msg...)
}

func noteSign(text string, s note.Signer) ([]byte, error) {
	return note.Sign(&note.Note{Text: text}, s)
}

type client struct {
	t    *testing.T
	w    Witness
	name string
	pub  ed25519.PublicKey
}

type response struct {
	status      int
	contentType string
	body        string
}

func (c *client) post(t *testing.T, body []byte) response {
	t.Helper()
	hc := c.w.Client
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Post(c.w.URL+"/add-checkpoint", "text/plain", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("POST add-checkpoint: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("POST add-checkpoint: reading the answer: %v", err)
	}
	return response{resp.StatusCode, resp.Header.Get("Content-Type"), string(b)}
}

// cosigned checks a 200 answer: note signature lines, one of them the
// witness's, whose signature is a timestamped Ed25519 signature over
// "cosignature/v1\ntime <T>\n" and the checkpoint body.
func (c *client) cosigned(t *testing.T, l *log, r response) {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("add-checkpoint = %d %q, want 200", r.status, r.body)
	}
	_, body := l.checkpoint(t)
	if !strings.HasSuffix(r.body, "\n") {
		t.Fatalf("answer %q does not end in a newline", r.body)
	}
	found := false
	for _, line := range strings.Split(strings.TrimSuffix(r.body, "\n"), "\n") {
		rest, ok := strings.CutPrefix(line, "— ")
		if !ok {
			t.Fatalf("answer line %q does not start with U+2014 and a space", line)
		}
		name, b64, ok := strings.Cut(rest, " ")
		raw, err := base64.StdEncoding.DecodeString(b64)
		if !ok || err != nil || len(raw) < 4 {
			t.Fatalf("answer line %q is not a note signature", line)
		}
		if name != c.name || binary.BigEndian.Uint32(raw) != keyID(c.name, c.pub) {
			continue // another key's: ignored, as the spec says
		}
		if len(raw) != 4+8+64 {
			t.Fatalf("cosignature of %d bytes, want 76", len(raw))
		}
		ts := binary.BigEndian.Uint64(raw[4:])
		msg := "cosignature/v1\ntime " + strconv.FormatUint(ts, 10) + "\n" + body
		if !ed25519.Verify(c.pub, []byte(msg), raw[12:]) {
			t.Fatalf("cosignature %q does not verify over %q", line, msg)
		}
		found = true
	}
	if !found {
		t.Fatalf("answer %q holds no cosignature of %s", r.body, c.name)
	}
}
