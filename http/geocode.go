package http

import (
	"errors"
	"net/http"
	"sync"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/geo/gridcity"
)

// gazetteer and districts are the demo city's: generated from Chicago's grid
// (gridcity.Chicago, gridcity.ChicagoDistricts).
var (
	gazetteer = sync.OnceValue(gridcity.Chicago)
	districts = sync.OnceValue(gridcity.ChicagoDistricts)
)

// resolveLocation completes a location as the call-taker gave it: text that
// the gazetteer knows gets its point and its normal spelling, and is marked
// verified; a bare point gets the nearest address as its text. Text the
// gazetteer does not know is kept as given, unverified.
// A point gets its district and beat.
func resolveLocation(l dispatch.Location) dispatch.Location {
	g := gazetteer()
	l.Verified, l.District, l.Beat = false, "", "" // only the gazetteer and the map say
	switch {
	case l.Lat == nil && l.Lon == nil && l.Text != "":
		if r, err := g.Geocode(l.Text); err == nil {
			lat, lon := r.Lat, r.Lon
			l = dispatch.Location{Text: r.Text, Lat: &lat, Lon: &lon, Verified: true}
		}
	case l.Lat != nil && l.Lon != nil && l.Text == "":
		l.Text = g.Reverse(*l.Lat, *l.Lon)
	}
	if l.Lat != nil && l.Lon != nil {
		l.District, l.Beat = districts().Locate(*l.Lat, *l.Lon)
	}
	return l
}

// handleDistricts answers the demo city's districts and beats, for maps.
func (s *Server) handleDistricts(w http.ResponseWriter, r *http.Request) {
	d := districts()
	writeJSON(w, http.StatusOK, map[string]any{"districts": d.Districts, "beats": d.Beats})
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
		var ge *gridcity.Error
		if errors.As(err, &ge) && ge.Code == "not_found" {
			code = dispatch.ENOTFOUND
		}
		s.writeError(w, r, dispatch.Errorf(code, "%s", err.Error()))
		return
	}
	writeJSON(w, http.StatusOK, geocodeAnswer{Text: res.Text, Kind: string(res.Kind), Lat: res.Lat, Lon: res.Lon})
}
