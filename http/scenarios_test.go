package http_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	tenfourhttp "github.com/tenfour-cad/tenfour/http"
)

type scenarioList struct {
	Scenarios []tenfourhttp.ScenarioRun `json:"scenarios"`
}

// TestScenariosNone: tenfour serve is given no scenarios; it lists none
// and answers 404 to a play, saying so.
func TestScenariosNone(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	boss := ts.MustCreateUser(t, "boss", "metro", dispatch.RoleSupervisor)

	var list scenarioList
	MustJSON(t, "GET /api/v1/scenarios", ts.Do(t, "GET", "/api/v1/scenarios", boss, nil), http.StatusOK, &list)
	if len(list.Scenarios) != 0 {
		t.Errorf("GET /api/v1/scenarios = %+v, want none", list.Scenarios)
	}
	CheckProblem(t, "POST /api/v1/scenarios/kedzie", ts.Do(t, "POST", "/api/v1/scenarios/kedzie", boss, map[string]string{}),
		http.StatusNotFound, dispatch.ENOTFOUND, "this server plays no scenarios")
}

// TestScenariosPlay: with a scenario, a supervisor's POST starts it (202),
// a second one while it plays is refused (409), the list says it is
// playing and then how it ended, and it plays again once it has.
func TestScenariosPlay(t *testing.T) {
	release := make(chan error)
	started := make(chan struct{}, 4)
	ts := MustOpenServerWith(t, func(s *tenfourhttp.Server) {
		s.Scenarios = map[string]func(context.Context) error{
			"kedzie": func(ctx context.Context) error {
				started <- struct{}{}
				select {
				case err := <-release:
					return err
				case <-ctx.Done():
					return ctx.Err()
				}
			},
		}
	})
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	boss := ts.MustCreateUser(t, "boss", "metro", dispatch.RoleSupervisor)
	list := func() tenfourhttp.ScenarioRun {
		t.Helper()
		var l scenarioList
		MustJSON(t, "GET /api/v1/scenarios", ts.Do(t, "GET", "/api/v1/scenarios", boss, nil), http.StatusOK, &l)
		if len(l.Scenarios) != 1 || l.Scenarios[0].Name != "kedzie" {
			t.Fatalf("GET /api/v1/scenarios = %+v, want kedzie alone", l.Scenarios)
		}
		return l.Scenarios[0]
	}
	// ended waits until the list says the play has ended.
	ended := func() tenfourhttp.ScenarioRun {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if r := list(); !r.Playing {
				return r
			}
		}
		t.Fatal("the scenario still plays 5 s after it returned")
		return tenfourhttp.ScenarioRun{}
	}

	if r := list(); r.Playing || r.Plays != 0 || r.Started != nil {
		t.Errorf("before any play: %+v, want not playing, never played", r)
	}
	CheckProblem(t, "POST /api/v1/scenarios/nowhere", ts.Do(t, "POST", "/api/v1/scenarios/nowhere", boss, map[string]string{}),
		http.StatusNotFound, dispatch.ENOTFOUND, `there is no scenario "nowhere"; this server plays kedzie`)

	var run tenfourhttp.ScenarioRun
	MustJSON(t, "POST /api/v1/scenarios/kedzie", ts.Do(t, "POST", "/api/v1/scenarios/kedzie", boss, map[string]string{}), http.StatusAccepted, &run)
	if !run.Playing || run.Plays != 1 || run.By != "boss" || run.Started == nil || run.Ended != nil {
		t.Errorf("POST /api/v1/scenarios/kedzie = %+v, want playing, play 1, by boss", run)
	}
	<-started
	CheckProblem(t, "POST /api/v1/scenarios/kedzie again", ts.Do(t, "POST", "/api/v1/scenarios/kedzie", boss, map[string]string{}),
		http.StatusConflict, dispatch.ECONFLICT, "scenario kedzie is playing since")
	if r := list(); !r.Playing || r.Plays != 1 {
		t.Errorf("while playing: %+v, want playing, play 1", r)
	}

	release <- nil
	if r := ended(); r.Ended == nil || r.Error != "" || r.Plays != 1 {
		t.Errorf("after the play: %+v, want ended with no error", r)
	}

	// It plays again; a play that fails says why, in the domain's words
	// only.
	MustJSON(t, "POST /api/v1/scenarios/kedzie (2)", ts.Do(t, "POST", "/api/v1/scenarios/kedzie", boss, map[string]string{}), http.StatusAccepted, &run)
	if !run.Playing || run.Plays != 2 {
		t.Errorf("second play = %+v, want playing, play 2", run)
	}
	<-started
	release <- dispatch.Errorf(dispatch.ECONFLICT, "agency state has no patrol unit available")
	if r := ended(); r.Error != "agency state has no patrol unit available" {
		t.Errorf("after a failed play: error %q, want the domain's sentence", r.Error)
	}
	MustJSON(t, "POST /api/v1/scenarios/kedzie (3)", ts.Do(t, "POST", "/api/v1/scenarios/kedzie", boss, map[string]string{}), http.StatusAccepted, &run)
	<-started
	release <- errors.New("open /secret/path: permission denied")
	if r := ended(); r.Error != "internal error" {
		t.Errorf("after a fault: error %q, want internal error, not the fault's text", r.Error)
	}

	// Only supervisors press the button.
	clerk := ts.MustCreateUser(t, "clerk", "metro", dispatch.RoleDispatcher)
	CheckProblem(t, "POST /api/v1/scenarios/kedzie as a dispatcher", ts.Do(t, "POST", "/api/v1/scenarios/kedzie", clerk, map[string]string{}),
		http.StatusForbidden, dispatch.EFORBIDDEN, "not open to your roles")
}
