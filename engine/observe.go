package engine

import (
	"context"
	"errors"
	"reflect"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store"
)

// An Observer is told what the engine does, for an operator's metrics
// (package metrics). The engine calls it on the paths of every command, so
// its methods must be quick, must not block and must not call the engine.
type Observer interface {
	// Executed is told of every command Execute ends: its name
	// (CommandName), its outcome (Outcome), and how long Execute took, from
	// the call until its events were durable or it was refused.
	Executed(command, outcome string, took time.Duration)
	// Committed is told of every group commit of this node's events, in
	// log order, once they are durable: the events of the one transaction.
	Committed(events []dispatch.Event)
}

// CommandName names a command for metrics and logs: its type's name
// without the package ("CreateIncident"). The set of names is the set of
// command types, so it is a bounded label.
func CommandName(cmd dispatch.Command) string {
	t := reflect.TypeOf(cmd)
	if t == nil {
		return "nil"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

// Outcomes of a command besides "ok" and the domain's error codes
// (dispatch.EINVALID…).
const (
	OutcomeOK          = "ok"
	OutcomeFenced      = "fenced"        // another node took over the log first
	OutcomeUnavailable = "unavailable"   // the store is full or does not answer
	OutcomeCanceled    = "canceled"      // the caller went away first
	OutcomeNotSequence = "not_sequencer" // this node does not append
)

// Outcome names the end of a command for metrics: "ok", the domain error's
// code, or one of the Outcome constants for a fault of the log; anything
// else is "internal". The set is bounded, so it is a label.
func Outcome(err error) string {
	var de *dispatch.Error
	var ue *ledger.UnavailableError
	var ns *ledger.NotSequencerError
	switch {
	case err == nil:
		return OutcomeOK
	case errors.As(err, &de):
		return de.Code
	case errors.Is(err, store.ErrFenced):
		return OutcomeFenced
	case errors.As(err, &ue):
		return OutcomeUnavailable
	case errors.As(err, &ns):
		return OutcomeNotSequence
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return OutcomeCanceled
	}
	return dispatch.EINTERNAL
}

// observed tells the observer, if any, of the groups just committed.
func (e *Engine) observed(ps []*ledger.Pending) {
	if e.observer == nil {
		return
	}
	var evs []dispatch.Event
	for _, p := range ps {
		t, _ := p.Tag.(tagged)
		evs = append(evs, t.evs...)
	}
	e.observer.Committed(evs)
}

// An OpenIncident is what metrics need of an incident not closed.
type OpenIncident struct {
	Agency   string
	Priority int
	Received time.Time
}

// An OpenRequest is what metrics need of an assistance request not closed.
type OpenRequest struct {
	Status  string
	Urgency string
	// Deadline is when it escalates unless answered; zero when no deadline
	// runs (a unit helping is on scene).
	Deadline time.Time
}

// OpenWork is the open incidents and assistance requests of the durable
// view, as metrics count them at a scrape.
type OpenWork struct {
	Now       time.Time // the engine's time when it was read
	Incidents []OpenIncident
	Requests  []OpenRequest
}

// OpenWork returns the open incidents and assistance requests. It reads the
// view under its read lock and walks only what is in memory — open work and
// what closed within the retention window — never the store's history, so
// a scrape costs what open work costs. It applies no visibility rule: it is
// for the operator's counts, which name no record.
func (e *Engine) OpenWork() OpenWork {
	w := OpenWork{Now: e.Now()}
	e.read(func(s *dispatch.State) {
		for _, in := range s.Incidents {
			if in.Status != dispatch.IncidentClosed {
				w.Incidents = append(w.Incidents, OpenIncident{Agency: in.Agency, Priority: in.Priority, Received: in.Received})
			}
		}
		for _, rq := range s.Requests {
			if rq.Status == dispatch.RequestClosed || rq.Closed != nil {
				continue
			}
			o := OpenRequest{Status: rq.Status, Urgency: rq.Urgency}
			if rq.Deadline != nil {
				o.Deadline = *rq.Deadline
			}
			w.Requests = append(w.Requests, o)
		}
	})
	return w
}
