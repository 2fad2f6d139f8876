package http

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/ledger"
)

// A TimelineEntry is one event of a timeline, as the log holds it, with the
// directives that were in force over the place at its time: what stood
// before whoever decided.
type TimelineEntry struct {
	Seq        int64             `json:"seq"`
	Time       string            `json:"time"`
	Type       string            `json:"type"`
	Agency     string            `json:"agency"`
	Actor      ledger.Actor      `json:"actor"`
	Subject    map[string]string `json:"subject,omitempty"`
	Data       json.RawMessage   `json:"data,omitempty"`
	Directives []string          `json:"directives"`
	// Late marks an event entered late (dispatch/late.go): when it is
	// claimed to have happened, when it was entered (Time), and why. It is
	// read from the payload, which the leaf holds.
	Late *TimelineLate `json:"late,omitempty"`
}

// TimelineLate is the mark of a late entry in a timeline: both times and
// the reason.
type TimelineLate struct {
	Claimed string `json:"claimed"`
	Entered string `json:"entered"`
	Reason  string `json:"reason"`
}

// lateMark returns the late mark of an entry's payload, or nil.
func lateMark(entered string, data json.RawMessage) *TimelineLate {
	var d struct {
		Late *dispatch.Late `json:"late"`
	}
	if json.Unmarshal(data, &d) != nil || d.Late == nil {
		return nil
	}
	return &TimelineLate{Claimed: d.Late.Claimed.UTC().Format(ledger.TimeFormat), Entered: entered, Reason: d.Late.Reason}
}

// A Timeline is the ordered events of a request or an incident across
// agencies, and the directives its entries name.
type Timeline struct {
	Subject    string               `json:"subject"`
	Entries    []TimelineEntry      `json:"entries"`
	Directives []dispatch.Directive `json:"directives"`
}

// requestSeqs returns the sequence numbers of a request's timeline — its
// own events (units sent on it included), and every event of the
// directives that stood against it — and the directives that may bear on
// it: those of the agencies it concerns over its location.
func (s *Server) requestSeqs(id string) ([]int64, []dispatch.Directive) {
	seqs := s.engine.Seqs("request", id)
	var ds []dispatch.Directive
	var conflicts []string
	s.engine.Read(func(st *dispatch.State) {
		rq, ok := st.Requests[id]
		if !ok {
			return
		}
		for _, a := range rq.Asked {
			conflicts = append(conflicts, a.Conflicts...)
		}
		for _, d := range st.Directives {
			if slices.Contains(rq.Agencies(), d.Agency) && d.Covers(rq.Location, "") {
				ds = append(ds, *d)
			}
		}
	})
	for _, d := range conflicts {
		seqs = append(seqs, s.engine.Seqs("directive", d)...)
	}
	slices.Sort(seqs)
	return slices.Compact(seqs), ds
}

// incidentSeqs is requestSeqs for an incident: its events, and those of
// its agency's directives over its place or on it.
func (s *Server) incidentSeqs(id string) ([]int64, []dispatch.Directive) {
	seqs := s.engine.Seqs("incident", id)
	var ds []dispatch.Directive
	var merged []string
	s.engine.Read(func(st *dispatch.State) {
		in, ok := st.Incidents[id]
		if !ok {
			return
		}
		// The histories of the incidents merged into it are its own
		// (merge.go), and those merged into them, and so on.
		for q := slices.Clone(in.Merged); len(q) > 0; q = q[1:] {
			merged = append(merged, q[0])
			if m, ok := st.Incidents[q[0]]; ok {
				q = append(q, m.Merged...)
			}
		}
		for _, d := range st.Directives {
			if d.Agency == in.Agency && d.Covers(in.Location, in.ID) {
				ds = append(ds, *d)
			}
		}
	})
	for _, d := range ds {
		seqs = append(seqs, s.engine.Seqs("directive", d.ID)...)
	}
	for _, m := range merged {
		seqs = append(seqs, s.engine.Seqs("incident", m)...)
	}
	slices.Sort(seqs)
	return slices.Compact(seqs), ds
}

// timeline reads the events at seqs from the log and names, for each, the
// directives of ds in force at its time.
func (s *Server) timeline(r *http.Request, subject string, seqs []int64, ds []dispatch.Directive) (*Timeline, error) {
	t := &Timeline{Subject: subject, Entries: []TimelineEntry{}, Directives: []dispatch.Directive{}}
	named := map[string]bool{}
	for _, seq := range seqs {
		raw, err := s.engine.Log().Entries(r.Context(), seq, seq+1)
		if err != nil {
			return nil, err
		}
		en, err := ledger.ParseEntry(raw[0])
		if err != nil {
			return nil, err
		}
		at, err := time.Parse(time.RFC3339Nano, en.Time)
		if err != nil {
			return nil, err
		}
		e := TimelineEntry{Seq: en.Seq, Time: en.Time, Type: en.Type, Agency: en.Agency, Actor: en.Actor,
			Subject: en.Subject, Data: en.Data, Directives: []string{}, Late: lateMark(en.Time, en.Data)}
		for _, d := range ds {
			if inForceAt(d, at) {
				e.Directives = append(e.Directives, d.ID)
				named[d.ID] = true
			}
		}
		t.Entries = append(t.Entries, e)
	}
	for _, d := range ds {
		if named[d.ID] {
			t.Directives = append(t.Directives, d)
		}
	}
	slices.SortFunc(t.Directives, func(a, b dispatch.Directive) int { return a.Issued.Compare(b.Issued) })
	return t, nil
}

// inForceAt reports whether d was in force at t: issued by then, and not
// yet revoked or expired.
func inForceAt(d dispatch.Directive, t time.Time) bool {
	if t.Before(d.Issued) || !t.Before(d.Expires) {
		return false
	}
	return d.Ended == nil || t.Before(*d.Ended)
}

func (s *Server) handleRequestTimeline(w http.ResponseWriter, r *http.Request) {
	if _, err := s.request(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	id := r.PathValue("id")
	seqs, ds := s.requestSeqs(id)
	t, err := s.timeline(r, "request/"+id, seqs, ds)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (s *Server) handleIncidentTimeline(w http.ResponseWriter, r *http.Request) {
	in, err := s.incident(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	seqs, ds := s.incidentSeqs(in.ID)
	t, err := s.timeline(r, "incident/"+in.ID, seqs, ds)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}
