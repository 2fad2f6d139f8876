package storetest

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/store"
)

// testPhotos stores photos by content: byte-exact, under their hash, the
// first bytes kept when a hash is stored again, and a missing hash not
// found.
func testPhotos(t *testing.T, open func(t *testing.T) Store) {
	st := open(t)
	ctx := t.Context()
	data := append([]byte("\x89PNG\r\n\x1a\n"), 0, 0xff, 0xfe, 'x')
	h := sha256.Sum256(data)
	at := time.Date(2026, 3, 1, 8, 0, 0, 123456789, time.UTC)
	if err := st.PutPhoto(ctx, store.Photo{Hash: h[:], Type: "image/png", Data: data, Created: at}); err != nil {
		t.Fatalf("PutPhoto = %v", err)
	}
	// Again, with other bytes claimed under the hash: the first stay.
	if err := st.PutPhoto(ctx, store.Photo{Hash: h[:], Type: "image/jpeg", Data: []byte("other"), Created: at.Add(time.Hour)}); err != nil {
		t.Fatalf("PutPhoto again = %v, want nil", err)
	}
	p, err := st.Photo(ctx, h[:])
	if err != nil {
		t.Fatalf("Photo = %v", err)
	}
	if !bytes.Equal(p.Hash, h[:]) || p.Type != "image/png" || !bytes.Equal(p.Data, data) || !p.Created.Equal(at) {
		t.Errorf("Photo = %x %q %x %v, want %x image/png %x %v", p.Hash, p.Type, p.Data, p.Created, h, data, at)
	}
	missing := sha256.Sum256([]byte("missing"))
	if _, err := st.Photo(ctx, missing[:]); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Photo(missing) = %v, want ErrNotFound", err)
	}
}
