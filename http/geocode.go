package http

import (
	"errors"
	"net/http"
	"sort"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/geo"
)

// A Drawing is the centre's map as the console draws it: its streets,
// places and zones. geo.Map implements it; the engine holds the same map
// for every question a command asks of it.
type Drawing interface {
	Streets() []geo.Street
	Places() []geo.Place
	Zones() []geo.Zone
}

// SetMap gives the server the centre's map to draw (GET /api/v1/streets,
// /api/v1/districts). Set it before serving; without one both answer
// empty lists.
func (s *Server) SetMap(m Drawing) {
	s.drawing = newDrawn(m)
}

// area is a district or a beat as GET /api/v1/districts answers it: its
// id, name and outline as rings of [lat, lon]. Boundary is the first (the
// largest) ring, Rings all of them.
type area struct {
	ID       string         `json:"id"`
	Name     string         `json:"name"`
	District string         `json:"district,omitempty"` // the district of a beat
	Boundary [][2]float64   `json:"boundary"`
	Rings    [][][2]float64 `json:"rings"`
}

// drawn is the map's answers, made once: the map never changes.
type drawn struct {
	streets   streetsAnswer
	districts []area
	beats     []area
}

func newDrawn(m Drawing) *drawn {
	d := &drawn{streets: streetsAnswer{Streets: []streetLine{}, Places: []placePoint{}}, districts: []area{}, beats: []area{}}
	if m == nil {
		return d
	}
	// A street is drawn as few lines as its features make end to end
	// (geo.Chain), so that it is labelled along its length, not block by
	// block.
	var names []string
	lines := map[string][][]geo.Point{}
	major := map[string]bool{}
	for _, st := range m.Streets() {
		if _, ok := lines[st.Name]; !ok {
			names = append(names, st.Name)
		}
		lines[st.Name] = append(lines[st.Name], st.Lines...)
		major[st.Name] = major[st.Name] || st.Speed() >= 30
	}
	for _, name := range names {
		for _, l := range geo.Chain(lines[name]) {
			line := make([][2]float64, len(l))
			for i, p := range l {
				line[i] = [2]float64{micro(p.Lat), micro(p.Lon)}
			}
			d.streets.Streets = append(d.streets.Streets, streetLine{Name: name, Major: major[name], Line: line})
		}
	}
	for _, p := range m.Places() {
		d.streets.Places = append(d.streets.Places, placePoint{Name: p.Name, Lat: micro(p.At.Lat), Lon: micro(p.At.Lon)})
	}
	byDistrict := map[string][][][]geo.Point{}
	for _, z := range m.Zones() {
		if z.Beat != "" {
			d.beats = append(d.beats, newArea(z.Beat, "Beat "+z.Beat, z.District, outerRings(z.Area)))
		}
		byDistrict[z.District] = append(byDistrict[z.District], z.Area...)
	}
	ids := make([]string, 0, len(byDistrict))
	for id := range byDistrict {
		if id != "" {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		d.districts = append(d.districts, newArea(id, "District "+id, "", geo.Outline(byDistrict[id])))
	}
	return d
}

func outerRings(polys [][][]geo.Point) [][]geo.Point {
	var out [][]geo.Point
	for _, p := range polys {
		if len(p) > 0 {
			out = append(out, p[0])
		}
	}
	return out
}

func newArea(id, name, district string, rings [][]geo.Point) area {
	a := area{ID: id, Name: name, District: district, Boundary: [][2]float64{}, Rings: [][][2]float64{}}
	for _, r := range rings {
		ring := make([][2]float64, len(r))
		for i, p := range r {
			ring[i] = [2]float64{micro(p.Lat), micro(p.Lon)}
		}
		a.Rings = append(a.Rings, ring)
	}
	if len(a.Rings) > 0 {
		a.Boundary = a.Rings[0]
	}
	return a
}

// handleDistricts answers the map's districts and beats, for maps.
func (s *Server) handleDistricts(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"districts": s.drawing.districts, "beats": s.drawing.beats})
}

// geocodeAnswer is what GET /api/v1/geocode answers.
type geocodeAnswer struct {
	Text string  `json:"text"`
	Kind string  `json:"kind"`
	Lat  float64 `json:"lat"`
	Lon  float64 `json:"lon"`
}

// handleGeocode resolves an address, an intersection, a place or a point
// (?q=…) on the centre's map, or says why not, with suggestions or
// candidates, as a problem.
func (s *Server) handleGeocode(w http.ResponseWriter, r *http.Request) {
	res, err := s.engine.Geocode(r.URL.Query().Get("q"))
	if err != nil {
		code := dispatch.EINVALID
		var ge *geo.Error
		if errors.As(err, &ge) && ge.Code == geo.ENOTFOUND {
			code = dispatch.ENOTFOUND
		}
		s.writeError(w, r, dispatch.Errorf(code, "%s", err.Error()))
		return
	}
	writeJSON(w, http.StatusOK, geocodeAnswer{Text: res.Text, Kind: string(res.Kind), Lat: res.Lat, Lon: res.Lon})
}
