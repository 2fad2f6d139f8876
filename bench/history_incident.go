package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// The steps of an incident's life, each one command as a console or a
// mobile client sends it.
type stepKind uint8

const (
	stCreate      stepKind = iota // the call-taker enters the call
	stCaller                      // a further call about it
	stDispatch                    // the dispatcher sends 1 to 3 units
	stEnRoute                     // a unit (slot) goes EN_ROUTE
	stOnScene                     // a unit goes ON_SCENE
	stNote                        // a note on the narrative
	stLateNote                    // a supervisor enters a note late, from paper
	stTransport                   // a unit goes TRANSPORTING
	stTransported                 // the transporting unit is AVAILABLE again
	stClear                       // the incident is cleared, its units AVAILABLE
	stReport                      // a note written after clearing
)

var stepNames = [...]string{"create", "caller", "dispatch", "en route", "on scene", "note", "late note", "transport", "transported", "clear", "report"}

// A step is one command of an incident, at its simulated time; slot names
// the incident's unit it moves.
type step struct {
	at   time.Time
	kind stepKind
	slot int8
}

// A histIncident is one incident of the year. The driver owns n, steps and
// next; the worker the incident is pinned to owns the rest.
type histIncident struct {
	n     int
	steps []step
	next  int

	agency   *histAgency
	addr     int
	typ      string
	want     int
	received time.Time
	r        *rand.Rand

	id       string
	units    []string
	released []bool
}

// plan draws incident n's call, arriving at t, and the times of its life:
// entered within 30–90 s and units sent within 3 minutes (within 45 and
// 30 s for priority 1), on their way within 90 s and on scene 3 to 12
// minutes later, 4 to 11 notes as it is worked, a further caller for three
// in ten, a transport for most medical calls, a late note for one in
// thirty, cleared 10 to 50 minutes after the last unit arrives, and a
// report note after for one in five.
func (b *builder) plan(r *rand.Rand, n int, t time.Time) *histIncident {
	addr := b.c.drawAddress(r)
	a, typ := b.c.drawCall(r, addr)
	in := &histIncident{n: n, agency: a, addr: addr, typ: typ, want: a.wanted(r), received: t,
		r: rand.New(rand.NewPCG(b.opt.Seed, uint64(n)))}
	sec := func(lo, hi int) time.Duration { return time.Duration(lo+r.IntN(hi-lo+1)) * time.Second }
	add := func(at time.Time, k stepKind, slot int) { in.steps = append(in.steps, step{at, k, int8(slot)}) }
	created := t.Add(sec(30, 90))
	dispatched := created.Add(sec(20, 180))
	if ty, ok := dispatch.IncidentTypeByCode(typ); ok && ty.DefaultPriority <= 1 {
		created = t.Add(sec(15, 45))
		dispatched = created.Add(sec(5, 30))
	}
	add(created, stCreate, 0)
	add(dispatched, stDispatch, 0)
	lastOn := dispatched
	onScene := make([]time.Time, in.want)
	for s := range in.want {
		enRoute := dispatched.Add(sec(10, 90))
		onScene[s] = enRoute.Add(sec(180, 720))
		add(enRoute, stEnRoute, s)
		add(onScene[s], stOnScene, s)
		lastOn = maxTime(lastOn, onScene[s])
	}
	cleared := lastOn.Add(sec(600, 3000))
	if typ == "MEDICAL" && r.IntN(10) < 6 {
		leave := onScene[0].Add(sec(600, 1200))
		back := leave.Add(sec(900, 1800))
		add(leave, stTransport, 0)
		add(back, stTransported, 0)
		cleared = maxTime(cleared, back.Add(sec(60, 300)))
	}
	if r.IntN(10) < 3 {
		add(created.Add(sec(30, 240)), stCaller, 0)
	}
	work := cleared.Sub(created)
	for range 4 + r.IntN(8) {
		add(created.Add(time.Duration(r.Int64N(int64(work)))), stNote, 0)
	}
	if r.IntN(30) == 0 {
		add(cleared.Add(-sec(10, 60)), stLateNote, 0)
	}
	add(cleared, stClear, 0)
	if r.IntN(5) == 0 {
		add(cleared.Add(sec(300, 3600)), stReport, 0)
	}
	sortSteps(in.steps)
	return in
}

// sortSteps orders the steps by time, keeping the order of kinds for
// steps at the same second (the call before what follows it).
func sortSteps(s []step) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && (s[j].at.Before(s[j-1].at) || (s[j].at.Equal(s[j-1].at) && s[j].kind < s[j-1].kind)); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// A job is one step handed to a worker.
type job struct {
	in *histIncident
	st step
}

