package http

import (
	"crypto/sha256"
	"testing"
	"time"
)

// TestIdemStore checks the bounds of the key store: the oldest key goes
// when it is full, and a key is forgotten after the TTL.
func TestIdemStore(t *testing.T) {
	st := newIdemStore(2, time.Hour)
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	fp := sha256.Sum256([]byte("body"))
	for i, id := range []string{"a", "b", "c"} {
		e, started := st.begin(id, fp, t0.Add(time.Duration(i)*time.Minute))
		if !started {
			t.Fatalf("begin(%s) started = false, want true", id)
		}
		st.finish(e, 201, nil, []byte(id))
	}
	if _, started := st.begin("a", fp, t0.Add(3*time.Minute)); !started {
		t.Error("begin(a) after a and b and c in a store of 2: started = false, want true (a evicted)")
	}
	if e, started := st.begin("c", fp, t0.Add(4*time.Minute)); started || string(e.body) != "c" {
		t.Errorf("begin(c) = %q, %v, want the answer remembered", e.body, started)
	}
	if _, started := st.begin("c", fp, t0.Add(2*time.Minute+time.Hour)); !started {
		t.Error("begin(c) an hour later: started = false, want true (expired)")
	}
}
