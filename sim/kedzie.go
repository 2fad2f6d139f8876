package sim

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/geo"
)

// The reference scenario (DESIGN.md, "The reference scenario"), played in
// the demo city by its users: a federal patrol boxed in near 39th Place and
// South Kedzie Avenue presses EMERGENCY; Metro PD's commander holds dispatch
// to that area; the request cannot be dropped: the conflict shows, it
// climbs the federal plan to the sheriff and then the state police at
// their deadlines; the state police accept, and Metro PD sends a traffic
// unit under an override. To its end (issue 14): the traffic unit arrives
// first, and Metro PD's supervisor orders it away while federal's request
// is open; the departure is on the record, with who ordered it and the
// hold in force, and alerts federal and metro's supervisors. With nobody
// on scene and the state police not there in time, the request escalates
// again; the sheriff, who never answered, comes instead. The federal crew
// ends its EMERGENCY and releases the request, and federal's auditor
// publishes the request's timeline for anyone to check.

// KedziePlace is where the federal patrol is boxed in: a corner of the
// demo city's map (gridcity), which a map without it cannot play.
const KedziePlace = "39th Pl & S Kedzie Ave"

// KedzieAcknowledge is the federal plan's acknowledgement deadline for an
// EMERGENCY request in the demo: short enough that the scenario climbs the
// plan within a minute.
const KedzieAcknowledge = 15 * time.Second

// KedzieArrive is the federal plan's arrival margin for an EMERGENCY
// request in the demo: units sent have their drive time and this to be on
// scene, and, once a unit leaves, those still on their way have this. The
// least a plan may give, so that the re-escalation comes within the demo.
const KedzieArrive = 30 * time.Second

// A Step is one moment of the scenario, for the demo to print.
type Step struct {
	At   time.Duration // since the scenario began, in scenario time
	What string
	// On is the installation it happened on, in the federated city
	// (KedzieFederated); "" in one installation.
	On string
}

// KedzieWorld is what the scenario needs of the running city.
type KedzieWorld interface {
	Available(agency string) []string
	// Unit returns a unit's kind and capabilities, and whether it exists.
	Unit(id string) (kind string, caps []string, ok bool)
	// Request returns where a request stands: its status, the agencies
	// asked, and whether it exists.
	Request(id string) (status string, asked []string, ok bool)
	// Escalated reports whether a request has escalated for reason
	// (dispatch.EscalateNoArrival…).
	Escalated(id, reason string) bool
	// Conflicted reports whether a directive of agency (as the request
	// names it) stands against a request.
	Conflicted(id, agency string) bool
}

// demoUser is the actor of the demo user of agency in role (sim.Users).
func demoUser(agency, role string) dispatch.Actor {
	return dispatch.Actor{User: agency + "-" + role, Agency: agency, Role: role, Roles: []string{role}}
}

// Kedzie plays the reference scenario through exec at at, where the map
// places KedziePlace (the caller geocodes it: on a map without that corner
// there is no scenario to play), waiting between steps (scaled down by
// speed; the deadlines themselves are the domain's and run in real time),
// and calls step at each. It returns the request's id.
func Kedzie(ctx context.Context, exec Recorder, w KedzieWorld, at geo.Point, speed float64, step func(Step)) (string, error) {
	one := Site{Exec: exec, World: w}
	return kedzie(ctx, kedzieCity{
		on:      func(string) string { return "" },
		site:    func(string) Site { return one },
		asked:   func(agency string) string { return agency },
		request: func(_, id string) string { return id },
	}, at, speed, step)
}

// kedzieCity is where the scenario's agencies act: all on one
// installation (Kedzie), or each on its own (KedzieFederated).
type kedzieCity struct {
	// on names agency's installation in the steps ("" in one).
	on func(agency string) string
	// site is agency's installation.
	site func(agency string) Site
	// asked is the name federal's plan asks agency by.
	asked func(agency string) string
	// request is the id federal's request id has on agency's
	// installation: itself, or the partner's mirror of it.
	request func(agency, id string) string
	// slack is what a wait for another installation allows beyond the
	// deadlines, for the messages between them: each goes once its
	// event is under a signed checkpoint, and is tried again, with a
	// growing pause, until a receipt comes back.
	slack time.Duration
}

