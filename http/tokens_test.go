package http_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/auth"
	"github.com/tenfour-cad/tenfour/dispatch"
	tenfourhttp "github.com/tenfour-cad/tenfour/http"
	"github.com/tenfour-cad/tenfour/store"
)

// TestNoImpersonation: an administrator cannot make a token that issues a
// directive as a supervisor; the supervisor can, signed in with the second
// factor; and every action taken with a token names the token in the log.
func TestNoImpersonation(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	metroAdmin := ts.MustCreateUser(t, "metro-admin", "metro", dispatch.RoleAdmin)
	ts.MustCreateUser(t, "metro-supervisor", "metro", dispatch.RoleSupervisor, dispatch.RoleDispatcher)
	const pw = "the supervisor's long password"
	ts.MustSetPassword(t, "metro-supervisor", pw)
	key, err := auth.NewTOTP("metro-supervisor")
	if err != nil {
		t.Fatal(err)
	}
	secret := key.Secret()
	if _, err := ts.Store.UpdateUser(context.Background(), "metro-supervisor", store.UserUpdate{TOTPSecret: &secret}); err != nil {
		t.Fatal(err)
	}
	directive := map[string]any{"agency": "metro", "scope": map[string]any{"kind": "circle", "circle": map[string]any{"lat": 41.82, "lon": -87.70, "radius_m": 200}},
		"effect": "hold", "reason": "impersonation test", "expires": ts.Engine.Now().Add(time.Hour)}

	for _, tc := range []struct {
		name  string
		token string
		body  map[string]any
	}{
		{"AgencyAdminAllRoles", metroAdmin, map[string]any{"name": "as the supervisor"}},
		{"AgencyAdminSupervisorRole", metroAdmin, map[string]any{"name": "as the supervisor", "roles": []string{"supervisor"}}},
		{"InstallationAdmin", ts.Admin, map[string]any{"name": "as the supervisor", "roles": []string{"supervisor"}}},
		{"WithTheSupervisorsCode", metroAdmin, map[string]any{"name": "as the supervisor", "roles": []string{"supervisor"}, "code": mustCode(t, secret, ts.Clock.Now())}},
	} {
		t.Run("Err"+tc.name, func(t *testing.T) {
			before := ts.Engine.Log().Size()
			r := ts.Do(t, "POST", "/api/v1/users/metro-supervisor/tokens", tc.token, tc.body)
			CheckProblem(t, "POST /api/v1/users/metro-supervisor/tokens as an administrator", r, http.StatusForbidden, dispatch.EFORBIDDEN, "second factor of metro-supervisor")
			for _, e := range ts.Events(t, before) {
				if e.Type == dispatch.TypeTokenCreated {
					t.Errorf("a refused token was recorded: %+v", e)
				}
			}
		})
	}

	t.Run("AdminTokenWithoutSecondFactorRoles", func(t *testing.T) {
		before := ts.Engine.Log().Size()
		var tok Token
		MustJSON(t, "POST /api/v1/users/metro-supervisor/tokens (dispatcher)", ts.Do(t, "POST", "/api/v1/users/metro-supervisor/tokens", metroAdmin,
			map[string]any{"name": "dispatch desk", "roles": []string{"dispatcher"}}), 201, &tok)
		created := ts.Events(t, before)
		if len(created) != 1 || created[0].Type != dispatch.TypeTokenCreated || created[0].Subject["token"] != tok.ID {
			t.Fatalf("events of the token = %+v, want one token.created", created)
		}
		if madeBy := dataField(t, created[0].Data, "made_by"); madeBy != "metro-admin" || created[0].Actor.User != "metro-admin" {
			t.Errorf("token.created = actor %+v, made_by %q; want made by metro-admin, and said so", created[0].Actor, madeBy)
		}
		CheckProblem(t, "POST /api/v1/directives with the administrator's token for the supervisor", ts.Do(t, "POST", "/api/v1/directives", tok.Token, directive),
			http.StatusForbidden, dispatch.EFORBIDDEN, "not open to your roles")
	})

	t.Run("SupervisorsOwnToken", func(t *testing.T) {
		r, cookie := ts.Login(t, "metro-supervisor", pw, mustCode(t, secret, ts.Clock.Now()))
		if r.Status != 200 || cookie == "" {
			t.Fatalf("sign-in = %d %s", r.Status, r.Body)
		}
		before := ts.Engine.Log().Size()
		var tok Token
		MustJSON(t, "POST /api/v1/auth/tokens in the supervisor's session", ts.DoWith(t, "POST", "/api/v1/auth/tokens",
			map[string]any{"name": "command tablet"}, withCookie(cookie)), 201, &tok)
		if tok.Username != "metro-supervisor" || tok.Expires == nil || !tok.Expires.Equal(ts.Clock.Now().Add(auth.DefaultTokenLife)) {
			t.Errorf("the supervisor's token = %+v, want theirs, expiring in 90 days", tok)
		}
		if e := ts.Events(t, before); len(e) != 1 || dataField(t, e[0].Data, "made_by") != "" {
			t.Errorf("token.created of one's own token = %+v, want no made_by", e)
		}
		// A token makes no token with a second factor's role without the code.
		CheckProblem(t, "POST /api/v1/auth/tokens with a token and no code", ts.Do(t, "POST", "/api/v1/auth/tokens", tok.Token, map[string]any{"name": "another"}),
			http.StatusForbidden, dispatch.EFORBIDDEN, "one-time code")

		before = ts.Engine.Log().Size()
		r = ts.Do(t, "POST", "/api/v1/directives", tok.Token, directive)
		if r.Status != http.StatusCreated {
			t.Fatalf("POST /api/v1/directives with the supervisor's own token = %d %s, want 201", r.Status, r.Body)
		}
		var issued bool
		for _, e := range ts.Events(t, before) {
			if e.Type == dispatch.TypeDirectiveIssued {
				issued = true
				if e.Actor.User != "metro-supervisor" || e.Actor.Token != tok.ID {
					t.Errorf("directive.issued actor = %+v, want metro-supervisor acting with token %s", e.Actor, tok.ID)
				}
			}
		}
		if !issued {
			t.Error("no directive.issued in the log")
		}
		// In a session, the leaf names no token, as before tokens were named.
		before = ts.Engine.Log().Size()
		directive["reason"] = "in person"
		if r := ts.DoWith(t, "POST", "/api/v1/directives", directive, withCookie(cookie)); r.Status != http.StatusCreated {
			t.Fatalf("POST /api/v1/directives in a session = %d %s", r.Status, r.Body)
		}
		for _, e := range ts.Events(t, before) {
			if e.Type == dispatch.TypeDirectiveIssued && e.Actor.Token != "" {
				t.Errorf("directive.issued in a session names token %q", e.Actor.Token)
			}
		}
	})
}

