package recommend_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/geo"
	"github.com/tenfour-cad/tenfour/recommend"
)

// point returns the latitude and longitude of a grid address: south and
// west address numbers.
func point(south, west float64) (float64, float64) {
	return geo.GridPoint{N: -south, E: -west}.LatLon()
}

func TestRecommend(t *testing.T) {
	s := dispatch.NewState()
	unit := func(id, agency, kind, status string) {
		s.Units[id] = &dispatch.Unit{ID: id, CallSign: strings.ToUpper(id), Agency: agency, Kind: kind, Status: status}
	}
	unit("near", "metro", "patrol", dispatch.StatusAvailable)
	unit("far", "metro", "patrol", dispatch.StatusAvailable)
	unit("engine", "metro", "engine", dispatch.StatusAvailable) // as near as "near", slower
	unit("busy", "metro", "patrol", dispatch.StatusBusy)
	unit("other", "sheriff", "patrol", dispatch.StatusAvailable)
	lat, lon := point(3950, 3200) // 39th Pl & Kedzie
	in := &dispatch.Incident{ID: "metro-2026-000001", Agency: "metro", Location: dispatch.Location{Lat: &lat, Lon: &lon}}
	at := func(id string, south, west float64) dispatch.Position {
		la, lo := point(south, west)
		return dispatch.Position{Unit: id, Lat: la, Lon: lo, Time: time.Unix(0, 0)}
	}
	candidates := []dispatch.Position{
		at("far", 3950, 4000),   // 800 numbers west: 1 mile
		at("busy", 3950, 3200),  // on the spot, busy
		at("other", 3950, 3200), // on the spot, another agency
		at("engine", 3950, 3000),
		at("near", 3750, 3200), // 200 numbers north: a quarter mile
		at("ghost", 3950, 3200),
	}
	got, err := recommend.Recommend(s, in, candidates, 5, nil)
	if err != nil {
		t.Fatalf("Recommend = %v", err)
	}
	var ids []string
	for _, u := range got {
		ids = append(ids, u.Unit)
	}
	if want := []string{"near", "engine", "far"}; !slices.Equal(ids, want) {
		t.Fatalf("Recommend = %v, want %v", ids, want)
	}
	if got[0].DistanceM != 402 || got[0].ETASeconds != 36 {
		t.Errorf("Recommend[0] = %d m, %d s; want 402 m (a quarter mile) at 40 km/h, 36 s", got[0].DistanceM, got[0].ETASeconds)
	}
	if want := "nearest available patrol, 0.4 km by the grid"; !strings.HasPrefix(got[0].Reason, want) {
		t.Errorf("Recommend[0].Reason = %q, want it to start %q", got[0].Reason, want)
	}
	if got[2].DistanceM != 1609 {
		t.Errorf("Recommend[2].DistanceM = %d, want 1609 (a mile)", got[2].DistanceM)
	}
	if got, _ := recommend.Recommend(s, in, candidates, 1, nil); len(got) != 1 || got[0].Unit != "near" {
		t.Errorf("Recommend(k=1) = %v, want only near", got)
	}
	in.Location = dispatch.Location{Text: "somewhere"}
	if _, err := recommend.Recommend(s, in, candidates, 5, nil); dispatch.ErrorCode(err) != dispatch.ECONFLICT {
		t.Errorf("Recommend(no point) = %v, want a conflict", err)
	}
}
