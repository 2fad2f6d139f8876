package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/tenfour-cad/tenfour/auth"
	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
	"github.com/tenfour-cad/tenfour/geo"
	"github.com/tenfour-cad/tenfour/geo/gridcity"
	tenfourhttp "github.com/tenfour-cad/tenfour/http"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store"
	"github.com/tenfour-cad/tenfour/store/sqlite"
)

const origin = "tenfour.test/log"

// A Clock is a fake clock for the engine: every reading is a second after
// the one before, from 2026-03-01. Incident ids are therefore metro-2026-….
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the next reading.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.t.IsZero() {
		c.t = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	}
	c.t = c.t.Add(time.Second)
	return c.t
}

// A FakeClock is the sign-in service's clock in tests: it stands still
// until moved.
type FakeClock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on by d.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// A SyncBuffer is a bytes.Buffer safe for concurrent writes: the server's
// log output.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// A TestServer is a tenfour node on a SQLite store in a temporary directory,
// served over real HTTP, with its bootstrap administrator's credentials.
type TestServer struct {
	*httptest.Server
	Handler *tenfourhttp.Server
	Engine  *engine.Engine
	Store   *sqlite.DB
	Path    string // of the SQLite file
	Key     *ledger.Key
	Auth    *auth.Service
	Clock   *FakeClock  // the sign-in service's clock: sessions, locks, token expiry
	Logs    *SyncBuffer // everything the node logged, at debug level
	Admin   string      // the bootstrap administrator's bearer token
	Creds   *auth.Credentials
}

// MustOpenServer starts a TestServer and stops it at cleanup. Its rate
// limits are off, so that tests may sign in as often as they need; tests of
// the limits set them.
func MustOpenServer(tb testing.TB) *TestServer {
	tb.Helper()
	return MustOpenServerWith(tb, nil)
}