// dataField returns a string field of an event's data.
func dataField(t *testing.T, data []byte, field string) string {
	t.Helper()
	var m map[string]any
	if len(data) == 0 {
		return ""
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("event data %s: %v", data, err)
	}
	s, _ := m[field].(string)
	return s
}

// TestStreamCaps: one user cannot open unlimited event streams, nor all
// users together more than the node's cap; a closed stream frees its place.
func TestStreamCaps(t *testing.T) {
	ts := MustOpenServerWith(t, func(s *tenfourhttp.Server) { s.StreamsPerUser, s.StreamsPerNode = 2, 3 })
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ann := ts.MustCreateUser(t, "ann", "metro", dispatch.RoleDispatcher)
	annTablet := ts.MustCreateToken(t, "ann")
	bob := ts.MustCreateUser(t, "bob", "metro", dispatch.RoleDispatcher)

	_, closeFirst := openStream(t, ts, ann, "")
	defer closeFirst()
	_, closeSecond := openStream(t, ts, annTablet, "")
	defer closeSecond()
	// A third of ann's, from either of her tokens, is one too many.
	for _, token := range []string{ann, annTablet} {
		r := matrixDo(t, ts, "GET", "/api/v1/stream", token, nil, true)
		CheckProblem(t, "a third stream of ann's", r, http.StatusTooManyRequests, "too_many_streams", "at most 2 per user")
		if r.Header.Get("Retry-After") == "" {
			t.Error("429 of a stream without Retry-After")
		}
	}
	_, closeBob := openStream(t, ts, bob, "")
	defer closeBob()
	CheckProblem(t, "a stream past the node's cap", matrixDo(t, ts, "GET", "/api/v1/stream", bob, nil, true), http.StatusTooManyRequests, "too_many_streams", "3 on this node")

	// Closing one gives ann her place back once the server has seen it go.
	closeFirst()
	deadline := time.Now().Add(10 * time.Second)
	for {
		// matrixDo reads a stream's status and headers only, then leaves.
		status := matrixDo(t, ts, "GET", "/api/v1/stream", ann, nil, true).Status
		if status == http.StatusOK {
			break
		}
		if status != http.StatusTooManyRequests || time.Now().After(deadline) {
			t.Fatalf("GET /api/v1/stream after closing one of ann's = %d, want 200 once the server saw it closed", status)
		}
		time.Sleep(10 * time.Millisecond) // polls for the server to see the close
	}
}
