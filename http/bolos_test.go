package http_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

type boloList struct {
	Bolos []dispatch.BOLO `json:"bolos"`
}

// uploadPhoto posts raw bytes as a photo of media type typ.
func uploadPhoto(t *testing.T, ts *TestServer, token, typ string, data []byte) Response {
	t.Helper()
	req, err := http.NewRequest("POST", ts.URL+"/api/v1/photos", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", typ)
	return ts.send(t, req)
}

// TestBOLOs uploads a photo, issues a BOLO that shows it, and finds the
// BOLO by plate and by words; the photo comes back byte for byte under its
// SHA-256, only to the agency's users; the unit view gets the BOLOs of its
// area; the log holds the hash but not the description or the plate.
func TestBOLOs(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	ts.MustExecute(t, dispatch.CreateAgency{ID: "sheriff", Name: "County Sheriff", Kind: "sheriff"})
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "1A12", Agency: "metro", Kind: "patrol"})
	ts.MustExecute(t, dispatch.CreateUnit{CallSign: "1A13", Agency: "metro", Kind: "patrol"})
	disp := ts.MustCreateUser(t, "disp", "metro", dispatch.RoleDispatcher)
	off := ts.MustCreateUser(t, "off", "metro", dispatch.RoleOfficer)
	deputy := ts.MustCreateUser(t, "deputy", "sheriff", dispatch.RoleDispatcher)

	photo := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0, 1, 2, 0xff}, 100)...)
	sum := sha256.Sum256(photo)
	var up struct {
		Hash string `json:"hash"`
		Type string `json:"type"`
		Size int    `json:"size"`
	}
	MustJSON(t, "POST /api/v1/photos", uploadPhoto(t, ts, disp, "image/png", photo), 201, &up)
	if up.Hash != hex.EncodeToString(sum[:]) || up.Type != "image/png" || up.Size != len(photo) {
		t.Fatalf("POST /api/v1/photos = %+v, want hash %x image/png %d", up, sum, len(photo))
	}
	// The same bytes again: the same name.
	MustJSON(t, "POST /api/v1/photos again", uploadPhoto(t, ts, disp, "image/png", photo), 201, &up)
	if up.Hash != hex.EncodeToString(sum[:]) {
		t.Errorf("the same photo again = %s, want %x", up.Hash, sum)
	}
	CheckProblem(t, "POST text as a photo", uploadPhoto(t, ts, disp, "text/plain", []byte("hello")), 415, "unsupported_media_type", "image/jpeg")
	CheckProblem(t, "POST text declared a PNG", uploadPhoto(t, ts, disp, "image/png", []byte("hello, not a png")), 415, "unsupported_media_type", "its bytes are text/plain")
	CheckProblem(t, "POST a photo too large", uploadPhoto(t, ts, disp, "image/png", append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 1<<20)...)), 413, "too_large", "at most")
	CheckProblem(t, "POST a photo as an officer", uploadPhoto(t, ts, off, "image/png", photo), 403, dispatch.EFORBIDDEN, "not open to your roles")

	before := ts.Engine.Log().Size()
	expires := ts.Engine.Now().Add(12 * time.Hour)
	var b dispatch.BOLO
	MustJSON(t, "POST /api/v1/bolos", ts.Do(t, "POST", "/api/v1/bolos", disp, map[string]any{
		"kind": "vehicle", "description": "red sedan, dented rear door, two occupants", "plate": "abc-123",
		"photos": []string{up.Hash}, "priority": 1, "expires": expires,
		"area": map[string]any{"kind": "circle", "circle": map[string]float64{"lat": 41.8236, "lon": -87.7047, "radius_m": 2000}},
	}), 201, &b)
	if b.ID == "" || b.Plate != "ABC123" || b.Priority != 1 || len(b.Photos) != 1 || b.Photos[0] != up.Hash || b.IssuedBy.User != "disp" {
		t.Fatalf("POST /api/v1/bolos = %+v", b)
	}
	var issued int
	for _, e := range ts.Events(t, before) {
		if e.Type == dispatch.TypeBOLOIssued {
			issued++
			if !bytes.Contains(e.Data, []byte(up.Hash)) || e.Private[dispatch.PrivateBOLODescription] == "" || e.Private[dispatch.PrivateBOLOPlate] == "" {
				t.Errorf("bolo.issued = %s %v, want the photo's hash and commitments of the description and plate", e.Data, e.Private)
			}
		}
	}
	if issued != 1 {
		t.Errorf("%d bolo.issued events, want 1", issued)
	}
	raw, err := ts.Store.ReadEntries(t.Context(), before, ts.Engine.Log().Size())
	if err != nil {
		t.Fatal(err)
	}
	for _, leaf := range raw {
		if bytes.Contains(leaf, []byte("dented")) || bytes.Contains(leaf, []byte("ABC123")) {
			t.Errorf("a log leaf holds the BOLO's description or plate in clear: %s", leaf)
		}
	}

	// The photo round trip, checked against its name.
	r := ts.Do(t, "GET", "/api/v1/photos/"+up.Hash, off, nil)
	if got := sha256.Sum256(r.Body); r.Status != 200 || got != sum || r.Header.Get("Content-Type") != "image/png" {
		t.Errorf("GET photo = %d %s, %d bytes hashing to %x, want 200 image/png hashing to %x", r.Status, r.Header.Get("Content-Type"), len(r.Body), got, sum)
	}
	CheckProblem(t, "GET photo from another agency", ts.Do(t, "GET", "/api/v1/photos/"+up.Hash, deputy, nil), 404, dispatch.ENOTFOUND, "does not exist")
	CheckProblem(t, "GET a bad photo name", ts.Do(t, "GET", "/api/v1/photos/zz", off, nil), 404, dispatch.ENOTFOUND, "does not exist")

	// Search.
	var list boloList
	for q, want := range map[string]int{"ABC 123": 1, "abc123": 1, "c12": 1, "red sedan": 1, "Dented DOOR": 1, "blue sedan": 0, "XYZ999": 0} {
		MustJSON(t, "GET /api/v1/bolos?q="+q, ts.Do(t, "GET", "/api/v1/bolos?q="+strings.ReplaceAll(q, " ", "+"), off, nil), 200, &list)
		if len(list.Bolos) != want {
			t.Errorf("GET /api/v1/bolos?q=%s = %d BOLOs, want %d", q, len(list.Bolos), want)
		}
	}
	MustJSON(t, "GET bolos as another agency", ts.Do(t, "GET", "/api/v1/bolos", deputy, nil), 200, &list)
	if len(list.Bolos) != 0 {
		t.Errorf("another agency's BOLOs = %+v, want none", list.Bolos)
	}

	// The unit view: a unit inside the circle gets it, one outside not.
	if r := ts.Do(t, "POST", "/api/v1/units/positions", disp, []map[string]any{
		{"unit": "metro.1a12", "lat": 41.8240, "lon": -87.7050, "time": ts.Engine.Now()},
		{"unit": "metro.1a13", "lat": 41.95, "lon": -87.65, "time": ts.Engine.Now()},
	}); r.Status != 204 {
		t.Fatalf("POST positions = %d %s, want 204", r.Status, r.Body)
	}
	for unit, want := range map[string]int{"metro.1a12": 1, "metro.1a13": 0} {
		MustJSON(t, "GET bolos for "+unit, ts.Do(t, "GET", "/api/v1/bolos?unit="+unit, off, nil), 200, &list)
		if len(list.Bolos) != want {
			t.Errorf("GET /api/v1/bolos?unit=%s = %d BOLOs, want %d", unit, len(list.Bolos), want)
		}
	}
	CheckProblem(t, "GET bolos for another agency's unit", ts.Do(t, "GET", "/api/v1/bolos?unit=metro.1a12", deputy, nil), 404, dispatch.ENOTFOUND, "does not exist")

	CheckProblem(t, "POST a BOLO with a photo not stored", ts.Do(t, "POST", "/api/v1/bolos", disp, map[string]any{
		"kind": "person", "description": "x", "photos": []string{strings.Repeat("ab", 32)}, "expires": expires,
		"area": map[string]any{"kind": "agency"}}), 422, dispatch.EINVALID, "upload it first")
	CheckProblem(t, "POST a BOLO expired", ts.Do(t, "POST", "/api/v1/bolos", disp, map[string]any{
		"kind": "person", "description": "x", "expires": ts.Engine.Now().Add(-time.Minute), "area": map[string]any{"kind": "agency"}}), 422, dispatch.EINVALID, "future")

	// Cancelled: gone from the list, still there with ?all=true.
	CheckProblem(t, "POST cancel by another agency", ts.Do(t, "POST", "/api/v1/bolos/"+b.ID+"/cancel", deputy, map[string]string{"reason": "x"}), 404, dispatch.ENOTFOUND, "does not exist")
	MustJSON(t, "POST cancel", ts.Do(t, "POST", "/api/v1/bolos/"+b.ID+"/cancel", disp, map[string]string{"reason": "vehicle recovered"}), 200, &b)
	if b.Cancelled == nil || b.Reason != "vehicle recovered" || b.CancelledBy == nil || b.CancelledBy.User != "disp" {
		t.Errorf("cancelled BOLO = %+v", b)
	}
	CheckProblem(t, "POST cancel again", ts.Do(t, "POST", "/api/v1/bolos/"+b.ID+"/cancel", disp, map[string]string{"reason": "x"}), 409, dispatch.ECONFLICT, "already")
	MustJSON(t, "GET bolos after the cancel", ts.Do(t, "GET", "/api/v1/bolos", off, nil), 200, &list)
	if len(list.Bolos) != 0 {
		t.Errorf("BOLOs in force after the cancel = %+v, want none", list.Bolos)
	}
	MustJSON(t, "GET all bolos", ts.Do(t, "GET", "/api/v1/bolos?all=true", off, nil), 200, &list)
	if len(list.Bolos) != 1 || list.Bolos[0].Cancelled == nil {
		t.Errorf("GET /api/v1/bolos?all=true = %+v, want the cancelled BOLO", list.Bolos)
	}
}