// kedzie plays the scenario in city, each agency's commands through its
// site's Recorder, each wait for a partner's request on its site's world.
func kedzie(ctx context.Context, city kedzieCity, at geo.Point, speed float64, step func(Step)) (string, error) {
	start := time.Now()
	say := func(agency, format string, args ...any) {
		if step != nil {
			step(Step{At: time.Since(start), What: fmt.Sprintf(format, args...), On: city.on(agency)})
		}
	}
	wait := func(d time.Duration) error {
		t := time.NewTimer(time.Duration(float64(d) / speed))
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			return nil
		}
	}
	// run records a command of a's on a's agency's installation.
	run := func(a dispatch.Actor, c dispatch.Command) ([]dispatch.Event, error) {
		evs, err := city.site(a.Agency).Exec(ctx, a, c)
		if err != nil {
			return nil, fmt.Errorf("kedzie: %s: %T: %w", a.User, c, err)
		}
		return evs, nil
	}
	world := func(agency string) KedzieWorld { return city.site(agency).World }
	fed := world("federal")
	lat, lon := at.Lat, at.Lon

	// The federal plan: Metro PD first, then the sheriff, then the state.
	plan := dispatch.MutualAidPlan{
		Levels: []dispatch.AlarmLevel{{Agencies: []string{city.asked("metro")}}, {Agencies: []string{city.asked("sheriff")}}, {Agencies: []string{city.asked("state")}}},
		Emergency: dispatch.AnswerDeadlines{AcknowledgeSeconds: int(KedzieAcknowledge / time.Second),
			DecideSeconds: dispatch.DefaultAnswerDeadlines[dispatch.UrgencyEmergency].DecideSeconds,
			ArriveSeconds: int(KedzieArrive / time.Second)},
	}
	if _, err := run(demoUser("federal", dispatch.RoleSupervisor), dispatch.SetMutualAidPlan{Agency: "federal", Plan: plan}); err != nil {
		return "", err
	}
	say("federal", "federal's mutual-aid plan: %s, then %s, then %s; %s to acknowledge an emergency, units %s beyond their drive time to arrive",
		city.asked("metro"), city.asked("sheriff"), city.asked("state"), KedzieAcknowledge, KedzieArrive)

	// The Metro PD commander's order.
	evs, err := run(demoUser("metro", dispatch.RoleSupervisor), dispatch.IssueDirective{
		Agency: "metro",
		Scope:  dispatch.Scope{Kind: dispatch.ScopeCircle, Circle: &dispatch.Circle{Lat: lat, Lon: lon, RadiusM: 600}},
		Effect: dispatch.EffectHold,
		Reason: "commander's order: hold dispatch to the Kedzie/39th area (crowd at the rail yards)",
		// Expiry comes from the domain's clock through the event; a day
		// is within the bound and outlives the demo's scenario.
		Expires: time.Now().UTC().Add(24 * time.Hour),
	})
	if err != nil {
		return "", err
	}
	say("metro", "metro-supervisor issues directive %s: hold dispatch within 600 m of %s", evs[0].Subject["directive"], KedziePlace)
	if err := wait(5 * time.Second); err != nil {
		return "", err
	}

	// The federal patrol is boxed in and presses EMERGENCY.
	unit := kedzieUnit(fed)
	callSign := strings.ToUpper(strings.TrimPrefix(unit, "federal."))
	// Its crew presses the button, as only a unit's crew may
	// (dispatch.MayOperate): a user of the scenario's, named for the unit
	// and signed on by the federal supervisor, so that playing again, or
	// an officer of the console on another unit, never stands in the way.
	crew, err := kedzieCrew(ctx, city.site("federal").Exec, unit)
	if err != nil {
		return "", err
	}
	// The engine places it on the map: near an address, in a district and
	// beat, where the directive meets it.
	evs, err = run(crew, dispatch.SetUnitStatus{Unit: unit, Status: dispatch.StatusEmergency,
		Lat: &lat, Lon: &lon})
	if err != nil {
		return "", err
	}
	request := ""
	for _, e := range evs {
		if e.Type == dispatch.TypeAssistRequested {
			request = e.Subject["request"]
		}
	}
	if request == "" {
		return "", errors.New("kedzie: the emergency raised no assistance request")
	}
	say("federal", "%s presses EMERGENCY at %s: request %s to %s", callSign, KedziePlace, request, city.asked("metro"))
	// Each partner answers the request where it has it: on its own
	// installation, once the request has reached it.
	mirror := func(agency string) string { return city.request(agency, request) }
	if err := awaitAsked(ctx, world("metro"), mirror("metro"), "metro", KedzieAcknowledge+city.slack); err != nil {
		return "", err
	}
	// The hold meets the request where metro has it; federal is told.
	if err := await(ctx, KedzieAcknowledge+city.slack, fmt.Sprintf("request %s shows no conflict with %s's hold", request, city.asked("metro")), func() bool {
		return fed.Conflicted(request, city.asked("metro"))
	}); err != nil {
		return "", err
	}
	say("federal", "the conflict with %s's hold shows on request %s", city.asked("metro"), request)
	if err := wait(3 * time.Second); err != nil {
		return "", err
	}
	if _, err := run(demoUser("metro", dispatch.RoleDispatcher), dispatch.AcknowledgeAssist{Request: mirror("metro"), Agency: "metro"}); err != nil {
		return "", err
	}
	say("metro", "metro-dispatcher acknowledges %s; the directive still holds, so the deadline stands", mirror("metro"))

	// The timers escalate at the deadlines: to the sheriff, then the state.
	if err := awaitAsked(ctx, fed, request, city.asked("state"), 3*KedzieAcknowledge+city.slack); err != nil {
		return "", err
	}
	say("federal", "the request reached %s, then %s, at their deadlines", city.asked("sheriff"), city.asked("state"))
	if err := awaitAsked(ctx, world("state"), mirror("state"), "state", KedzieAcknowledge+city.slack); err != nil {
		return "", err
	}
	if err := wait(3 * time.Second); err != nil {
		return "", err
	}
	if _, err := run(demoUser("state", dispatch.RoleDispatcher), dispatch.AcknowledgeAssist{Request: mirror("state"), Agency: "state"}); err != nil {
		return "", err
	}
	say("state", "state-dispatcher acknowledges %s", mirror("state"))
	sent, err := acceptWith(run, world("state"), demoUser("state", dispatch.RoleDispatcher), mirror("state"), "state", "patrol", 2, "")
	if err != nil {
		return "", err
	}
	say("state", "state accepts and sends %v", sent)
	if err := wait(2 * time.Second); err != nil {
		return "", err
	}
	traffic, err := acceptWith(run, world("metro"), demoUser("metro", dispatch.RoleSupervisor), mirror("metro"), "metro", "traffic", 1,
		"traffic control at 39th Pl & Kedzie for the state police response")
	if err != nil {
		return "", err
	}
	say("metro", "metro-supervisor overrides the hold and sends traffic unit %v", traffic)

	// The units set out, and the traffic unit, from nearer, arrives
	// first; their crews radio it, and each agency's dispatcher keys it in.
	status := func(st string, units ...string) error {
		if err := wait(4 * time.Second); err != nil {
			return err
		}
		// By installation, in the order of the units, each installation's
		// step said once.
		var ons []string
		by := map[string][]string{}
		for _, u := range units {
			agency, _, _ := strings.Cut(u, ".")
			if _, err := run(demoUser(agency, dispatch.RoleDispatcher), dispatch.SetUnitStatus{Unit: u, Status: st}); err != nil {
				return err
			}
			if on := city.on(agency); !slices.Contains(ons, on) {
				ons = append(ons, on)
			}
			by[city.on(agency)] = append(by[city.on(agency)], u)
		}
		for _, on := range ons {
			agency, _, _ := strings.Cut(by[on][0], ".")
			say(agency, "%v %s", by[on], st)
		}
		return nil
	}
	if err := status(dispatch.StatusEnRoute, append(sent, traffic...)...); err != nil {
		return "", err
	}
	if err := status(dispatch.StatusOnScene, traffic...); err != nil {
		return "", err
	}
	if err := wait(3 * time.Second); err != nil {
		return "", err
	}

	// Metro PD's supervisor orders the traffic unit away while federal's
	// request is open: it leaves on the record (assist.unit_left), by the
	// supervisor's order under the hold, and federal and metro's
	// supervisors are told at once.
	for _, u := range traffic {
		if _, err := run(demoUser("metro", dispatch.RoleSupervisor), dispatch.SetUnitStatus{Unit: u, Status: dispatch.StatusAvailable,
			Reason: "commander's order: back to the hold line at Pershing; the crowd at the rail yards is growing"}); err != nil {
			return "", err
		}
	}
	say("metro", "metro-supervisor orders %v away under the hold while the request is open: the departure is on the record; federal and metro's supervisors are alerted; nobody is on scene, and the state police have %s to arrive", traffic, KedzieArrive)

	// The state police are not there in time: the request escalates again,
	// every level of the plan asked, to them all.
	if err := awaitEscalated(ctx, fed, request, dispatch.EscalateNoArrival, KedzieArrive+KedzieAcknowledge+city.slack); err != nil {
		return "", err
	}
	say("federal", "nobody on scene by the deadline: the request escalates again (no_arrival), alerting every agency asked")
	if err := wait(2 * time.Second); err != nil {
		return "", err
	}
	// The sheriff, which never answered, comes instead.
	came, err := acceptWith(run, world("sheriff"), demoUser("sheriff", dispatch.RoleDispatcher), mirror("sheriff"), "sheriff", "patrol", 1, "")
	if err != nil {
		return "", err
	}
	say("sheriff", "sheriff-dispatcher accepts %s and sends %v instead", mirror("sheriff"), came)
	if err := status(dispatch.StatusEnRoute, came...); err != nil {
		return "", err
	}
	if err := status(dispatch.StatusOnScene, append(came, sent...)...); err != nil {
		return "", err
	}

	// The crew that pressed EMERGENCY ends it, as only it or a federal
	// supervisor may, and releases the request: the units go home.
	if err := wait(2 * time.Second); err != nil {
		return "", err
	}
	if _, err := run(crew, dispatch.SetUnitStatus{Unit: unit, Status: dispatch.StatusAvailable,
		Reason: "out of the box: the sheriff and the state police hold the crossing"}); err != nil {
		return "", err
	}
	if _, err := run(crew, dispatch.CloseAssist{Request: request, Disposition: "crew safe; released the sheriff and the state police"}); err != nil {
		return "", err
	}
	say("federal", "%s ends its EMERGENCY and releases request %s", callSign, request)

	// Federal's auditor publishes the timeline: anyone may now read it,
	// redacted, and check it against the signed checkpoint.
	if _, err := run(demoUser("federal", dispatch.RoleAuditor), dispatch.PublishTimeline{Kind: dispatch.PublishRequest, ID: request,
		Reason: "the reference scenario, for anyone to check"}); err != nil {
		return "", err
	}
	say("federal", "federal-auditor publishes the timeline of %s: anyone can check it at /console/public", request)
	return request, nil
}

