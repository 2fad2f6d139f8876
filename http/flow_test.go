package http_test

import (
	"encoding/json"
	"slices"
	"strconv"
	"testing"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// The end-to-end flow through HTTP: units with positions, an
// incident at "39th Pl & S Kedzie Ave", the recommendation nearest first,
// dispatch, en route, on scene, clear — each step seen in order on the event
// stream, also by a subscriber that disconnects midway and resumes.
func TestDispatchFlowStreamed(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	for _, cs := range []string{"1A1", "1A2"} {
		ts.MustExecute(t, dispatch.CreateUnit{CallSign: cs, Agency: "metro", Kind: "patrol"})
	}
	disp := ts.MustCreateUser(t, "dana", "metro", dispatch.RoleDispatcher)
	officer := ts.MustCreateUser(t, "otto", "metro", dispatch.RoleOfficer)
	if r := ts.Do(t, "POST", "/api/v1/units/positions", disp, []map[string]any{
		at("metro.1a1", 3950, 4000), at("metro.1a2", 3900, 3300),
	}); r.Status != 204 {
		t.Fatalf("POST positions = %d %s", r.Status, r.Body)
	}

	start := ts.Engine.Log().Size() // the steady stream begins with the next event
	steady, cancelSteady := openStream(t, ts, disp, "")
	defer cancelSteady()
	flaky, cancelFlaky := openStream(t, ts, disp, "")

	var in dispatch.Incident
	MustJSON(t, "POST incident", ts.Do(t, "POST", "/api/v1/incidents", disp, map[string]any{"type": "ROBBERY", "location": map[string]string{"text": "39th Pl & S Kedzie Ave"}}), 201, &in)
	var rec struct {
		Units []struct {
			Unit string `json:"unit"`
			ETA  int    `json:"eta_seconds"`
		} `json:"units"`
	}
	r := ts.Do(t, "GET", "/api/v1/incidents/"+in.ID+"/recommendations", disp, nil)
	if r.Status != 200 || json.Unmarshal(r.Body, &rec) != nil || len(rec.Units) != 2 || rec.Units[0].Unit != "metro.1a2" || rec.Units[0].ETA > rec.Units[1].ETA {
		t.Fatalf("recommendations = %d %s, want metro.1a2 first, nearest first", r.Status, r.Body)
	}

	// The flaky subscriber sees the incident, then drops.
	last := int64(-1)
	for last < 0 {
		if ev := next(t, flaky); ev.Event == dispatch.TypeIncidentCreated {
			last = ev.ID
		}
	}
	cancelFlaky()

	unit := rec.Units[0].Unit
	ts.MustCrew(t, unit, "otto")
	steps := []struct{ path, token, body string }{
		{"/api/v1/incidents/" + in.ID + "/dispatch", disp, `{"units":["` + unit + `"]}`},
		{"/api/v1/units/" + unit + "/status", officer, `{"status":"EN_ROUTE"}`},
		{"/api/v1/units/" + unit + "/status", officer, `{"status":"ON_SCENE"}`},
		{"/api/v1/incidents/" + in.ID + "/clear", disp, `{"disposition":"arrest made"}`},
	}
	for _, st := range steps {
		var body any
		json.Unmarshal([]byte(st.body), &body)
		if r := ts.Do(t, "POST", st.path, st.token, body); r.Status != 200 {
			t.Fatalf("POST %s = %d %s, want 200", st.path, r.Status, r.Body)
		}
	}
	want := []string{dispatch.TypeIncidentCreated, dispatch.TypeIncidentDispatched, dispatch.TypeUnitStatusChanged,
		dispatch.TypeUnitStatusChanged, dispatch.TypeUnitStatusChanged, dispatch.TypeIncidentCleared, dispatch.TypeUnitStatusChanged}
	size := ts.Engine.Log().Size()
	collect := func(c <-chan sseEvent, from int64) []string {
		var got []string
		for id := from; id < size; id++ {
			ev := next(t, c)
			if ev.ID != id {
				t.Fatalf("stream event id = %d, want %d: no gap, no duplicate", ev.ID, id)
			}
			switch ev.Event {
			case dispatch.TypeIncidentCreated, dispatch.TypeIncidentDispatched, dispatch.TypeUnitStatusChanged, dispatch.TypeIncidentCleared:
				got = append(got, ev.Event)
			}
		}
		return got
	}
	if got := collect(steady, start); !slices.Equal(got, want) {
		t.Errorf("the steady subscriber saw %v, want %v", got, want)
	}
	resumed, cancel := openStream(t, ts, disp, strconv.FormatInt(last, 10))
	defer cancel()
	if got := collect(resumed, last+1); !slices.Equal(got, want[1:]) {
		t.Errorf("the resumed subscriber saw %v, want %v", got, want[1:])
	}
}
