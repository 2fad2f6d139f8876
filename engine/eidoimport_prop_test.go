package engine_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// TestImportRoundTripProperty checks invariant 1 for imports: random
// commands of every kind with imports among them (created, updated,
// repeated unchanged, refused), every accepted event sent through the
// log's encoding and back and folded into a second state, which must equal
// the live one; and the state through a snapshot's codec too, with its
// import index.
func TestImportRoundTripProperty(t *testing.T) {
	const seeds, commands = 4, 1500
	for seed := range uint64(seeds) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			g := gen{rand.New(rand.NewPCG(seed, 1004))}
			gi := gen{rand.New(rand.NewPCG(seed, 2016))} // imports draw apart
			live, replayed := dispatch.NewState(), dispatch.NewState()
			at := time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC)
			var seq int64
			types := map[string]int{}
			unchanged := 0
			for range commands {
				at = at.Add(time.Duration(g.r.Int64N(int64(2 * time.Minute))))
				cmd, actor := g.step(live, at)
				if gi.r.IntN(4) == 0 {
					cmd, actor = gi.importCommand(live, at)
				}
				evs, err := cmd.Decide(live, actor, at)
				if err != nil {
					var de *dispatch.Error
					if !errors.As(err, &de) || de.Code == dispatch.EINTERNAL {
						t.Fatalf("%#v.Decide = %v (%T), want a domain error", cmd, err, err)
					}
					continue
				}
				if _, ok := cmd.(dispatch.ImportIncident); ok && len(evs) == 0 {
					unchanged++
				}
				again := false
				if _, ok := cmd.(dispatch.ImportIncident); ok && len(evs) > 0 {
					again = true
				}
				for _, ev := range evs {
					if err := live.Apply(ev); err != nil {
						t.Fatalf("Apply(decided %s %v) = %v", ev.Type, ev.Subject, err)
					}
					types[ev.Type]++
					back := roundTrip(t, seq, ev)
					want := ev
					want.Time = ev.Time.UTC()
					if !reflect.DeepEqual(back, want) {
						t.Fatalf("event %d through the log = %+v (data %#v), want %+v (data %#v)", seq, back, back.Data, want, want.Data)
					}
					if err := replayed.Apply(back); err != nil {
						t.Fatalf("Apply(replayed %s %v) = %v", back.Type, back.Subject, err)
					}
					seq++
				}
				if again {
					// Idempotent: the same document again records nothing.
					evs, err := cmd.Decide(live, actor, at)
					if err != nil || len(evs) != 0 {
						t.Fatalf("the same import again = %d events, %v; want none, nil", len(evs), err)
					}
					unchanged++
				}
			}
			if types[dispatch.TypeIncidentImported] < 5 || types[dispatch.TypeIncidentImportUpdated] < 5 || unchanged < 3 {
				t.Fatalf("%d imported, %d updated, %d unchanged; want at least 5, 5 and 3: the test proves little",
					types[dispatch.TypeIncidentImported], types[dispatch.TypeIncidentImportUpdated], unchanged)
			}
			if !reflect.DeepEqual(replayed, live) {
				t.Fatalf("replayed state differs from the live one:\n%s", diffState(replayed, live))
			}
			b, err := dispatch.EncodeState(live)
			if err != nil {
				t.Fatal(err)
			}
			decoded, err := dispatch.DecodeState(b)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(decoded, live) {
				t.Fatalf("the state through a snapshot differs from the live one:\n%s", diffState(decoded, live))
			}
			found := 0
			for id, in := range live.Incidents {
				if in.Import == nil {
					continue
				}
				got, ok := decoded.ImportedIncident(in.Agency, in.Import.Ref)
				if !ok || got != id {
					t.Errorf("after a snapshot, ImportedIncident(%s, %s) = %q, %v; want %s", in.Agency, in.Import.Ref, got, ok, id)
				}
				found++
			}
			if found == 0 {
				t.Fatal("no imported incident in the state")
			}
		})
	}
}
