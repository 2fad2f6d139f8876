package http

import (
	"net/http"
	"time"
	_ "time/tzdata" // report time zones, whatever the host has installed

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/report"
)

// reportWindow is the range of a report asked for without one: the last day.
const reportWindow = 24 * time.Hour

// intervalsReport is what GET /api/v1/reports/intervals answers.
type intervalsReport struct {
	Agency string `json:"agency,omitempty"` // "" for every agency (installation administrator)
	report.Report
}

// handleReportIntervals answers the response-time intervals, call
// processing against NFPA 1225 and calls by hour of day of the calls
// received from ?from= to ?to= (RFC 3339; the last day by default), counted
// in the time zone ?tz= (IANA; UTC by default), for the caller's agency —
// or, for the installation administrator, ?agency= or every agency.
func (s *Server) handleReportIntervals(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	sc := scopeOf(actorOf(r))
	agency := q.Get("agency")
	switch {
	case sc.all:
	case agency != "" && agency != sc.agency:
		s.writeError(w, r, dispatch.Errorf(dispatch.EFORBIDDEN, "you may report only on the calls of %s", sc.agency))
		return
	default:
		agency = sc.agency
	}
	rng := report.Range{To: s.engine.Now(), Location: time.UTC}
	parse := func(name string, into *time.Time) bool {
		v := q.Get(name)
		if v == "" {
			return true
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			s.writeError(w, r, dispatch.Errorf(dispatch.EINVALID, "%s %q is not a time: give it as 2026-03-01T08:00:00Z or with an offset (RFC 3339)", name, v))
			return false
		}
		*into = t
		return true
	}
	if !parse("to", &rng.To) || !parse("from", &rng.From) {
		return
	}
	if q.Get("from") == "" {
		rng.From = rng.To.Add(-reportWindow)
	}
	if tz := q.Get("tz"); tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil || tz == "Local" {
			s.writeError(w, r, dispatch.Errorf(dispatch.EINVALID, "time zone %q is not known: give an IANA name such as America/Chicago, or UTC", tz))
			return
		}
		rng.Location = loc
	}
	if err := rng.Check(); err != nil {
		s.writeError(w, r, err)
		return
	}
	ins, err := s.engine.IncidentsReceived(r.Context(), actorOf(r), agency, rng.From, rng.To)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	calls := make([]report.Times, len(ins))
	for i := range ins {
		calls[i] = report.TimesOf(&ins[i])
	}
	writeJSON(w, http.StatusOK, intervalsReport{Agency: agency, Report: report.Compute(calls, rng)})
}