// MustOpenServerWith starts a TestServer after configure has set up its
// handler, before it serves.
func MustOpenServerWith(tb testing.TB, configure func(*tenfourhttp.Server)) *TestServer {
	tb.Helper()
	ctx := context.Background()
	path := tb.TempDir() + "/t.db"
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		tb.Fatalf("sqlite.Open = %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	skey, err := ledger.GenerateKey(origin)
	if err != nil {
		tb.Fatal(err)
	}
	key, err := ledger.ParseKey(skey)
	if err != nil {
		tb.Fatal(err)
	}
	logs := &SyncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// Listen first: the sequencer's URL is in its lease, for followers.
	srv := httptest.NewUnstartedServer(nil)
	tb.Cleanup(srv.Close)
	e, err := engine.Open(ctx, engine.Config{Store: db, Key: key, Clock: (&Clock{}).Now, Logger: logger, Map: TestMap(), URL: "http://" + srv.Listener.Addr().String()})
	if err != nil {
		tb.Fatalf("engine.Open = %v", err)
	}
	tb.Cleanup(func() { e.Close() })
	exec := func(ctx context.Context, a dispatch.Actor, c dispatch.Command) error {
		_, err := e.Execute(ctx, a, c)
		return err
	}
	start := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	clock := &FakeClock{t: start}
	svc := &auth.Service{Accounts: db, Policy: auth.DefaultPolicy(), Clock: clock.Now, Record: exec, Logger: logger}
	creds, err := svc.Bootstrap(ctx, db, exec)
	if err != nil || creds == nil {
		tb.Fatalf("Bootstrap = %v, %v", creds, err)
	}
	h := tenfourhttp.NewServer(e, db, svc, logger)
	h.SetKeys(db)
	h.SetMap(TestMap())
	// One fake clock for the transport and sign-in: a limit refills, and a
	// lock or a session ends, only when the test moves the clock on.
	h.SetClock(clock.Now)
	h.LoginLimit, h.FailureLimit, h.APILimit = tenfourhttp.Limit{}, tenfourhttp.Limit{}, tenfourhttp.Limit{}
	if configure != nil {
		configure(h)
	}
	srv.Config.Handler = validateResponses(tb, h)
	srv.Start()
	return &TestServer{Server: srv, Handler: h, Engine: e, Store: db, Path: path, Key: key, Auth: svc, Clock: clock, Logs: logs, Admin: creds.Token, Creds: creds}
}

// TestMap is the demo city's map, which the test servers run on: made
// once, it never changes.
var TestMap = sync.OnceValue(func() *geo.Map {
	m, err := gridcity.DemoMap()
	if err != nil {
		panic(err)
	}
	return m
})

// MustOpenFollower starts a second node on ts's store, which follows ts: it
// serves reads itself and forwards commands to ts. With tls, it serves HTTPS.
func (ts *TestServer) MustOpenFollower(tb testing.TB, tls bool) *TestServer {
	tb.Helper()
	return ts.MustOpenFollowerWith(tb, tls, nil)
}

// MustOpenFollowerWith opens a follower as MustOpenFollower does, after
// configure (if not nil) has set up its server.
func (ts *TestServer) MustOpenFollowerWith(tb testing.TB, tls bool, configure func(*tenfourhttp.Server)) *TestServer {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, ts.Path)
	if err != nil {
		tb.Fatalf("sqlite.Open = %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	logs := &SyncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := httptest.NewUnstartedServer(nil)
	tb.Cleanup(srv.Close)
	e, err := engine.Open(ctx, engine.Config{Store: db, Key: ts.Key, Logger: logger, Map: TestMap(), Node: "follower", URL: "http://" + srv.Listener.Addr().String()})
	if err != nil {
		tb.Fatalf("engine.Open(follower) = %v", err)
	}
	tb.Cleanup(func() { e.Close() })
	if e.Log().IsSequencer() {
		tb.Fatal("the second node sequences; want it to follow")
	}
	exec := func(ctx context.Context, a dispatch.Actor, c dispatch.Command) error {
		_, err := e.Execute(ctx, a, c)
		return err
	}
	svc := &auth.Service{Accounts: db, Policy: auth.DefaultPolicy(), Clock: ts.Clock.Now, Record: exec, Logger: logger}
	h := tenfourhttp.NewServer(e, db, svc, logger)
	h.SetKeys(db)
	h.SetMap(TestMap())
	h.SetClock(ts.Clock.Now)
	h.LoginLimit, h.FailureLimit, h.APILimit = tenfourhttp.Limit{}, tenfourhttp.Limit{}, tenfourhttp.Limit{}
	if configure != nil {
		configure(h)
	}
	srv.Config.Handler = validateResponses(tb, h)
	if tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	return &TestServer{Server: srv, Handler: h, Engine: e, Store: db, Path: ts.Path, Key: ts.Key, Auth: svc, Clock: ts.Clock, Logs: logs, Admin: ts.Admin, Creds: ts.Creds}
}

// MustExecute runs a command through the engine as the system.
func (ts *TestServer) MustExecute(tb testing.TB, cmd dispatch.Command) engine.Result {
	tb.Helper()
	res, err := ts.Engine.Execute(context.Background(), dispatch.Actor{System: "test"}, cmd)
	if err != nil {
		tb.Fatalf("Execute(%#v) = %v", cmd, err)
	}
	return res
}

// MustCrew signs crew on unit for eight hours from now, as the system: an
// officer acts only for a unit they crew (dispatch.MayOperate).
func (ts *TestServer) MustCrew(tb testing.TB, unit string, crew ...string) {
	tb.Helper()
	now := ts.Engine.Now()
	ts.MustExecute(tb, dispatch.SignOn{Unit: unit, Crew: crew, Start: now, End: now.Add(8 * time.Hour)})
}

// MustExecuteAs decides cmd for actor and fails the test if it is refused.
func (ts *TestServer) MustExecuteAs(tb testing.TB, actor dispatch.Actor, cmd dispatch.Command) engine.Result {
	tb.Helper()
	res, err := ts.Engine.Execute(context.Background(), actor, cmd)
	if err != nil {
		tb.Fatalf("Execute(%#v) as %s = %v", cmd, actor.User, err)
	}
	return res
}

// MustCreateUser creates a user the way an administrator would: the domain
// command through the engine, the credentials in the store. It returns the
// user's bearer token, which carries all of its roles.
func (ts *TestServer) MustCreateUser(tb testing.TB, username, agency string, roles ...string) string {
	tb.Helper()
	ts.MustExecute(tb, dispatch.CreateUser{Username: username, Agency: agency, Roles: roles})
	ctx := context.Background()
	// The password hash is a placeholder: these users only use tokens, and an
	// argon2 hash per user would slow every test down (MustSetPassword sets
	// a real one).
	err := ts.Store.CreateUser(ctx, store.User{Username: username, Agency: agency, Roles: roles, PasswordHash: "$argon2id$placeholder", Created: ts.Clock.Now()})
	if err != nil {
		tb.Fatalf("store.CreateUser(%s) = %v", username, err)
	}
	return ts.MustCreateToken(tb, username)
}

// MustCreateToken stores a new token of username that carries roles (none:
// all of the user's) and returns its secret.
func (ts *TestServer) MustCreateToken(tb testing.TB, username string, roles ...string) string {
	tb.Helper()
	token, hash := auth.NewToken()
	if err := ts.Store.CreateToken(context.Background(), store.Token{ID: auth.TokenID(hash), Hash: hash, Username: username, Roles: roles, Created: ts.Clock.Now()}); err != nil {
		tb.Fatalf("store.CreateToken(%s) = %v", username, err)
	}
	return token
}

// MustSetPassword gives a user a real password.
func (ts *TestServer) MustSetPassword(tb testing.TB, username, password string) {
	tb.Helper()
	h := auth.HashPassword(password)
	if _, err := ts.Store.UpdateUser(context.Background(), username, store.UserUpdate{PasswordHash: &h}); err != nil {
		tb.Fatalf("UpdateUser(%s, password) = %v", username, err)
	}
}

// Events returns the log's events from seq on, decoded, with their
// private fields of the entry itself opened (engine.Disclose): as an
// auditor holding every opening reads them.
func (ts *TestServer) Events(tb testing.TB, from int64) []ledger.Entry {
	tb.Helper()
	size := ts.Engine.Log().Size()
	if from >= size {
		return nil
	}
	raw, err := ts.Store.ReadEntries(context.Background(), from, size)
	if err != nil {
		tb.Fatalf("ReadEntries(%d, %d) = %v", from, size, err)
	}
	seqs := make([]int64, len(raw))
	for i := range raw {
		seqs[i] = from + int64(i)
	}
	opens, err := ts.Engine.Log().Openings(context.Background(), seqs)
	if err != nil {
		tb.Fatalf("Openings = %v", err)
	}
	var out []ledger.Entry
	for _, b := range raw {
		e, err := ledger.ParseEntry(b)
		if err != nil {
			tb.Fatalf("ParseEntry(%s) = %v", b, err)
		}
		open := map[string]string{}
		for _, o := range opens[e.Seq] {
			open[o.Field] = o.Value
		}
		if e, err = engine.Disclose(e, open); err != nil {
			tb.Fatalf("Disclose(%d) = %v", e.Seq, err)
		}
		out = append(out, e)
	}
	return out
}

// A Response is an answer read in full.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends a request with an optional bearer token and JSON body (a string
// or []byte is sent as is, anything else is encoded) and reads the answer.
func (ts *TestServer) Do(tb testing.TB, method, path, token string, body any) Response {
	tb.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, ts.URL+path, r)
	if err != nil {
		tb.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return ts.send(tb, req)
}

// DoWith sends a request with a JSON body (as Do) after edit has set its
// headers, and reads the answer.
func (ts *TestServer) DoWith(tb testing.TB, method, path string, body any, edit func(*http.Request)) Response {
	tb.Helper()
	var r io.Reader
	if body != nil {
		j, err := json.Marshal(body)
		if err != nil {
			tb.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, ts.URL+path, r)
	if err != nil {
		tb.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if edit != nil {
		edit(req)
	}
	return ts.send(tb, req)
}

func (ts *TestServer) send(tb testing.TB, req *http.Request) Response {
	tb.Helper()
	resp, err := ts.Client().Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: reading the body: %v", req.Method, req.URL.Path, err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// MustJSON checks the status and media type of a JSON answer and decodes it.
func MustJSON(tb testing.TB, call string, r Response, status int, v any) {
	tb.Helper()
	if r.Status != status {
		tb.Fatalf("%s = %d %s, want %d", call, r.Status, r.Body, status)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		tb.Errorf("%s: Content-Type = %q, want application/json", call, ct)
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		tb.Fatalf("%s: body %s: %v", call, r.Body, err)
	}
}

// A Problem is an RFC 9457 problem details object as tenfour sends it.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail"`
	Instance string `json:"instance"`
	Code     string `json:"code"`
}

// CheckProblem checks that r is a problem+json answer (RFC 9457) with the
// status and code, whose detail contains detail, and returns it.
func CheckProblem(tb testing.TB, call string, r Response, status int, code, detail string) Problem {
	tb.Helper()
	p, err := ParseProblem(r)
	if err != nil {
		tb.Fatalf("%s: %v", call, err)
	}
	if r.Status != status || p.Code != code {
		tb.Errorf("%s = %d %s, want %d with code %s", call, r.Status, r.Body, status, code)
	}
	if !strings.Contains(p.Detail, detail) {
		tb.Errorf("%s: detail = %q, want it to contain %q", call, p.Detail, detail)
	}
	return p
}

// ParseProblem checks that r is a well-formed problem+json answer: the media
// type, exactly the members tenfour sends, a status equal to the answer's,
// its title, and a detail and code.
func ParseProblem(r Response) (Problem, error) {
	var p Problem
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		return p, fmt.Errorf("Content-Type = %q, want application/problem+json (body %q)", ct, r.Body)
	}
	d := json.NewDecoder(bytes.NewReader(r.Body))
	d.DisallowUnknownFields()
	if err := d.Decode(&p); err != nil {
		return p, fmt.Errorf("problem %q: %v", r.Body, err)
	}
	if d.More() {
		return p, fmt.Errorf("problem %q has data after its object", r.Body)
	}
	var members map[string]any
	json.Unmarshal(r.Body, &members)
	for _, m := range []string{"type", "title", "status", "detail", "code"} {
		if _, ok := members[m]; !ok {
			return p, fmt.Errorf("problem %s lacks member %q", r.Body, m)
		}
	}
	switch {
	case p.Type != "about:blank":
		return p, fmt.Errorf("problem type = %q, want about:blank", p.Type)
	case p.Status != r.Status:
		return p, fmt.Errorf("problem status = %d, answer status %d", p.Status, r.Status)
	case p.Title != http.StatusText(r.Status):
		return p, fmt.Errorf("problem title = %q, want %q", p.Title, http.StatusText(r.Status))
	case strings.TrimSpace(p.Detail) == "" || p.Code == "":
		return p, fmt.Errorf("problem %s has no detail or code", r.Body)
	}
	return p, nil
}

// keys returns the member names of a JSON object, sorted.
func keys(tb testing.TB, raw json.RawMessage) []string {
	tb.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		tb.Fatalf("%s is not a JSON object: %v", raw, err)
	}
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// checkCreated checks a 201 answer: its Location and its Tenfour-Seq, which
// must name the event in the log.
func checkCreated(tb testing.TB, ts *TestServer, call string, r Response, location string) {
	tb.Helper()
	if r.Status != http.StatusCreated {
		tb.Fatalf("%s = %d %s, want 201", call, r.Status, r.Body)
	}
	if got := r.Header.Get("Location"); got != location {
		tb.Errorf("%s: Location = %q, want %q", call, got, location)
	}
	seq, err := strconv.ParseInt(r.Header.Get("Tenfour-Seq"), 10, 64)
	if err != nil || seq < 0 || seq >= ts.Engine.Log().Size() {
		tb.Errorf("%s: Tenfour-Seq = %q, want the sequence number of an event on disk (log size %d)", call, r.Header.Get("Tenfour-Seq"), ts.Engine.Log().Size())
	}
}

func TestAgencies(t *testing.T) {
	ts := MustOpenServer(t)
	var list struct{ Agencies []dispatch.Agency }
	r := ts.Do(t, "GET", "/api/v1/agencies", ts.Admin, nil)
	MustJSON(t, "GET /api/v1/agencies", r, 200, &list)
	if string(bytes.TrimSpace(r.Body)) != `{"agencies":[]}` {
		t.Errorf("GET /api/v1/agencies on a new node = %s, want {\"agencies\":[]}", r.Body)
	}

	for _, a := range []dispatch.Agency{
		{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"},
		{ID: "metro", Name: "Metro PD", Kind: "municipal_police"},
	} {
		r := ts.Do(t, "POST", "/api/v1/agencies", ts.Admin, map[string]string{"id": a.ID, "name": "  " + a.Name, "kind": a.Kind})
		checkCreated(t, ts, "POST /api/v1/agencies", r, "/api/v1/agencies/"+a.ID)
		if got, want := keys(t, r.Body), []string{"created", "id", "kind", "name"}; !slices.Equal(got, want) {
			t.Errorf("POST /api/v1/agencies: members %v, want %v", got, want)
		}
		var got dispatch.Agency
		MustJSON(t, "POST /api/v1/agencies", r, 201, &got)
		if got.ID != a.ID || got.Name != a.Name || got.Kind != a.Kind || got.Created.IsZero() {
			t.Errorf("POST /api/v1/agencies = %+v, want %+v with a creation time", got, a)
		}
	}

	r = ts.Do(t, "GET", "/api/v1/agencies", ts.Admin, nil)
	if got, want := keys(t, r.Body), []string{"agencies"}; !slices.Equal(got, want) {
		t.Errorf("GET /api/v1/agencies: members %v, want %v", got, want)
	}
	MustJSON(t, "GET /api/v1/agencies", r, 200, &list)
	var ids []string
	for _, a := range list.Agencies {
		ids = append(ids, a.ID)
	}
	if !slices.Equal(ids, []string{"metro", "sheriff"}) {
		t.Errorf("GET /api/v1/agencies = %v, want [metro sheriff]", ids)
	}
}

func TestUnits(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustExecute(t, dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"})

	r := ts.Do(t, "POST", "/api/v1/units", ts.Admin, map[string]any{"call_sign": "1A12", "agency": "metro", "kind": "patrol", "capabilities": []string{"k9"}})
	checkCreated(t, ts, "POST /api/v1/units", r, "/api/v1/units/metro.1a12")
	if got, want := keys(t, r.Body), []string{"agency", "call_sign", "capabilities", "created", "id", "kind", "next_statuses", "staffing", "status", "status_since"}; !slices.Equal(got, want) {
		t.Errorf("POST /api/v1/units: members %v, want %v", got, want)
	}
	var u dispatch.Unit
	MustJSON(t, "POST /api/v1/units", r, 201, &u)
	want := dispatch.Unit{ID: "metro.1a12", CallSign: "1A12", Agency: "metro", Kind: "patrol", Capabilities: []string{"k9"},
		Status: dispatch.StatusAvailable, StatusSince: u.Created, Created: u.Created,
		Roster: dispatch.Roster{Staffing: dispatch.StaffingNotRostered}} // never signed on (roster.go)
	if u.Created.IsZero() || !reflect.DeepEqual(u, want) {
		t.Errorf("POST /api/v1/units = %+v, want %+v", u, want)
	}

	// Without capabilities, the new unit shows an empty list, not null.
	r = ts.Do(t, "POST", "/api/v1/units", ts.Admin, map[string]any{"call_sign": "S1", "agency": "sheriff", "kind": "air"})
	checkCreated(t, ts, "POST /api/v1/units", r, "/api/v1/units/sheriff.s1")
	var raw map[string]json.RawMessage
	MustJSON(t, "POST /api/v1/units", r, 201, &raw)
	if string(raw["capabilities"]) != "[]" {
		t.Errorf("POST /api/v1/units without capabilities: capabilities = %s, want []", raw["capabilities"])
	}

	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{"metro.1a12", "sheriff.s1"}},
		{"?agency=metro", []string{"metro.1a12"}},
		{"?agency=sheriff", []string{"sheriff.s1"}},
		{"?agency=nowhere", nil},
	} {
		call := "GET /api/v1/units" + tc.query
		r := ts.Do(t, "GET", "/api/v1/units"+tc.query, ts.Admin, nil)
		if got := keys(t, r.Body); !slices.Equal(got, []string{"units"}) {
			t.Errorf("%s: members %v, want [units]", call, got)
		}
		var list struct{ Units []dispatch.Unit }
		MustJSON(t, call, r, 200, &list)
		if list.Units == nil {
			t.Errorf("%s = %s, want a list, not null", call, r.Body)
		}
		var ids []string
		for _, u := range list.Units {
			ids = append(ids, u.ID)
		}
		if !slices.Equal(ids, tc.want) {
			t.Errorf("%s = %v, want %v", call, ids, tc.want)
		}
	}
}

func TestIncidents(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})

	body := `{"agency":"metro","type":"BURGLARY","location":{"text":"1 Main St","lat":41.8,"lon":-87.7},
		"caller":{"name":"Jo Smith","phone":"+1 312 555 0100"},"narrative":"back door open"}`
	r := ts.Do(t, "POST", "/api/v1/incidents", ts.Admin, body)
	checkCreated(t, ts, "POST /api/v1/incidents", r, "/api/v1/incidents/metro-2026-000001")
	if got, want := keys(t, r.Body), []string{"agency", "caller", "entered", "id", "location", "narrative", "notes", "possible_duplicates", "priority", "received", "status", "type", "units"}; !slices.Equal(got, want) {
		t.Errorf("POST /api/v1/incidents: members %v, want %v", got, want)
	}
	var in dispatch.Incident
	MustJSON(t, "POST /api/v1/incidents", r, 201, &in)
	if in.ID != "metro-2026-000001" || in.Agency != "metro" || in.Type != "BURGLARY" || in.Priority != 2 ||
		in.Location.Text != "1 Main St" || in.Location.Lat == nil || *in.Location.Lat != 41.8 ||
		in.Caller != (dispatch.Caller{Name: "Jo Smith", Phone: "+1 312 555 0100"}) || in.Narrative != "back door open" ||
		in.Status != dispatch.IncidentPending || in.Units == nil || len(in.Units) != 0 || in.Received.IsZero() {
		t.Errorf("POST /api/v1/incidents = %+v, want the burglary at 1 Main St, priority 2, with its caller", in)
	}

	r = ts.Do(t, "POST", "/api/v1/incidents", ts.Admin, map[string]any{"agency": "metro", "type": "NOISE", "priority": 3, "location": map[string]any{"text": "2 Main St"}})
	checkCreated(t, ts, "POST /api/v1/incidents", r, "/api/v1/incidents/metro-2026-000002")

	r = ts.Do(t, "GET", "/api/v1/incidents", ts.Admin, nil)
	if got := keys(t, r.Body); !slices.Equal(got, []string{"incidents"}) {
		t.Errorf("GET /api/v1/incidents: members %v, want [incidents]", got)
	}
	var list struct{ Incidents []dispatch.Incident }
	MustJSON(t, "GET /api/v1/incidents", r, 200, &list)
	if len(list.Incidents) != 2 || list.Incidents[0].ID != "metro-2026-000002" || list.Incidents[1].ID != "metro-2026-000001" {
		t.Fatalf("GET /api/v1/incidents = %+v, want the two incidents, newest first", list.Incidents)
	}
	if list.Incidents[1].Caller.Name != "Jo Smith" {
		t.Errorf("GET /api/v1/incidents as admin: caller = %+v, want Jo Smith", list.Incidents[1].Caller)
	}

	var got dispatch.Incident
	MustJSON(t, "GET /api/v1/incidents/metro-2026-000001", ts.Do(t, "GET", "/api/v1/incidents/metro-2026-000001", ts.Admin, nil), 200, &got)
	if !reflect.DeepEqual(got, in) {
		t.Errorf("GET /api/v1/incidents/metro-2026-000001 = %+v, want %+v", got, in)
	}

	var types []dispatch.IncidentType
	MustJSON(t, "GET /api/v1/incident-types", ts.Do(t, "GET", "/api/v1/incident-types", ts.Admin, nil), 200, &types)
	if !slices.Equal(types, dispatch.IncidentTypes) {
		t.Errorf("GET /api/v1/incident-types = %v, want the catalogue", types)
	}
}

func TestProblems(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	big := `{"name":"` + strings.Repeat("a", tenfourhttp.MaxBodySize) + `"}`
	const admin, none, bad = "admin", "", "t4_notatoken"
	for _, tc := range []struct {
		name         string
		method, path string
		token        string
		contentType  string // "": application/json when there is a body
		body         string
		status       int
		code         string
		detail       string
	}{
		{"ErrUnauthorizedAnonymous", "GET", "/api/v1/incidents", none, "", "", 401, "unauthorized", "Authorization: Bearer"},
		{"ErrUnauthorizedAnonymousPost", "POST", "/api/v1/agencies", none, "", `{}`, 401, "unauthorized", "sign in"},
		{"ErrUnauthorizedBadToken", "GET", "/api/v1/units", bad, "", "", 401, "unauthorized", "not valid"},
		{"ErrBadJSON", "POST", "/api/v1/agencies", admin, "", `{"id":"x",`, 400, "bad_request", "not a valid JSON"},
		{"ErrBadJSONSyntax", "POST", "/api/v1/agencies", admin, "", `{"id" "x"}`, 400, "bad_request", "not valid JSON"},
		{"ErrEmptyBody", "POST", "/api/v1/agencies", admin, "", ``, 400, "bad_request", "body is empty"},
		{"ErrUnknownField", "POST", "/api/v1/agencies", admin, "", `{"id":"x","name":"X","kind":"sheriff","colour":"blue"}`, 400, "bad_request", `unknown field "colour"`},
		{"ErrWrongType", "POST", "/api/v1/units", admin, "", `{"call_sign":12}`, 400, "bad_request", `"call_sign"`},
		{"ErrTrailingData", "POST", "/api/v1/agencies", admin, "", `{"id":"x"} {"id":"y"}`, 400, "bad_request", "after its JSON object"},
		{"ErrNotAnObject", "POST", "/api/v1/incidents", admin, "", `["metro"]`, 400, "bad_request", "must be"},
		{"ErrContentType", "POST", "/api/v1/agencies", admin, "text/plain", `{"id":"x","name":"X","kind":"sheriff"}`, 415, "unsupported_media_type", "application/json"},
		{"ErrContentTypeForm", "POST", "/api/v1/incidents", admin, "application/x-www-form-urlencoded", `agency=metro`, 415, "unsupported_media_type", "application/json"},
		{"ErrContentTypeMalformed", "POST", "/api/v1/units", admin, "application/", `{}`, 415, "unsupported_media_type", "application/json"},
		{"ErrTooLarge", "POST", "/api/v1/agencies", admin, "", big, 413, "too_large", strconv.Itoa(tenfourhttp.MaxBodySize)},
		{"ErrInvalid", "POST", "/api/v1/agencies", admin, "", `{"id":"state","name":"State","kind":"navy"}`, 422, dispatch.EINVALID, `agency kind "navy"`},
		{"ErrInvalidIncident", "POST", "/api/v1/incidents", admin, "", `{"agency":"metro","type":"UFO","location":{"text":"x"}}`, 422, dispatch.EINVALID, `"UFO"`},
		{"ErrNotFoundAgency", "POST", "/api/v1/units", admin, "", `{"call_sign":"1","agency":"nowhere","kind":"patrol"}`, 404, dispatch.ENOTFOUND, `agency "nowhere" does not exist`},
		{"ErrNotFoundNoAgency", "POST", "/api/v1/incidents", admin, "", `{"type":"THEFT","location":{"text":"x"}}`, 404, dispatch.ENOTFOUND, `agency "" does not exist`},
		{"ErrNotFoundIncident", "GET", "/api/v1/incidents/metro-2026-000099", admin, "", "", 404, dispatch.ENOTFOUND, "metro-2026-000099 does not exist"},
		{"ErrNotFoundBundle", "GET", "/api/v1/incidents/metro-2026-000099/bundle", admin, "", "", 404, dispatch.ENOTFOUND, "metro-2026-000099"},
		{"ErrConflict", "POST", "/api/v1/agencies", admin, "", `{"id":"metro","name":"Metro","kind":"sheriff"}`, 409, dispatch.ECONFLICT, "metro already exists"},
		{"ErrNoSuchResource", "GET", "/api/v1/nothing", admin, "", "", 404, dispatch.ENOTFOUND, "GET /api/v1/nothing"},
		{"ErrNoSuchResourceAnonymous", "GET", "/api/v2/incidents", none, "", "", 404, dispatch.ENOTFOUND, "/api/v2/incidents"},
		{"ErrNoSuchResourceTrailingSlash", "GET", "/api/v1/incidents/", admin, "", "", 404, dispatch.ENOTFOUND, "/api/v1/incidents/"},
		{"ErrMethodNotAllowed", "DELETE", "/api/v1/agencies", admin, "", "", 405, "method_not_allowed", "use GET or POST"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body io.Reader
			if tc.body != "" || tc.method == "POST" {
				body = strings.NewReader(tc.body)
			}
			req, err := http.NewRequest(tc.method, ts.URL+tc.path, body)
			if err != nil {
				t.Fatal(err)
			}
			switch tc.token {
			case admin:
				req.Header.Set("Authorization", "Bearer "+ts.Admin)
			case none:
			default:
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			} else if body != nil {
				req.Header.Set("Content-Type", "application/json")
			}
			call := tc.method + " " + tc.path
			r := ts.send(t, req)
			p := CheckProblem(t, call, r, tc.status, tc.code, tc.detail)
			if p.Instance != tc.path {
				t.Errorf("%s: problem instance = %q, want %q", call, p.Instance, tc.path)
			}
			if r.Status == 401 && r.Header.Get("WWW-Authenticate") != `Bearer realm="tenfour"` {
				t.Errorf("%s: WWW-Authenticate = %q, want a Bearer challenge", call, r.Header.Get("WWW-Authenticate"))
			}
			if r.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("%s: Cache-Control = %q, want no-store", call, r.Header.Get("Cache-Control"))
			}
		})
	}
	// None of the refused requests created anything.
	var agencies, units, incidents int
	ts.Engine.Read(func(s *dispatch.State) { agencies, units, incidents = len(s.Agencies), len(s.Units), len(s.Incidents) })
	if agencies != 1 || units != 0 || incidents != 0 {
		t.Errorf("after refused requests: %d agencies, %d units, %d incidents, want 1, 0, 0", agencies, units, incidents)
	}
}

