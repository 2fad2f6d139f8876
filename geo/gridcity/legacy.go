package gridcity

import (
	"errors"

	"github.com/tenfour-cad/tenfour/geo"
)

// Legacy is the old grid gazetteer and districts behind the map interface
// the engine asks (engine.Map), until the demo runs on its map files.
type Legacy struct {
	g *Gazetteer
	d *Districts
}

// NewLegacy returns the demo city's grid gazetteer as a map.
func NewLegacy() *Legacy { return &Legacy{g: Chicago(), d: ChicagoDistricts()} }

// Geocode resolves text on the grid.
func (l *Legacy) Geocode(text string) (geo.Result, error) {
	r, err := l.g.Geocode(text)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return geo.Result{}, &geo.Error{Code: e.Code, Message: e.Message, Suggestions: e.Suggestions, Candidates: e.Candidates}
		}
		return geo.Result{}, err
	}
	return geo.Result{Lat: r.Lat, Lon: r.Lon, Text: r.Text, Kind: geo.Kind(r.Kind)}, nil
}

// Reverse returns the nearest grid address.
func (l *Legacy) Reverse(lat, lon float64) string { return l.g.Reverse(lat, lon) }

// ZoneAt returns the beat at a point.
func (l *Legacy) ZoneAt(lat, lon float64) (geo.Zone, bool) {
	d, b := l.d.Locate(lat, lon)
	return geo.Zone{District: d, Beat: b}, d != ""
}

// Zones returns the beats.
func (l *Legacy) Zones() []geo.Zone {
	var out []geo.Zone
	for _, b := range l.d.Beats {
		var ring []geo.Point
		for _, c := range b.Boundary {
			ring = append(ring, geo.Point{Lat: c[0], Lon: c[1]})
		}
		out = append(out, geo.Zone{District: b.District, Beat: b.ID, Area: [][][]geo.Point{{ring}}})
	}
	return out
}

// Projection is Chicago's.
func (l *Legacy) Projection() geo.Projection { return geo.Chicago }

// Streets returns the segments as straight centerlines.
func (l *Legacy) Streets() []geo.Street {
	var out []geo.Street
	for _, s := range l.g.Segments() {
		a, b := s.Ends()
		alat, alon := a.LatLon()
		blat, blon := b.LatLon()
		class := "S1400"
		if s.Mile() {
			class = "S1200"
		}
		out = append(out, geo.Street{Name: s.Street(), Class: class, Lines: [][]geo.Point{{{Lat: alat, Lon: alon}, {Lat: blat, Lon: blon}}}})
	}
	return out
}

// Places returns the named places.
func (l *Legacy) Places() []geo.Place {
	var out []geo.Place
	for _, p := range l.g.Places() {
		lat, lon := p.At.LatLon()
		out = append(out, geo.Place{Name: p.Name, Aliases: p.Aliases, At: geo.Point{Lat: lat, Lon: lon}})
	}
	return out
}
