package storetest

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/store"
)

// A county of the archive benchmark: 20 agencies, 50,000 addresses, each
// at its own point in a 40 km square, and a year of incidents.
const (
	benchAgencies  = 20
	benchAddresses = 50_000
	benchSouth     = 41.60
	benchWest      = -88.00
	benchSideDeg   = 0.36 // about 40 km of latitude
)

var benchTypes = []string{"FIRE", "MED", "TRAFFIC", "ALARM", "THEFT", "ASSAULT", "NOISE", "WELFARE", "BURGLARY", "SMOKE",
	"GAS", "WATER", "ANIMAL", "DISTURB", "FRAUD", "SUSP", "HAZMAT", "RESCUE", "ODOR", "WIRES"}

var benchYear = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func benchAddress(i int) string {
	return fmt.Sprintf("%d %s ST", 100+i%4000, []string{"MAIN", "ELM", "OAK", "PINE", "MAPLE", "LAKE", "HILL", "PARK", "RIVER", "CEDAR", "ASH", "BIRCH", "WALNUT"}[i/4000])
}

// benchPoint is address i's point: scattered over the county, the same at
// every call.
func benchPoint(i int) (float64, float64) {
	r := rand.New(rand.NewPCG(uint64(i), 7))
	return benchSouth + r.Float64()*benchSideDeg, benchWest + r.Float64()*benchSideDeg*1.34
}

// benchIncident returns incident i of the benchmark's archive: its time
// spread over the year, a tenth of them at 500 busy addresses, one in
// twenty with a second agency, one to three units.
func benchIncident(i int, r *rand.Rand) store.Archived {
	addr := r.IntN(benchAddresses)
	if r.IntN(10) == 0 {
		addr = r.IntN(500)
	}
	lat, lon := benchPoint(addr)
	agency := fmt.Sprintf("agency-%02d", r.IntN(benchAgencies))
	opened := benchYear.Add(time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))
	a := store.Archived{
		Kind: "incident", ID: fmt.Sprintf("%s-2026-%07d", agency, i), Agency: agency, Agencies: []string{agency},
		Type: benchTypes[r.IntN(len(benchTypes))], Opened: opened, Closed: opened.Add(time.Duration(20+r.IntN(120)) * time.Minute),
		Address: benchAddress(addr), Lat: &lat, Lon: &lon, Seq: int64(i),
	}
	if r.IntN(20) == 0 {
		a.Agencies = append(a.Agencies, fmt.Sprintf("agency-%02d", r.IntN(benchAgencies)))
	}
	for range 1 + r.IntN(3) {
		a.Units = append(a.Units, fmt.Sprintf("%s-u%02d", agency, r.IntN(20)))
	}
	a.Doc = fmt.Appendf(nil, `{"id":%q,"type":%q,"priority":%d,"address":%q,"narrative":"%s","units":%q}`,
		a.ID, a.Type, 1+r.IntN(4), a.Address, "caller reports "+a.Type+" near the corner, no further details at this time", a.Units)
	return a
}

// BenchArchive fills st's archive with n incidents, in batches of 5,000
// records with one leaf each.
func BenchArchive(tb testing.TB, st Store, n int) {
	tb.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	const batch = 5000
	for lo := 0; lo < n; lo += batch {
		recs := make([]store.Archived, 0, batch)
		for i := lo; i < min(lo+batch, n); i++ {
			recs = append(recs, benchIncident(i, r))
		}
		seq := int64(lo / batch)
		if err := st.Append(context.Background(), store.Batch{Leaves: Leaves(seq, seq+1), Archive: recs}); err != nil {
			tb.Fatalf("filling the archive: Append(records %d-%d) = %v", lo, lo+len(recs)-1, err)
		}
	}
}

// BenchQueryArchive measures the history queries of a dispatcher on an
// archive BenchArchive filled: priors at an address (by the address, and
// by a point and a radius, over the last 180 days) and one day's
// incidents of an agency. It reports the median and 99th percentile.
func BenchQueryArchive(b *testing.B, st Store) {
	end := benchYear.AddDate(1, 0, 0)
	queries := []struct {
		name string
		q    func(r *rand.Rand) store.ArchiveQuery
	}{
		{"PriorsAtAddress", func(r *rand.Rand) store.ArchiveQuery {
			return store.ArchiveQuery{Kind: "incident", Address: benchAddress(r.IntN(benchAddresses)), From: end.AddDate(0, 0, -180)}
		}},
		{"PriorsNearPoint", func(r *rand.Rand) store.ArchiveQuery {
			lat, lon := benchPoint(r.IntN(benchAddresses))
			return store.ArchiveQuery{Kind: "incident", Lat: &lat, Lon: &lon, RadiusM: 150, From: end.AddDate(0, 0, -180), Limit: 1000}
		}},
		{"DayOfAgency", func(r *rand.Rand) store.ArchiveQuery {
			day := benchYear.AddDate(0, 0, r.IntN(365))
			return store.ArchiveQuery{Kind: "incident", Agencies: []string{fmt.Sprintf("agency-%02d", r.IntN(benchAgencies))},
				From: day, To: day.Add(24 * time.Hour), Limit: 1000}
		}},
	}
	for _, qq := range queries {
		b.Run(qq.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(3, 4))
			lat := make([]time.Duration, 0, b.N)
			found := 0
			b.ResetTimer()
			for range b.N {
				q := qq.q(r)
				t0 := time.Now()
				rs, err := st.QueryArchive(b.Context(), q)
				if err != nil {
					b.Fatalf("QueryArchive(%+v) = %v", q, err)
				}
				lat = append(lat, time.Since(t0))
				found += len(rs)
			}
			b.StopTimer()
			slices.Sort(lat)
			ms := func(p float64) float64 {
				return float64(lat[min(len(lat)-1, int(math.Floor(p*float64(len(lat)))))].Microseconds()) / 1000
			}
			b.ReportMetric(ms(0.50), "p50-ms")
			b.ReportMetric(ms(0.99), "p99-ms")
			b.ReportMetric(float64(found)/float64(b.N), "records/op")
		})
	}
}