// TestAgencyScope checks invariant 6 for reading: a user of one agency sees
// only that agency's incidents and units, and another agency's incident is
// answered as if it did not exist.
func TestAgencyScope(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustExecute(t, dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"})
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "1A12", Agency: "metro", Kind: "patrol"})
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "S1", Agency: "sheriff", Kind: "air"})
	ts.MustExecute(t, dispatch.CreateIncident{Agency: "metro", Type: "BURGLARY", Location: dispatch.Location{Text: "1 Main St"},
		Caller: dispatch.Caller{Name: "Metro Caller", Phone: "555-0100"}, Narrative: "metro notes"})
	// The deputy holds every role that reads or writes these routes, so that
	// only the agency scope refuses it.
	deputy := ts.MustCreateUser(t, "deputy", "sheriff", dispatch.RoleDispatcher, dispatch.RoleSupervisor, dispatch.RoleAuditor)

	r := ts.Do(t, "POST", "/api/v1/incidents", deputy, map[string]any{"type": "DOMESTIC", "location": map[string]string{"text": "Rural Rte 9"},
		"caller": map[string]string{"name": "Sheriff Caller", "phone": "555-0199"}, "narrative": "sheriff notes"})
	checkCreated(t, ts, "POST /api/v1/incidents as deputy", r, "/api/v1/incidents/sheriff-2026-000001")
	var own dispatch.Incident
	MustJSON(t, "POST /api/v1/incidents as deputy", r, 201, &own)
	if own.Agency != "sheriff" || own.Caller.Name != "Sheriff Caller" || own.Narrative != "sheriff notes" {
		t.Errorf("POST /api/v1/incidents as deputy = %+v, want a sheriff incident with its caller and narrative", own)
	}

	t.Run("ErrNotFoundOtherAgencyIncident", func(t *testing.T) {
		for _, path := range []string{"/api/v1/incidents/metro-2026-000001", "/api/v1/incidents/metro-2026-000001/bundle"} {
			r := ts.Do(t, "GET", path, deputy, nil)
			CheckProblem(t, "GET "+path+" as deputy", r, 404, dispatch.ENOTFOUND, "metro-2026-000001 does not exist")
			if bytes.Contains(r.Body, []byte("Metro Caller")) {
				t.Errorf("GET %s as deputy leaks the caller: %s", path, r.Body)
			}
		}
	})
	t.Run("ErrForbiddenOtherAgencyUnits", func(t *testing.T) {
		CheckProblem(t, "GET /api/v1/units?agency=metro as deputy", ts.Do(t, "GET", "/api/v1/units?agency=metro", deputy, nil),
			403, dispatch.EFORBIDDEN, "sheriff")
	})
	t.Run("ErrForbiddenOtherAgencyCommands", func(t *testing.T) {
		CheckProblem(t, "POST /api/v1/units for metro as deputy",
			ts.Do(t, "POST", "/api/v1/units", deputy, map[string]string{"call_sign": "X1", "agency": "metro", "kind": "patrol"}),
			403, dispatch.EFORBIDDEN, "may not act for agency metro")
		CheckProblem(t, "POST /api/v1/incidents for metro as deputy",
			ts.Do(t, "POST", "/api/v1/incidents", deputy, map[string]any{"agency": "metro", "type": "THEFT", "location": map[string]string{"text": "x"}}),
			403, dispatch.EFORBIDDEN, "may not act for agency metro")
		CheckProblem(t, "POST /api/v1/agencies as deputy",
			ts.Do(t, "POST", "/api/v1/agencies", deputy, map[string]string{"id": "state", "name": "State", "kind": "state_police"}),
			403, dispatch.EFORBIDDEN, "administrator")
	})
	t.Run("OKOwnUnits", func(t *testing.T) {
		for _, path := range []string{"/api/v1/units", "/api/v1/units?agency=sheriff"} {
			var list struct{ Units []dispatch.Unit }
			MustJSON(t, "GET "+path+" as deputy", ts.Do(t, "GET", path, deputy, nil), 200, &list)
			if len(list.Units) != 1 || list.Units[0].ID != "sheriff.s1" {
				t.Errorf("GET %s as deputy = %+v, want only sheriff.s1", path, list.Units)
			}
		}
	})
	t.Run("OKOwnIncidents", func(t *testing.T) {
		r := ts.Do(t, "GET", "/api/v1/incidents", deputy, nil)
		var list struct{ Incidents []dispatch.Incident }
		MustJSON(t, "GET /api/v1/incidents as deputy", r, 200, &list)
		if len(list.Incidents) != 1 || list.Incidents[0].ID != "sheriff-2026-000001" {
			t.Fatalf("GET /api/v1/incidents as deputy = %+v, want only sheriff-2026-000001", list.Incidents)
		}
		if c := list.Incidents[0].Caller; c.Name != "Sheriff Caller" || c.Phone != "555-0199" || list.Incidents[0].Narrative != "sheriff notes" {
			t.Errorf("GET /api/v1/incidents as deputy: own incident shows caller %+v and narrative %q, want them", c, list.Incidents[0].Narrative)
		}
		for _, leak := range []string{"Metro Caller", "555-0100", "metro notes", "metro-2026"} {
			if bytes.Contains(r.Body, []byte(leak)) {
				t.Errorf("GET /api/v1/incidents as deputy shows %q of metro: %s", leak, r.Body)
			}
		}
		var got dispatch.Incident
		MustJSON(t, "GET /api/v1/incidents/sheriff-2026-000001 as deputy", ts.Do(t, "GET", "/api/v1/incidents/sheriff-2026-000001", deputy, nil), 200, &got)
		if got.Caller.Name != "Sheriff Caller" {
			t.Errorf("GET /api/v1/incidents/sheriff-2026-000001 as deputy: caller = %+v, want Sheriff Caller", got.Caller)
		}
	})
	t.Run("OKAdminSeesAll", func(t *testing.T) {
		var list struct{ Incidents []dispatch.Incident }
		MustJSON(t, "GET /api/v1/incidents as admin", ts.Do(t, "GET", "/api/v1/incidents", ts.Admin, nil), 200, &list)
		callers := map[string]string{}
		for _, in := range list.Incidents {
			callers[in.ID] = in.Caller.Name
		}
		want := map[string]string{"metro-2026-000001": "Metro Caller", "sheriff-2026-000001": "Sheriff Caller"}
		if fmt.Sprint(callers) != fmt.Sprint(want) {
			t.Errorf("GET /api/v1/incidents as admin: callers %v, want %v", callers, want)
		}
	})
}