// kedzieCrew signs on federal unit a crew of one, the user
// "federal-<call sign>-crew" (created the first time, by the federal
// administrator; it has no credentials and never signs in), and returns it
// as an actor.
func kedzieCrew(ctx context.Context, exec Recorder, unit string) (dispatch.Actor, error) {
	name := "federal-" + strings.TrimPrefix(unit, "federal.") + "-crew"
	crew := dispatch.Actor{User: name, Agency: "federal", Role: dispatch.RoleOfficer, Roles: []string{dispatch.RoleOfficer}}
	_, err := exec(ctx, demoUser("federal", dispatch.RoleAdmin), dispatch.CreateUser{Username: name, Agency: "federal", Roles: []string{dispatch.RoleOfficer}})
	if err != nil && dispatch.ErrorCode(err) != dispatch.ECONFLICT {
		return crew, fmt.Errorf("kedzie: the crew of %s: %w", unit, err)
	}
	now := time.Now().UTC()
	if _, err := exec(ctx, demoUser("federal", dispatch.RoleSupervisor), dispatch.SignOn{Unit: unit, Crew: []string{name}, Start: now, End: now.Add(8 * time.Hour)}); err != nil {
		return crew, fmt.Errorf("kedzie: sign the crew on %s: %w", unit, err)
	}
	return crew, nil
}