// work is one API client: it sends the steps of the incidents pinned to
// it, in the order the driver releases them.
func (b *builder) work(ctx context.Context, jobs <-chan job) {
	for j := range jobs {
		if b.failed() == nil {
			if err := b.do(ctx, j.in, j.st); err != nil {
				b.fail(fmt.Errorf("incident %d (%s) step %s at %s: %w", j.in.n, j.in.id, stepNames[j.st.kind], j.st.at.Format(time.RFC3339), err))
			}
		} // else drain: the driver stops at its next step
		b.flight.done(minuteOf(j.st.at))
	}
}

// do sends one step's command.
func (b *builder) do(ctx context.Context, in *histIncident, st step) error {
	a, r := in.agency, in.r
	exec := func(actor dispatch.Actor, c dispatch.Command) error {
		_, err := b.e.Execute(ctx, actor, c)
		return err
	}
	unit := func() (string, bool) {
		s := int(st.slot)
		if s >= len(in.units) || in.released[s] {
			return "", false
		}
		return in.units[s], true
	}
	switch st.kind {
	case stCreate:
		answered := in.received.Add(time.Duration(3+r.IntN(20)) * time.Second)
		if answered.After(st.at) {
			answered = st.at
		}
		res, err := b.e.Execute(ctx, callTaker(a.id), dispatch.CreateIncident{Agency: a.id, Type: in.typ, Location: b.location(in.addr),
			Caller: dispatch.Caller{Name: personName(r), Phone: phone(r)}, Narrative: sentence(r, 8, 30), Received: &in.received, Answered: &answered})
		if err != nil {
			return err
		}
		in.id = res.Events[0].Subject["incident"]
	case stCaller:
		at := st.at
		return exec(callTaker(a.id), dispatch.AddCaller{Incident: in.id, Caller: dispatch.Caller{Name: personName(r), Phone: phone(r)},
			Narrative: sentence(r, 5, 15), Received: &at})
	case stDispatch:
		in.units = a.take(in.want)
		in.released = make([]bool, len(in.units))
		if len(in.units) == 0 {
			b.unserved.Add(1)
			return nil
		}
		return exec(dispatcherOf(a.id), dispatch.DispatchUnits{Incident: in.id, Units: in.units})
	case stEnRoute, stOnScene, stTransport, stTransported:
		u, ok := unit()
		if !ok {
			return nil
		}
		status := map[stepKind]string{stEnRoute: dispatch.StatusEnRoute, stOnScene: dispatch.StatusOnScene,
			stTransport: dispatch.StatusTransporting, stTransported: dispatch.StatusAvailable}[st.kind]
		// The unit's position as its AVL reports it: near the place, or
		// at it once there.
		ad := b.c.addrs[in.addr]
		lat, lon := ad.lat, ad.lon
		if st.kind == stEnRoute || st.kind == stTransported {
			lat, lon = lat+(r.Float64()-0.5)*0.02, lon+(r.Float64()-0.5)*0.03
		}
		if err := exec(dispatcherOf(a.id), dispatch.SetUnitStatus{Unit: u, Status: status, Lat: &lat, Lon: &lon}); err != nil {
			return err
		}
		if st.kind == stTransported {
			in.released[st.slot] = true
			a.give(u)
		}
	case stNote, stReport:
		return exec(dispatcherOf(a.id), dispatch.AddNote{Incident: in.id, Text: sentence(r, 6, 30)})
	case stLateNote:
		claimed := maxTime(in.received, st.at.Add(-time.Duration(5+r.IntN(25))*time.Minute))
		return exec(supervisorOf(a.id), dispatch.LateEntry{Command: dispatch.AddNote{Incident: in.id, Text: sentence(r, 6, 20)},
			Claimed: claimed, Reason: "entered from the paper log after a radio outage"})
	case stClear:
		disposition := "REPORT TAKEN"
		if len(in.units) == 0 {
			disposition = "NO UNIT AVAILABLE - REFERRED"
		}
		if err := exec(dispatcherOf(a.id), dispatch.ClearIncident{Incident: in.id, Disposition: disposition}); err != nil {
			return err
		}
		for s, u := range in.units {
			if !in.released[s] {
				in.released[s] = true
				a.give(u)
			}
		}
	}
	return nil
}

// incidentQueue is the incidents in the order of their next step: a heap.
type incidentQueue []*histIncident

func (q incidentQueue) Len() int { return len(q) }
func (q incidentQueue) Less(i, j int) bool {
	a, b := q[i].steps[q[i].next], q[j].steps[q[j].next]
	if !a.at.Equal(b.at) {
		return a.at.Before(b.at)
	}
	return q[i].n < q[j].n
}
func (q incidentQueue) Swap(i, j int)  { q[i], q[j] = q[j], q[i] }
func (q *incidentQueue) Push(x any)    { *q = append(*q, x.(*histIncident)) }
func (q *incidentQueue) Pop() any      { o := *q; x := o[len(o)-1]; *q = o[:len(o)-1]; return x }
func (q incidentQueue) top() time.Time { return q[0].steps[q[0].next].at }