func TestBundle(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	res := ts.MustExecute(t, dispatch.CreateIncident{Agency: "metro", Type: "BURGLARY", Location: dispatch.Location{Text: "1 Main St"},
		Caller: dispatch.Caller{Name: "Jo Smith", Phone: "555-0100"}, Narrative: "back door open"})
	id := res.Events[0].Subject["incident"]
	keyText := strings.TrimSpace(string(ts.Do(t, "GET", "/log/key", "", nil).Body))

	for _, tc := range []struct {
		query              string
		openings, redacted int
	}{
		// The caller's name and phone, the narrative, and the address
		// (the disclosure table's: docs/events.md).
		{"", 0, 4},
		{"?openings=true", 4, 0},
		{"?openings=false", 0, 4},
	} {
		path := "/api/v1/incidents/" + id + "/bundle" + tc.query
		r := ts.Do(t, "GET", path, ts.Admin, nil)
		if r.Status != 200 {
			t.Fatalf("GET %s = %d %s, want 200", path, r.Status, r.Body)
		}
		if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, id+".bundle.json") {
			t.Errorf("GET %s: Content-Disposition = %q, want a file name", path, cd)
		}
		rep, err := ledger.VerifyBundle(r.Body, keyText)
		if err != nil {
			t.Fatalf("VerifyBundle(GET %s) = %v", path, err)
		}
		if rep.Events != 1 || rep.Entries[0].Seq != res.First || rep.Entries[0].Subject["incident"] != id {
			t.Errorf("VerifyBundle(GET %s) = %d events (%+v), want event %d of %s", path, rep.Events, rep.Entries, res.First, id)
		}
		if rep.Openings != tc.openings || rep.Redacted != tc.redacted {
			t.Errorf("VerifyBundle(GET %s) = %d openings, %d redacted, want %d and %d", path, rep.Openings, rep.Redacted, tc.openings, tc.redacted)
		}
		if rep.Checkpoint.Origin != origin || rep.Checkpoint.Size <= res.First {
			t.Errorf("VerifyBundle(GET %s): checkpoint %+v, want one of %s covering event %d", path, rep.Checkpoint, origin, res.First)
		}
		if strings.Contains(string(r.Body), "Jo Smith") != (tc.openings > 0) {
			t.Errorf("GET %s: caller name in the bundle = %v, want %v", path, !(tc.openings > 0), tc.openings > 0)
		}
	}
}

