package engine

import (
	"math"
	"strings"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/geo"
	"github.com/tenfour-cad/tenfour/recommend"
)

// A Map is the centre's map as the engine asks it: the geocoder, reverse
// geocoding, the zones (districts, beats, response zones) and the streets
// that recommendations drive. geo.Map implements it; cmd/tenfour loads one
// from the map files and hands it to Open (Config.Map).
type Map interface {
	Geocode(text string) (geo.Result, error)
	Reverse(lat, lon float64) string
	ZoneAt(lat, lon float64) (geo.Zone, bool)
	Zones() []geo.Zone
	Streets() []geo.Street
	Projection() geo.Projection
}

// mapPlaces answers the domain's questions about places (dispatch.Places)
// from a Map.
type mapPlaces struct {
	m         Map
	districts map[string]bool
}

func newMapPlaces(m Map) *mapPlaces {
	p := &mapPlaces{m: m, districts: map[string]bool{}}
	for _, z := range m.Zones() {
		if z.District != "" {
			p.districts[z.District] = true
		}
	}
	return p
}

// Resolve implements dispatch.Places.
func (p *mapPlaces) Resolve(l dispatch.Location) dispatch.Location {
	l.Verified, l.District, l.Beat, l.Zone = false, "", "", ""
	switch {
	case l.Lat == nil && l.Lon == nil && strings.TrimSpace(l.Text) != "":
		if r, err := p.m.Geocode(l.Text); err == nil {
			lat, lon := r.Lat, r.Lon
			l = dispatch.Location{Text: r.Text, Lat: &lat, Lon: &lon, Verified: r.Kind != geo.KindPoint}
			if r.Kind == geo.KindPoint {
				// Coordinates typed as text are a point, not a verified
				// address: they get the nearest address as their text.
				l.Text = p.m.Reverse(lat, lon)
			}
		}
	case l.Lat != nil && l.Lon != nil && l.Text == "":
		l.Text = p.m.Reverse(*l.Lat, *l.Lon)
	}
	if l.Lat != nil && l.Lon != nil && valid(*l.Lat, *l.Lon) {
		if z, ok := p.m.ZoneAt(*l.Lat, *l.Lon); ok {
			l.District, l.Beat, l.Zone = z.District, z.Beat, z.Zone
		}
	}
	return l
}

// HasDistrict implements dispatch.Places.
func (p *mapPlaces) HasDistrict(id string) bool { return p.districts[id] }

func valid(lat, lon float64) bool {
	return !math.IsNaN(lat) && !math.IsNaN(lon) && lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180
}

// place prepares a command for deciding, the same way whatever entrance it
// came through: a status change made without a position takes the unit's
// last known one (a late entry does not: where the unit is now is not
// where it was then); district addressees of a message resolve to the
// units whose last position lies in the district; and every place the
// command carries is resolved on the centre's map (dispatch.Placed).
func (e *Engine) place(actor dispatch.Actor, cmd dispatch.Command) (dispatch.Command, error) {
	switch c := cmd.(type) {
	case dispatch.SetUnitStatus:
		if c.Lat == nil && c.Lon == nil {
			if p, ok := e.Position(c.Unit); ok {
				lat, lon := p.Lat, p.Lon
				c.Lat, c.Lon = &lat, &lon
			}
		}
		cmd = c
	case dispatch.AcceptAssist:
		if !dispatch.IsRemote(c.Agency) {
			c.ETAs = e.etas(c.Request, c.Units) // only the map and the positions say
		} // a partner's units are on its map: it says (dispatch.Inbound)
		cmd = c
	case dispatch.Receive:
		// A partner's message is placed as any command is, on this
		// centre's map; a place it cannot have is a refusal, recorded.
		if c.Cmd != nil {
			inner, err := e.place(c.As, c.Cmd)
			if err != nil {
				inner = dispatch.Refuse(err)
			}
			c.Cmd = inner
		}
		return c, nil
	case dispatch.SendMessage:
		c.Districts = nil // only positions and the map say who is in a district
		for _, to := range c.To {
			kind, name, _ := strings.Cut(strings.TrimSpace(to), ":")
			if kind != dispatch.AddrDistrict || name == "" {
				continue
			}
			if c.Districts == nil {
				c.Districts = map[string][]string{}
			}
			agency := c.Agency
			if agency == "" {
				agency = actor.Agency
			}
			c.Districts[name] = e.unitsInDistrict(agency, name)
		}
		cmd = c
	}
	if pc, ok := cmd.(dispatch.Placed); ok {
		return pc.Place(e.places)
	}
	return cmd, nil
}

// etas returns the drive times of units to request's place, by unit id,
// as recommendations measure them (by road over the map's streets, by the
// grid without a map), from each unit's last known position. A unit with
// no position, one the metric finds no way for, and every unit of a
// request with no point have none: the domain counts them
// dispatch.UnknownETA.
func (e *Engine) etas(request string, units []string) map[string]time.Duration {
	var to *geo.Point
	kinds := map[string]string{}
	e.read(func(s *dispatch.State) {
		if r, ok := s.Requests[request]; ok && r.Location.Lat != nil && r.Location.Lon != nil {
			to = &geo.Point{Lat: *r.Location.Lat, Lon: *r.Location.Lon}
		}
		for _, id := range units {
			if u, ok := s.Units[id]; ok {
				kinds[id] = u.Kind
			}
		}
	})
	if to == nil {
		return nil
	}
	var ids []string
	var from []recommend.From
	for _, id := range units {
		if p, ok := e.Position(id); ok {
			ids = append(ids, id)
			from = append(from, recommend.From{Kind: kinds[id], At: geo.Point{Lat: p.Lat, Lon: p.Lon}})
		}
	}
	if len(from) == 0 {
		return nil
	}
	out := map[string]time.Duration{}
	for i, t := range e.metric.Travel(*to, from, len(from)) {
		if t.OK {
			out[ids[i]] = time.Duration(t.Seconds * float64(time.Second))
		}
	}
	return out
}

// unitsInDistrict returns the units of agency whose last known position
// lies in district.
func (e *Engine) unitsInDistrict(agency, district string) []string {
	if e.geo == nil {
		return nil
	}
	var ids []string
	e.read(func(s *dispatch.State) {
		for _, u := range s.UnitList(agency) {
			ids = append(ids, u.ID)
		}
	})
	var out []string
	for _, id := range ids {
		if p, ok := e.Position(id); ok {
			if z, ok := e.geo.ZoneAt(p.Lat, p.Lon); ok && z.District == district {
				out = append(out, id)
			}
		}
	}
	return out
}

// Resolve places a location on the centre's map, as a command carrying it
// would be placed (dispatch.Places.Resolve): for reads that ask where
// something is, such as the BOLOs over a unit's position.
func (e *Engine) Resolve(l dispatch.Location) dispatch.Location { return e.places.Resolve(l) }

// Geocode resolves text on the centre's map: an address, an intersection,
// a place or a point. An installation without a map finds nothing.
func (e *Engine) Geocode(text string) (geo.Result, error) {
	if e.geo == nil {
		return geo.Result{}, &geo.Error{Code: geo.ENOTFOUND, Message: "this installation has no map; start it with --map DIR"}
	}
	return e.geo.Geocode(text)
}
