package http

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// Scenarios: a demo server plays a scenario (such as the reference
// scenario of DESIGN.md, sim.Kedzie) on a supervisor's button. The server
// knows nothing of what a scenario does: it is given the functions
// (Server.Scenarios), plays one at a time per name, and says which are
// playing. A scenario acts through the engine as the demo's users, so what
// it does is in the log like anything else; pressing the button is not a
// dispatch event.

// A ScenarioRun says where a scenario stands: playing, or how its last play
// ended.
type ScenarioRun struct {
	Name    string `json:"name"`
	Playing bool   `json:"playing"`
	// Plays counts the plays started since the server started.
	Plays int `json:"plays"`
	// Started and By are when the last play started and who started it.
	Started *time.Time `json:"started,omitempty"`
	By      string     `json:"by,omitempty"`
	// Ended is when the last play ended; Error why it failed, if it did
	// (a domain error's sentence, else "internal error": the details are
	// in the server's log).
	Ended *time.Time `json:"ended,omitempty"`
	Error string     `json:"error,omitempty"`
}

// scenarioRuns keeps the scenarios' plays. Each play runs under a context
// of the server's, ended when Serve returns.
type scenarioRuns struct {
	mu     sync.Mutex
	runs   map[string]*ScenarioRun
	ctx    context.Context
	cancel context.CancelFunc
}

// stop ends the plays in progress.
func (sr *scenarioRuns) stop() {
	sr.mu.Lock()
	defer sr.mu.Unlock()
	if sr.cancel != nil {
		sr.cancel()
	}
}

// get returns a copy of the run of name.
func (sr *scenarioRuns) get(name string) ScenarioRun {
	sr.mu.Lock()
	defer sr.mu.Unlock()
	if r := sr.runs[name]; r != nil {
		return *r
	}
	return ScenarioRun{Name: name}
}

// PlayScenario starts playing the scenario name of Server.Scenarios, on
// behalf of by, and returns where it stands. It does not wait for the play
// to end. A scenario that is playing is not started again (a conflict), and
// one the server does not have is not found.
func (s *Server) PlayScenario(name, by string) (ScenarioRun, error) {
	if len(s.Scenarios) == 0 {
		return ScenarioRun{}, dispatch.Errorf(dispatch.ENOTFOUND, "this server plays no scenarios")
	}
	play, ok := s.Scenarios[name]
	if !ok {
		return ScenarioRun{}, dispatch.Errorf(dispatch.ENOTFOUND, "there is no scenario %q; this server plays %s", name, strings.Join(s.scenarioNames(), ", "))
	}
	sr := &s.scenarios
	sr.mu.Lock()
	if sr.runs == nil {
		sr.runs = map[string]*ScenarioRun{}
	}
	if sr.ctx == nil {
		sr.ctx, sr.cancel = context.WithCancel(context.Background())
	}
	r := sr.runs[name]
	if r == nil {
		r = &ScenarioRun{Name: name}
		sr.runs[name] = r
	}
	if r.Playing {
		out := *r
		sr.mu.Unlock()
		return out, dispatch.Errorf(dispatch.ECONFLICT, "scenario %s is playing since %s (started by %s); wait until it ends",
			name, r.Started.Format(time.TimeOnly), r.By)
	}
	now := s.clock().UTC()
	r.Playing, r.Plays, r.Started, r.By, r.Ended, r.Error = true, r.Plays+1, &now, by, nil, ""
	out, ctx := *r, sr.ctx
	sr.mu.Unlock()
	s.logger.Info("scenario started", "scenario", name, "by", by)
	go func() {
		err := play(ctx)
		sr.mu.Lock()
		end := s.clock().UTC()
		r.Playing, r.Ended = false, &end
		if err != nil {
			r.Error = dispatch.ErrorMessage(err)
		}
		sr.mu.Unlock()
		if err != nil {
			s.logger.Warn("scenario failed", "scenario", name, "err", err)
		} else {
			s.logger.Info("scenario played", "scenario", name)
		}
	}()
	return out, nil
}

// scenarioNames returns the names of Server.Scenarios, sorted.
func (s *Server) scenarioNames() []string {
	var names []string
	for n := range s.Scenarios {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// handleListScenarios answers the scenarios this server plays, each with
// where it stands: none on tenfour serve. The console shows the button of
// a scenario only when it is listed here.
func (s *Server) handleListScenarios(w http.ResponseWriter, r *http.Request) {
	out := []ScenarioRun{}
	for _, n := range s.scenarioNames() {
		out = append(out, s.scenarios.get(n))
	}
	writeJSON(w, http.StatusOK, map[string]any{"scenarios": out})
}

// handlePlayScenario starts a scenario: 202 with where it stands, 404 if
// the server plays none or not that one, 409 while it is playing.
func (s *Server) handlePlayScenario(w http.ResponseWriter, r *http.Request) {
	run, err := s.PlayScenario(r.PathValue("name"), actorOf(r).User)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, run)
}