func TestLog(t *testing.T) {
	ts := MustOpenServer(t)
	ctx := context.Background()
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	// More than one full tile of events; concurrent, so they share commits.
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for i := range 17 {
				_, err := ts.Engine.Execute(ctx, dispatch.Actor{System: "test"}, dispatch.CreateIncident{
					Agency: "metro", Type: "THEFT", Location: dispatch.Location{Text: fmt.Sprintf("%d Main St", w*100+i)}})
				if err != nil {
					t.Errorf("Execute = %v", err)
				}
			}
		})
	}
	wg.Wait()
	if err := ts.Engine.Log().Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	size := ts.Engine.Log().Size()
	if size <= ledger.TileWidth {
		t.Fatalf("log size = %d, want more than a tile", size)
	}

	kr := ts.Do(t, "GET", "/log/key", "", nil)
	if kr.Status != 200 || string(kr.Body) != ts.Key.Text+"\n" {
		t.Fatalf("GET /log/key = %d %q, want 200 %q", kr.Status, kr.Body, ts.Key.Text+"\n")
	}
	v, err := note.NewVerifier(strings.TrimSpace(string(kr.Body)))
	if err != nil {
		t.Fatalf("note.NewVerifier(GET /log/key) = %v", err)
	}

	cr := ts.Do(t, "GET", "/log/checkpoint", "", nil)
	if cr.Status != 200 || cr.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("GET /log/checkpoint = %d, CORS %q, want 200 and *", cr.Status, cr.Header.Get("Access-Control-Allow-Origin"))
	}
	n, err := note.Open(cr.Body, note.VerifierList(v))
	if err != nil {
		t.Fatalf("note.Open(GET /log/checkpoint) = %v", err)
	}
	cp, err := ledger.ParseCheckpoint([]byte(n.Text))
	if err != nil {
		t.Fatalf("ParseCheckpoint(GET /log/checkpoint) = %v", err)
	}
	if cp.Origin != origin || cp.Size != size {
		t.Errorf("GET /log/checkpoint = %+v, want origin %s and size %d", cp, origin, size)
	}

	// Every tile and entry bundle, checked as an auditor would.
	rep, err := ledger.VerifyLog(ctx, &ledger.HTTPFetcher{Prefix: ts.URL + "/log/", Client: ts.Client()}, v, ledger.VerifyOptions{})
	if err != nil {
		t.Fatalf("VerifyLog(%s/log/) = %v", ts.URL, err)
	}
	if rep.Entries != size {
		t.Errorf("VerifyLog checked %d entries, want %d", rep.Entries, size)
	}

	partial := int(size - ledger.TileWidth)
	entries := ts.Do(t, "GET", "/log/tile/entries/000", "", nil)
	es, err := ledger.ParseBundle(entries.Body)
	if entries.Status != 200 || err != nil || len(es) != ledger.TileWidth {
		t.Fatalf("GET /log/tile/entries/000 = %d, %d entries (%v), want 200 with %d", entries.Status, len(es), err, ledger.TileWidth)
	}
	hashes := ts.Do(t, "GET", "/log/tile/0/000", "", nil)
	if hashes.Status != 200 || len(hashes.Body) != ledger.TileWidth*tlog.HashSize {
		t.Fatalf("GET /log/tile/0/000 = %d, %d bytes, want 200 with %d", hashes.Status, len(hashes.Body), ledger.TileWidth*tlog.HashSize)
	}
	for i, e := range es {
		if h := tlog.RecordHash(e); !bytes.Equal(h[:], hashes.Body[i*tlog.HashSize:(i+1)*tlog.HashSize]) {
			t.Fatalf("tile/0/000 hash %d is not the leaf hash of entry %d", i, i)
		}
	}

	for _, tc := range []struct {
		path      string
		status    int
		size      int // of the body, when 200
		immutable bool
	}{
		{"/log/tile/0/000", 200, ledger.TileWidth * tlog.HashSize, true},
		{"/log/tile/entries/000", 200, len(entries.Body), true},
		{fmt.Sprintf("/log/tile/0/001.p/%d", partial), 200, partial * tlog.HashSize, false},
		{fmt.Sprintf("/log/tile/entries/001.p/%d", partial), 200, -1, false},
		{"/log/tile/1/000.p/1", 200, tlog.HashSize, false},
		{"/log/tile/0/001", 404, 0, false},                               // not full yet
		{fmt.Sprintf("/log/tile/0/001.p/%d", partial+1), 404, 0, false},  // beyond the tree
		{"/log/tile/0/002.p/1", 404, 0, false},                           // beyond the tree
		{"/log/tile/0/1", 404, 0, false},                                 // malformed: not three digits
		{"/log/tile/0/x000/001", 404, 0, false},                          // malformed: leading zero group
		{"/log/tile/0/000.p/256", 404, 0, false},                         // malformed: full width as partial
		{"/log/tile/0/000.p/0", 404, 0, false},                           // malformed: no width
		{"/log/tile/64/000", 404, 0, false},                              // malformed: level too high
		{"/log/tile/entries/x1/000", 404, 0, false},                      // malformed
		{"/log/tile/", 404, 0, false},                                    // malformed
		{"/log/tile/0/x999/x999/x999/x999/x999/999", 404, 0, false},      // out of range
		{"/log/tile/0/x001/x000/x000/x000/x000/x000/000", 404, 0, false}, // too many groups
		{"/log/tile/0/-01", 404, 0, false},                               // malformed
		{"/log/tile/0/000.p/01", 404, 0, false},                          // malformed: leading zero
	} {
		r := ts.Do(t, "GET", tc.path, "", nil)
		if r.Status != tc.status {
			t.Errorf("GET %s = %d %q, want %d", tc.path, r.Status, r.Body, tc.status)
			continue
		}
		if r.Status != 200 {
			continue
		}
		if tc.size >= 0 && len(r.Body) != tc.size {
			t.Errorf("GET %s = %d bytes, want %d", tc.path, len(r.Body), tc.size)
		}
		cc := r.Header.Get("Cache-Control")
		if strings.Contains(cc, "immutable") != tc.immutable {
			t.Errorf("GET %s: Cache-Control = %q, immutable = %v, want %v", tc.path, cc, !tc.immutable, tc.immutable)
		}
		if r.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("GET %s: Access-Control-Allow-Origin = %q, want *", tc.path, r.Header.Get("Access-Control-Allow-Origin"))
		}
	}
	if es, err := ledger.ParseBundle(ts.Do(t, "GET", fmt.Sprintf("/log/tile/entries/001.p/%d", partial), "", nil).Body); err != nil || len(es) != partial {
		t.Errorf("GET /log/tile/entries/001.p/%d = %d entries (%v), want %d", partial, len(es), err, partial)
	}
}

