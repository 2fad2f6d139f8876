package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/geo"
)

// hourly is the city's call rate by hour of day (local time), relative
// to the day's mean: the shape that police calls for service take in a
// large American city — fewest from 4 to 6 in the morning, about a third
// of the evening peak, climbing through the day to a plateau from the
// afternoon into the late evening.
var hourly = [24]float64{
	1.00, 0.86, 0.72, 0.58, 0.44, 0.40, 0.48, 0.66, 0.82, 0.92, 0.98, 1.03,
	1.08, 1.12, 1.17, 1.26, 1.32, 1.34, 1.33, 1.31, 1.27, 1.22, 1.15, 1.08,
}

// hourlyMean is the mean of hourly, so that Rate averages 1 over a day.
var hourlyMean = func() float64 {
	s := 0.0
	for _, v := range hourly {
		s += v
	}
	return s / 24
}()

// Rate returns the demo city's call rate at t (in t's location) relative to
// its daily mean; it moves smoothly from hour to hour.
func Rate(t time.Time) float64 {
	h := t.Hour()
	f := (float64(t.Minute()) + float64(t.Second())/60) / 60
	return (hourly[h]*(1-f) + hourly[(h+1)%24]*f) / hourlyMean
}

// typeWeights are the relative frequencies of the incident types
// (dispatch/incident_types.csv) among the calls of each kind of agency, in
// the proportions police calls for service have: disturbances, suspicious
// persons, traffic, alarms and thefts most; shootings and stabbings few.
// Officer emergencies come from units, not callers. A type missing here
// (an agency's own) is never drawn.
var typeWeights = map[string]map[string]float64{
	"city": {
		"DISTURBANCE": 140, "SUSPICIOUS": 110, "TRAFFIC_COLLISION": 85, "ALARM": 80, "THEFT": 80,
		"WELFARE_CHECK": 65, "NOISE": 70, "PARKING": 55, "DOMESTIC": 60, "TRAFFIC_HAZARD": 40,
		"BURGLARY": 35, "ASSAULT": 35, "VEHICLE_THEFT": 30, "MEDICAL": 30, "ROBBERY": 15,
		"MISSING_PERSON": 12, "SHOOTING": 7, "FIRE_VEHICLE": 6, "FIRE_STRUCTURE": 5, "STABBING": 4,
	},
	// The state police work the highways and arterials: mostly traffic.
	"state": {
		"TRAFFIC_COLLISION": 45, "TRAFFIC_HAZARD": 30, "SUSPICIOUS": 8, "VEHICLE_THEFT": 5,
		"FIRE_VEHICLE": 4, "MEDICAL": 4, "DISTURBANCE": 3, "ASSAULT": 1,
	},
	// The fire department: mostly medical calls, then collisions, fire
	// alarms and fires (fire.go).
	"fire": {
		"MEDICAL": 60, "TRAFFIC_COLLISION": 18, "ALARM": 10, "FIRE_STRUCTURE": 8, "FIRE_VEHICLE": 4,
	},
	// The federal patrol guards federal property: alarms and trespass.
	"federal": {
		"ALARM": 35, "SUSPICIOUS": 35, "DISTURBANCE": 12, "THEFT": 10, "WELFARE_CHECK": 4, "ASSAULT": 3, "ROBBERY": 1,
	},
}

// agencyWeights share the calls out: most are the city police's.
var agencyWeights = []struct {
	agency, mix string
	w           float64
}{{"metro", "city", 80}, {"sheriff", "city", 10}, {"state", "state", 7}, {"federal", "federal", 3}, {FireAgency, "fire", 6}}

// A caller makes the city's calls: who gets them, what they are and
// where on the map, with the phone system's times.
type caller struct {
	r         *rand.Rand
	places    *places
	types     map[string][]weighted
	districts []weighted
	// holds keeps the agencies whose calls are made; nil keeps all.
	holds func(agency string) bool
}

type weighted struct {
	key string
	w   float64
}

// pick draws a key in proportion to its weight.
func pick(r *rand.Rand, ws []weighted) string {
	total := 0.0
	for _, w := range ws {
		total += w.w
	}
	x := r.Float64() * total
	for _, w := range ws {
		if x < w.w {
			return w.key
		}
		x -= w.w
	}
	return ws[len(ws)-1].key
}

