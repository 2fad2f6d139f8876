package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/store"
	"github.com/tenfour-cad/tenfour/store/storetest"
)

// BenchmarkAppendSubjects is the cost of the subject index to the log:
// batches of 64 leaves, with no subject and with 3 an event (a unit, an
// incident, the agency). One op is one event.
func BenchmarkAppendSubjects(b *testing.B) {
	const batch = 64
	for _, per := range []int{0, 3} {
		b.Run(fmt.Sprintf("subjects=%d", per), func(b *testing.B) {
			db := mustOpen(b, filepath.Join(b.TempDir(), "tenfour.db"))
			ctx := context.Background()
			b.ResetTimer()
			for seq := int64(0); seq < int64(b.N); seq += batch {
				hi := min(seq+batch, int64(b.N))
				bt := store.Batch{Leaves: storetest.Leaves(seq, hi)}
				for s := seq; s < hi && per > 0; s++ {
					bt.Subjects = append(bt.Subjects,
						store.Subject{Kind: "unit", ID: fmt.Sprintf("metro-1a%02d", s%90+10), Seq: s},
						store.Subject{Kind: "incident", ID: fmt.Sprintf("metro-2026-%06d", s%100000), Seq: s},
						store.Subject{Kind: "agency", ID: "metro", Seq: s})
				}
				if err := db.Append(ctx, bt); err != nil {
					b.Fatalf("Append = %v", err)
				}
			}
		})
	}
}

// BenchmarkQueryArchive measures the dispatcher's history queries on an
// archive of 1,000,000 incidents (100,000 with -short); see
// storetest.BenchQueryArchive.
func BenchmarkQueryArchive(b *testing.B) {
	n := 1_000_000
	if testing.Short() {
		n = 100_000
	}
	db := mustOpen(b, filepath.Join(b.TempDir(), "tenfour.db"))
	t0 := time.Now()
	storetest.BenchArchive(b, db, n)
	b.Logf("filled the archive with %d incidents in %v", n, time.Since(t0).Round(time.Second))
	storetest.BenchQueryArchive(b, db)
}
