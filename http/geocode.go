package http

import (
	"errors"
	"net/http"
	"sync"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/geo"
)

// gazetteer is the demo city's: generated from Chicago's grid (geo.Chicago).
var gazetteer = sync.OnceValue(geo.Chicago)

// resolveLocation completes a location as the call-taker gave it: text that
// the gazetteer knows gets its point and its normal spelling, and is marked
// verified; a bare point gets the nearest address as its text. Text the
// gazetteer does not know is kept as given, unverified.
func resolveLocation(l dispatch.Location) dispatch.Location {
	g := gazetteer()
	switch {
	case l.Lat == nil && l.Lon == nil && l.Text != "":
		if r, err := g.Geocode(l.Text); err == nil {
			lat, lon := r.Lat, r.Lon
			return dispatch.Location{Text: r.Text, Lat: &lat, Lon: &lon, Verified: true}
		}
	case l.Lat != nil && l.Lon != nil && l.Text == "":
		l.Text = g.Reverse(*l.Lat, *l.Lon)
	}
	l.Verified = false // only the gazetteer verifies
	return l
}

// geocodeAnswer is what GET /api/v1/geocode answers.
type geocodeAnswer struct {
	Text string  `json:"text"`
	Kind string  `json:"kind"`
	Lat  float64 `json:"lat"`
	Lon  float64 `json:"lon"`
}

// handleGeocode resolves an address, an intersection, a place or a point
// (?q=…), or says why not, with suggestions or candidates, as a problem.
func (s *Server) handleGeocode(w http.ResponseWriter, r *http.Request) {
	res, err := gazetteer().Geocode(r.URL.Query().Get("q"))
	if err != nil {
		code := dispatch.EINVALID
		var ge *geo.Error
		if errors.As(err, &ge) && ge.Code == "not_found" {
			code = dispatch.ENOTFOUND
		}
		s.writeError(w, r, dispatch.Errorf(code, "%s", err.Error()))
		return
	}
	writeJSON(w, http.StatusOK, geocodeAnswer{Text: res.Text, Kind: string(res.Kind), Lat: res.Lat, Lon: res.Lon})
}