// newCaller returns the caller of the city on map m, its places drawn
// from the map (newSpots).
func newCaller(r *rand.Rand, m *geo.Map) (*caller, error) {
	p, err := newSpots(m)
	if err != nil {
		return nil, err
	}
	c := &caller{r: r, places: p, types: map[string][]weighted{}}
	// Some districts are busier than others, as in any city: from half to
	// twice the mean, the same for every run with the same seed.
	for _, d := range districtsOf(m.Zones()) {
		c.districts = append(c.districts, weighted{d.id, 0.5 + 1.5*r.Float64()})
	}
	for mix, ws := range typeWeights {
		for _, t := range dispatch.IncidentTypes { // in the catalogue's order, for a stable draw
			if w, ok := ws[t.Code]; ok {
				c.types[mix] = append(c.types[mix], weighted{t.Code, w})
			}
		}
	}
	return c, nil
}

// A call is one call of the city: the command that enters it and how long
// the call-taker took.
type call struct {
	cmd dispatch.CreateIncident
	// district is the district the place was drawn in ("" on a map
	// without districts); the command carries the place as text alone,
	// as a call-taker types it, and the engine places it on the map.
	district string
	priority int
	talk     time.Duration // from answer to entry
}

var callerNames = []string{"A. Rivera", "J. Kowalski", "M. Johnson", "T. Nguyen", "L. Okafor", "P. Garcia", "D. Murphy", "S. Patel",
	"R. Washington", "K. Novak", "E. Hernandez", "B. Wright", "C. Lopez", "H. Kim", "F. Ramirez", "G. Brooks"}

// next makes a call entered at now: its agency, type and priority drawn from
// the mixes, its place an address or a corner of the map in a district
// drawn by its load (place), and its received and answered times as the
// phone system would give them, a ring and a talk before entry.
func (c *caller) next(now time.Time) call {
	ws := make([]weighted, len(agencyWeights))
	mixes := map[string]string{}
	for i, a := range agencyWeights {
		ws[i] = weighted{a.agency, a.w}
		mixes[a.agency] = a.mix
	}
	agency := pick(c.r, ws)
	if c.holds != nil && !c.holds(agency) {
		return call{} // another installation's call: no place, not made
	}
	code := pick(c.r, c.types[mixes[agency]])
	typ := dispatch.IncidentTypes[0]
	for _, t := range dispatch.IncidentTypes {
		if t.Code == code {
			typ = t
		}
	}
	at, district := c.place(agency)
	// Ring: a few seconds, now and then long. Talk, from answer to entry:
	// a quarter of a minute for the most urgent calls (the call-taker
	// enters the place and the type at once and the rest as notes) to a
	// minute for the least, log-normally spread.
	ring := time.Duration((2 + c.r.ExpFloat64()*3) * float64(time.Second))
	median := []float64{15, 20, 35, 45, 55}[min(max(typ.DefaultPriority, 0), 4)]
	talk := time.Duration(math.Min(median*math.Exp(0.4*c.r.NormFloat64()), 600) * float64(time.Second))
	answered := now.Add(-talk)
	received := answered.Add(-ring)
	return call{
		priority: typ.DefaultPriority,
		talk:     talk,
		district: district,
		cmd: dispatch.CreateIncident{
			Agency:    agency,
			Type:      typ.Code,
			Location:  dispatch.Location{Text: at.text},
			Caller:    dispatch.Caller{Name: callerNames[c.r.IntN(len(callerNames))], Phone: fmt.Sprintf("312-555-%04d", c.r.IntN(10000))},
			Narrative: "Caller reports " + lower(typ.Name) + " at " + at.text + ".",
			Received:  &received,
			Answered:  &answered,
		},
	}
}

func lower(s string) string {
	if s == "" {
		return s
	}
	b := []byte(s)
	if b[0] >= 'A' && b[0] <= 'Z' {
		b[0] += 'a' - 'A'
	}
	return string(b)
}

// place returns the place of a call of agency and its district: an
// address, or now and then a corner, in a district drawn by its load; the
// state police's on the major roads where the map has any. A district with
// no place to draw from gives way to another draw, and after 20 the whole
// map is drawn from.
func (c *caller) place(agency string) (spot, string) {
	major := agency == "state" && c.places.hasMajor("")
	for range 20 {
		if len(c.districts) == 0 {
			break
		}
		d := pick(c.r, c.districts)
		if major && !c.places.hasMajor(d) {
			continue
		}
		if s, ok := c.places.draw(c.r, d, major); ok {
			return s, d
		}
	}
	for range 100 {
		if s, ok := c.places.draw(c.r, "", major); ok {
			d, _ := c.places.districtAt(s.lat, s.lon)
			return s, d
		}
	}
	// newSpots made sure the map has places: this is a map whose every
	// drawn number fell near an edge, a hundred times over.
	s, _ := c.places.draw(c.r, "", false)
	return s, ""
}
