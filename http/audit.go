package http

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/ledger"
)

// A privateRead is an incident whose private fields a caller is shown.
type privateRead struct {
	incident, agency string
	fields           []string // dispatch.Private* names, sorted
}

// shownFields returns the private fields an incident view shows.
func shownFields(in dispatch.Incident) []string {
	var f []string
	if in.Caller.Name != "" {
		f = append(f, dispatch.PrivateCallerName)
	}
	if in.Caller.Phone != "" {
		f = append(f, dispatch.PrivateCallerPhone)
	}
	if in.Narrative != "" {
		f = append(f, dispatch.PrivateNarrative)
	}
	if slices.ContainsFunc(in.Notes, func(n dispatch.Note) bool { return n.Text != "" }) {
		f = append(f, dispatch.PrivateNote)
	}
	for _, c := range in.Callers {
		for name, v := range map[string]string{dispatch.PrivateCallerName: c.Caller.Name, dispatch.PrivateCallerPhone: c.Caller.Phone, dispatch.PrivateNarrative: c.Narrative} {
			if v != "" && !slices.Contains(f, name) {
				f = append(f, name)
			}
		}
	}
	if slices.ContainsFunc(in.Hazards, func(z dispatch.Hazard) bool { return z.Text != "" }) {
		f = append(f, dispatch.PrivateFlagText)
	}
	slices.Sort(f)
	return f
}

// incidentReads returns the private reads of showing incidents.
func incidentReads(ins ...dispatch.Incident) []privateRead {
	var out []privateRead
	for _, in := range ins {
		if f := shownFields(in); len(f) > 0 {
			out = append(out, privateRead{incident: in.ID, agency: in.Agency, fields: f})
		}
	}
	return out
}

// bundleReads returns the private reads of handing out a bundle.
func bundleReads(in dispatch.Incident, b *ledger.Bundle) []privateRead {
	var f []string
	for _, e := range b.Events {
		for name := range e.Open {
			if !slices.Contains(f, name) {
				f = append(f, name)
			}
		}
	}
	if len(f) == 0 {
		return nil
	}
	slices.Sort(f)
	return []privateRead{{incident: in.ID, agency: in.Agency, fields: f}}
}

// privateReadBatch bounds the incidents named in one private.read event, so
// that it stays well inside a log entry's 64 KiB.
const privateReadBatch = 500

// recordPrivateReads records, before the answer leaves, that the caller is
// shown private fields: one private.read event per agency and set of fields,
// naming the incidents and the fields, never the values (CJIS AU-2).
func (s *Server) recordPrivateReads(r *http.Request, reads []privateRead) {
	if len(reads) == 0 {
		return
	}
	a := actorOf(r)
	type group struct{ agency, fields string }
	var order []group
	ids := map[group][]string{}
	for _, pr := range reads {
		g := group{pr.agency, fmt.Sprint(pr.fields)}
		if _, ok := ids[g]; !ok {
			order = append(order, g)
		}
		ids[g] = append(ids[g], pr.incident)
	}
	for _, g := range order {
		for batch := range slices.Chunk(ids[g], privateReadBatch) {
			s.record(r, dispatch.RecordAudit{Type: dispatch.TypePrivateRead, Agency: g.agency,
				Subject: map[string]string{"user": a.User}, As: a,
				Data: dispatch.Audited{"route": r.Pattern, "incidents": fmt.Sprint(batch), "fields": g.fields}})
		}
	}
}
