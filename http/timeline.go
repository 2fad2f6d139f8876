package http

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store"
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
// the reason (absent where the leaf holds it as a commitment: a timeline
// not opened).
type TimelineLate struct {
	Claimed string `json:"claimed"`
	Entered string `json:"entered"`
	Reason  string `json:"reason,omitempty"`
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

// timeline reads the events at seqs from the log and names, for each, the
// directives of ds in force at its time. Opened, each entry shows what the
// public log holds of it as commitments (its payload's private fields, its
// actor's user: engine.Disclose), for those who may see the timeline, as
// the leaf itself showed it before the disclosure table; a published
// timeline is not opened and shows the leaf as it is.
func (s *Server) timeline(r *http.Request, subject string, seqs []int64, ds []dispatch.Directive, opened bool) (*Timeline, error) {
	t := &Timeline{Subject: subject, Entries: []TimelineEntry{}, Directives: []dispatch.Directive{}}
	named := map[string]bool{}
	var opens map[int64][]store.Opening
	if opened && len(seqs) > 0 {
		var err error
		if opens, err = s.engine.Log().Openings(r.Context(), seqs); err != nil {
			return nil, err
		}
	}
	for _, seq := range seqs {
		raw, err := s.engine.Log().Entries(r.Context(), seq, seq+1)
		if err != nil {
			return nil, err
		}
		en, err := ledger.ParseEntry(raw[0])
		if err != nil {
			return nil, err
		}
		if opened {
			open := make(map[string]string, len(opens[seq]))
			for _, o := range opens[seq] {
				open[o.Field] = o.Value
			}
			if en, err = engine.Disclose(en, open); err != nil {
				return nil, err
			}
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
	id := r.PathValue("id")
	tl, err := s.engine.Timeline(r.Context(), actorOf(r), dispatch.TimelineRequest, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	t, err := s.timeline(r, "request/"+id, tl.Seqs, tl.Directives, true)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (s *Server) handleIncidentTimeline(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	tl, err := s.engine.Timeline(r.Context(), actorOf(r), dispatch.TimelineIncident, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	t, err := s.timeline(r, "incident/"+id, tl.Seqs, tl.Directives, true)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}
