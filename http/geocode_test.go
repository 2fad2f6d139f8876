package http_test

import (
	"encoding/json"
	"math"
	"net/url"
	"testing"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// metres returns the distance between two points on a spherical earth.
func metres(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371000
	p1, p2 := lat1*math.Pi/180, lat2*math.Pi/180
	dp, dl := p2-p1, (lon2-lon1)*math.Pi/180
	a := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * r * math.Asin(math.Sqrt(a))
}

func TestGeocodedIncident(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	// By the grid: Kedzie is 3200 W, 39th Pl 3950 S (four miles from
	// Madison at 31st's 800-to-the-mile spacing), about 41.8222, -87.7052.
	const wantLat, wantLon = 41.8222, -87.7052
	r := ts.Do(t, "POST", "/api/v1/incidents", ts.Admin, map[string]any{"agency": "metro", "type": "ROBBERY", "location": map[string]string{"text": "39th pl & s kedzie avenue"}})
	var in dispatch.Incident
	MustJSON(t, "POST /api/v1/incidents at 39th Pl & S Kedzie Ave", r, 201, &in)
	if !in.Location.Verified || in.Location.Lat == nil || in.Location.Lon == nil {
		t.Fatalf("location = %+v, want verified with a point", in.Location)
	}
	if d := metres(*in.Location.Lat, *in.Location.Lon, wantLat, wantLon); d > 300 {
		t.Errorf("39th Pl & S Kedzie Ave geocoded at %.5f,%.5f, %.0f m from the grid's answer, want within 300 m", *in.Location.Lat, *in.Location.Lon, d)
	}
	if in.Location.District == "" || len(in.Location.Beat) != 3 || in.Location.Beat[:2] != in.Location.District {
		t.Errorf("location district %q, beat %q; want the demo city's district and one of its beats", in.Location.District, in.Location.Beat)
	}
	if in.Location.Text != "S Kedzie Ave & W 39th Pl" && in.Location.Text != "W 39th Pl & S Kedzie Ave" {
		t.Errorf("location text = %q, want the normal spelling of the intersection", in.Location.Text)
	}

	r = ts.Do(t, "POST", "/api/v1/incidents", ts.Admin, map[string]any{"agency": "metro", "type": "THEFT", "location": map[string]any{"lat": 41.8236, "lon": -87.7047}})
	in = dispatch.Incident{}
	MustJSON(t, "POST /api/v1/incidents at a point", r, 201, &in)
	if in.Location.Text == "" || in.Location.Verified {
		t.Errorf("a point's location = %+v, want the nearest address as text, unverified", in.Location)
	}

	r = ts.Do(t, "POST", "/api/v1/incidents", ts.Admin, map[string]any{"agency": "metro", "type": "THEFT", "location": map[string]string{"text": "behind the old mill"}})
	in = dispatch.Incident{}
	MustJSON(t, "POST /api/v1/incidents at unknown text", r, 201, &in)
	if in.Location.Verified || in.Location.Text != "behind the old mill" || in.Location.Lat != nil {
		t.Errorf("unknown text's location = %+v, want it kept as given, unverified", in.Location)
	}
}

func TestGeocodeRoute(t *testing.T) {
	ts := MustOpenServer(t)
	var got struct {
		Text     string
		Kind     string
		Lat, Lon float64
	}
	r := ts.Do(t, "GET", "/api/v1/geocode?q="+url.QueryEscape("3900 S Kedzie Ave"), ts.Admin, nil)
	if r.Status != 200 || json.Unmarshal(r.Body, &got) != nil || got.Kind != "address" || metres(got.Lat, got.Lon, 41.8236, -87.7052) > 300 {
		t.Fatalf("GET /api/v1/geocode?q=3900 S Kedzie Ave = %d %s, want an address near 41.8236,-87.7052", r.Status, r.Body)
	}
	r = ts.Do(t, "GET", "/api/v1/geocode?q="+url.QueryEscape("3900 S Kedzy Ave"), ts.Admin, nil)
	CheckProblem(t, "GET /api/v1/geocode of a misspelt street", r, 404, dispatch.ENOTFOUND, "Kedzie")
	r = ts.Do(t, "GET", "/api/v1/geocode?q=", ts.Admin, nil)
	if r.Status != 422 {
		t.Errorf("GET /api/v1/geocode with nothing = %d %s, want 422", r.Status, r.Body)
	}
}