// kedzieUnit is the federal patrol unit boxed in: FP11, or, when FP11 is
// not AVAILABLE (an earlier play left it in EMERGENCY), the first AVAILABLE
// federal patrol unit, so that the scenario can be played again in the
// same city.
func kedzieUnit(w KedzieWorld) string {
	const first = "federal.fp11"
	available := w.Available("federal")
	if slices.Contains(available, first) {
		return first
	}
	for _, id := range available {
		if kind, _, ok := w.Unit(id); ok && kind == "patrol" {
			return id
		}
	}
	return first
}

// awaitAsked waits until agency has been asked for request.
func awaitAsked(ctx context.Context, w KedzieWorld, request, agency string, limit time.Duration) error {
	return await(ctx, limit, fmt.Sprintf("request %s did not reach %s", request, agency), func() bool {
		_, asked, ok := w.Request(request)
		return ok && slices.Contains(asked, agency)
	})
}

// awaitEscalated waits until request has escalated for reason.
func awaitEscalated(ctx context.Context, w KedzieWorld, request, reason string, limit time.Duration) error {
	return await(ctx, limit, fmt.Sprintf("request %s did not escalate (%s)", request, reason), func() bool {
		return w.Escalated(request, reason)
	})
}

// await looks every 200 ms until done says so, for at most limit; what
// says what did not happen.
func await(ctx context.Context, limit time.Duration, what string, done func() bool) error {
	deadline := time.Now().Add(limit)
	for !done() {
		if time.Now().After(deadline) {
			return fmt.Errorf("kedzie: %s within %s", what, limit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return nil
}

// acceptWith accepts request for agency with n of its AVAILABLE units of
// kind, trying others if the city sends one elsewhere first.
func acceptWith(run func(dispatch.Actor, dispatch.Command) ([]dispatch.Event, error), w KedzieWorld, a dispatch.Actor, request, agency, kind string, n int, override string) ([]string, error) {
	var err error
	for range 5 {
		var units []string
		for _, id := range w.Available(agency) {
			if k, _, ok := w.Unit(id); ok && k == kind && len(units) < n {
				units = append(units, id)
			}
		}
		if len(units) < n {
			return nil, fmt.Errorf("kedzie: agency %s has %d available %s units, want %d", agency, len(units), kind, n)
		}
		if _, err = run(a, dispatch.AcceptAssist{Request: request, Agency: agency, Units: units, Override: override}); err == nil {
			return units, nil
		}
	}
	return nil, err
}
