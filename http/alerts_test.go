package http_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// TestAcknowledgeAlert: an acknowledgement is an event of the log naming
// who saw the alert, read back through the request's timeline as an
// auditor reads it; it streams to those who see the alert and no one else;
// what is no alert, or not the caller's to see, is refused.
func TestAcknowledgeAlert(t *testing.T) {
	ts := MustOpenServer(t)
	for _, a := range []dispatch.CreateAgency{
		{ID: "federal", Name: "Federal Patrol", Kind: "federal"},
		{ID: "metro", Name: "Metro PD", Kind: "municipal_police"},
		{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"},
	} {
		ts.MustExecute(t, a)
	}
	lat, lon := 41.8236, -87.7047
	res := ts.MustExecute(t, dispatch.RequestAssist{From: "federal", To: "metro", Urgency: dispatch.UrgencyEmergency,
		Location: dispatch.Location{Text: "39th Pl & S Kedzie Ave", Lat: &lat, Lon: &lon}, Nature: "team boxed in"})
	alert, request := res.First, res.Events[0].Subject["request"]
	routine := ts.MustExecute(t, dispatch.RequestAssist{From: "federal", To: "metro", Urgency: dispatch.UrgencyRoutine,
		Location: dispatch.Location{Text: "39th Pl & S Kedzie Ave", Lat: &lat, Lon: &lon}, Nature: "road closure"}).First
	dana := ts.MustCreateUser(t, "dana", "metro", dispatch.RoleDispatcher)
	fed := ts.MustCreateUser(t, "fed-dispatcher", "federal", dispatch.RoleDispatcher)
	deputy := ts.MustCreateUser(t, "deputy", "sheriff", dispatch.RoleDispatcher)
	auditor := ts.MustCreateUser(t, "oversight", "federal", dispatch.RoleAuditor)

	from := strconv.FormatInt(ts.Engine.Log().Size()-1, 10)
	fedStream, cancelFed := openStream(t, ts, fed, from)
	defer cancelFed()
	sheriffStream, cancelSheriff := openStream(t, ts, deputy, from)
	defer cancelSheriff()

	path := fmt.Sprintf("/api/v1/alerts/%d/acknowledge", alert)
	var ack struct {
		Seq       int64  `json:"seq"`
		Alert     int64  `json:"alert"`
		AlertType string `json:"alert_type"`
		By        string `json:"by"`
	}
	MustJSON(t, "POST "+path, ts.Do(t, "POST", path, dana, map[string]string{}), http.StatusCreated, &ack)
	if ack.Alert != alert || ack.AlertType != dispatch.TypeAssistRequested || ack.By != "dana" || ack.Seq <= alert {
		t.Fatalf("POST %s = %+v, want dana's acknowledgement of %d (assist.requested)", path, ack, alert)
	}

	// The auditor reads it in the request's timeline: who, which alert.
	var tl struct {
		Entries []struct {
			Seq   int64  `json:"seq"`
			Type  string `json:"type"`
			Time  string `json:"time"`
			Actor struct {
				User   string `json:"user"`
				Agency string `json:"agency"`
				Role   string `json:"role"`
			} `json:"actor"`
			Subject map[string]string `json:"subject"`
			Data    json.RawMessage   `json:"data"`
		} `json:"entries"`
	}
	tlPath := "/api/v1/requests/" + request + "/timeline"
	MustJSON(t, "GET "+tlPath, ts.Do(t, "GET", tlPath, auditor, nil), http.StatusOK, &tl)
	found := false
	for _, e := range tl.Entries {
		if e.Type != dispatch.TypeAlertAcknowledged {
			continue
		}
		found = true
		var d dispatch.AlertAcknowledged
		if err := json.Unmarshal(e.Data, &d); err != nil {
			t.Fatal(err)
		}
		if e.Seq != ack.Seq || e.Actor.User != "dana" || e.Actor.Agency != "metro" || e.Actor.Role != dispatch.RoleDispatcher ||
			d.Alert != alert || d.AlertType != dispatch.TypeAssistRequested || e.Time == "" || e.Subject["alert"] != strconv.FormatInt(alert, 10) {
			t.Errorf("timeline entry %d = %+v %+v, want dana (metro, dispatcher) acknowledging %d", e.Seq, e, d, alert)
		}
	}
	if !found {
		t.Fatalf("GET %s has no alert.acknowledged: %+v", tlPath, tl.Entries)
	}

	// The requester's stream has it; the sheriff's, not asked, does not:
	// the next event it gets is one of its own.
	for {
		ev := next(t, fedStream)
		if ev.Event == dispatch.TypeAlertAcknowledged {
			if ev.ID != ack.Seq {
				t.Errorf("federal's stream: alert.acknowledged %d, want %d", ev.ID, ack.Seq)
			}
			break
		}
	}
	own := ts.MustExecute(t, dispatch.CreateUnit{CallSign: "S1", Agency: "sheriff", Kind: "patrol"}).First
	for {
		ev := next(t, sheriffStream)
		if ev.Event == dispatch.TypeAlertAcknowledged {
			t.Fatalf("the sheriff's stream has alert.acknowledged %d of a request it is not asked", ev.ID)
		}
		if ev.ID == own {
			break
		}
	}

	refused := []struct {
		name   string
		seq    string
		token  string
		status int
		code   string
	}{
		{"ErrInvalid/NotAnAlert", strconv.FormatInt(routine, 10), dana, http.StatusUnprocessableEntity, dispatch.EINVALID},
		{"ErrNotFound/NotSeen", strconv.FormatInt(alert, 10), deputy, http.StatusNotFound, dispatch.ENOTFOUND},
		{"ErrNotFound/BeyondTheLog", "100000", dana, http.StatusNotFound, dispatch.ENOTFOUND},
		{"ErrInvalid/NoNumber", "first", dana, http.StatusUnprocessableEntity, dispatch.EINVALID},
		{"ErrForbidden/Auditor", strconv.FormatInt(alert, 10), auditor, http.StatusForbidden, dispatch.EFORBIDDEN},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			p := "/api/v1/alerts/" + tt.seq + "/acknowledge"
			CheckProblem(t, "POST "+p, ts.Do(t, "POST", p, tt.token, map[string]string{}), tt.status, tt.code, "")
		})
	}
}
