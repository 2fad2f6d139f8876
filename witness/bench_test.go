package witness_test

import (
	"net/http"
	"testing"
)

// BenchmarkAddCheckpoint times one cosigned add-checkpoint on a SQLite
// store: parse, verify the log's signature and the consistency proof,
// compare-and-swap the size held, cosign. Beside it, the baseline of the
// same request refused at once as stale (409: parse, verify, read).
func BenchmarkAddCheckpoint(b *testing.B) {
	lg := newMemLog(b, "metro.example/log")
	f := newFixture(b, lg)
	lg.append(b, 1, "a")
	if rec := f.post(lg.request(b, 0)); rec.Code != http.StatusOK {
		b.Fatalf("first = %d", rec.Code)
	}
	b.Run("Cosign", func(b *testing.B) {
		bodies := make([][]byte, b.N)
		for i := range bodies {
			old := lg.size
			lg.append(b, 1, "a")
			bodies[i] = lg.request(b, old)
		}
		b.ResetTimer()
		for i := range b.N {
			if rec := f.post(bodies[i]); rec.Code != http.StatusOK {
				b.Fatalf("add-checkpoint = %d %s", rec.Code, rec.Body)
			}
		}
	})
	b.Run("Stale409", func(b *testing.B) {
		body := lg.request(b, 0)
		for b.Loop() {
			if rec := f.post(body); rec.Code != http.StatusConflict {
				b.Fatalf("add-checkpoint = %d %s", rec.Code, rec.Body)
			}
		}
	})
}
