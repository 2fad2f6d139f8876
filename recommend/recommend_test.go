package recommend_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/geo/gridcity"
	"github.com/tenfour-cad/tenfour/recommend"
)

// point returns the latitude and longitude of a grid address: south and
// west address numbers.
func point(south, west float64) (float64, float64) {
	return gridcity.GridPoint{N: -south, E: -west}.LatLon()
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
	got, err := recommend.Recommend(s, in, candidates, 5, nil, recommend.Filter{})
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
	if got, _ := recommend.Recommend(s, in, candidates, 1, nil, recommend.Filter{}); len(got) != 1 || got[0].Unit != "near" {
		t.Errorf("Recommend(k=1) = %v, want only near", got)
	}
	in.Location = dispatch.Location{Text: "somewhere"}
	if _, err := recommend.Recommend(s, in, candidates, 5, nil, recommend.Filter{}); dispatch.ErrorCode(err) != dispatch.ECONFLICT {
		t.Errorf("Recommend(no point) = %v, want a conflict", err)
	}
}

// TestRecommendFilterAndPreempt narrows by kind and capability, and offers
// a unit on lower-priority work, marked, unless told not to.
func TestRecommendFilterAndPreempt(t *testing.T) {
	s := dispatch.NewState()
	lat, lon := point(3950, 3200)
	in := &dispatch.Incident{ID: "metro-2026-000002", Agency: "metro", Priority: 1, Status: dispatch.IncidentPending, Location: dispatch.Location{Lat: &lat, Lon: &lon}}
	noise := &dispatch.Incident{ID: "metro-2026-000001", Agency: "metro", Type: "NOISE", Priority: 4, Status: dispatch.IncidentActive}
	urgent := &dispatch.Incident{ID: "metro-2026-000003", Agency: "metro", Type: "SHOOTING", Priority: 0, Status: dispatch.IncidentActive}
	s.Incidents[in.ID], s.Incidents[noise.ID], s.Incidents[urgent.ID] = in, noise, urgent
	add := func(id, kind, status, incident string, caps ...string) {
		s.Units[id] = &dispatch.Unit{ID: id, CallSign: strings.ToUpper(id), Agency: "metro", Kind: kind, Status: status, Incident: incident, Capabilities: caps}
	}
	add("k9", "k9", dispatch.StatusAvailable, "", "k9")
	add("patrol", "patrol", dispatch.StatusAvailable, "")
	add("enroute", "patrol", dispatch.StatusEnRoute, noise.ID)        // on lower-priority work: pre-emptible
	add("onscene", "patrol", dispatch.StatusOnScene, noise.ID)        // committed on scene: never
	add("urgentunit", "patrol", dispatch.StatusDispatched, urgent.ID) // on higher-priority work: never
	at := func(id string, south float64) dispatch.Position {
		la, lo := point(south, 3200)
		return dispatch.Position{Unit: id, Lat: la, Lon: lo}
	}
	candidates := []dispatch.Position{at("k9", 3900), at("patrol", 3800), at("enroute", 3940), at("onscene", 3950), at("urgentunit", 3950)}
	ids := func(f recommend.Filter) []string {
		got, err := recommend.Recommend(s, in, candidates, 5, nil, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, u := range got {
			out = append(out, u.Unit+"/"+u.Preempts)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		f    recommend.Filter
		want []string
	}{
		{"All", recommend.Filter{}, []string{"enroute/" + noise.ID, "k9/", "patrol/"}},
		{"NoPreempt", recommend.Filter{NoPreempt: true}, []string{"k9/", "patrol/"}},
		{"Capability", recommend.Filter{Capabilities: []string{"k9"}}, []string{"k9/"}},
		{"Kind", recommend.Filter{Kinds: []string{"patrol"}}, []string{"enroute/" + noise.ID, "patrol/"}},
		{"Nothing", recommend.Filter{Capabilities: []string{"boat"}}, nil},
		{"DirectiveHold", recommend.Filter{Directives: []*dispatch.Directive{{ID: "metro-D-2026-000001", Agency: "metro", Effect: dispatch.EffectHold}}}, nil},
		{"DirectiveRestrict", recommend.Filter{Directives: []*dispatch.Directive{{ID: "metro-D-2026-000001", Agency: "metro", Effect: dispatch.EffectRestrict, Restrict: "k9"}}}, []string{"k9/"}},
		{"DirectiveOfAnotherAgency", recommend.Filter{Directives: []*dispatch.Directive{{ID: "sheriff-D-2026-000001", Agency: "sheriff", Effect: dispatch.EffectHold}}}, []string{"enroute/" + noise.ID, "k9/", "patrol/"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ids(tc.f); !slices.Equal(got, tc.want) {
				t.Errorf("Recommend(%+v) = %v, want %v", tc.f, got, tc.want)
			}
		})
	}
	got, _ := recommend.Recommend(s, in, candidates, 1, nil, recommend.Filter{})
	if want := "nearest patrol en route, pre-emptible from priority 4 NOISE " + noise.ID; len(got) != 1 || !strings.HasPrefix(got[0].Reason, want) {
		t.Errorf("Recommend[0] = %+v, want its reason to start %q", got, want)
	}
}