func TestIndex(t *testing.T) {
	ts := MustOpenServer(t)
	r := ts.Do(t, "GET", "/", "", nil)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET / = %d %q, want 200 text/html", r.Status, r.Header.Get("Content-Type"))
	}
	page := html.UnescapeString(string(r.Body))
	for _, want := range []string{"<!doctype html>", origin, ts.Key.Text, ts.URL + "/log/"} {
		if !strings.Contains(page, want) {
			t.Errorf("GET / does not contain %q", want)
		}
	}
	if r.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(r.Header.Get("Content-Security-Policy"), "default-src 'self'") {
		t.Errorf("GET /: security headers = %v, want nosniff and a CSP", r.Header)
	}
	if r := ts.Do(t, "GET", "/static/tenfour.css", "", nil); r.Status != 200 || len(r.Body) == 0 {
		t.Errorf("GET /static/tenfour.css = %d, %d bytes, want 200 with the style sheet", r.Status, len(r.Body))
	}
	var health struct {
		Status  string `json:"status"`
		LogSize int64  `json:"log_size"`
	}
	MustJSON(t, "GET /healthz", ts.Do(t, "GET", "/healthz", "", nil), 200, &health)
	if health.Status != "ok" || health.LogSize != ts.Engine.Log().Size() {
		t.Errorf("GET /healthz = %+v, want ok and log size %d", health, ts.Engine.Log().Size())
	}
}
