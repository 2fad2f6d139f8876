package gridcity

// The old grid geocoder of the demo gazetteer. The running system geocodes
// on the centre's map (geo.Map.Geocode); this one, written against the
// grid's own rules, is kept for two jobs: an independent check of the map
// that Map generates (dataset_test.go), and the baseline that tenfour bench
// geocode measures the map's geocoder beside (bench/geocode.go).

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/tenfour-cad/tenfour/geo"
)

// The grid geocoder's errors are the map's (geo.Error), with its codes.
const (
	EINVALID   = geo.EINVALID
	ENOTFOUND  = geo.ENOTFOUND
	EAMBIGUOUS = geo.EAMBIGUOUS
	ERANGE     = geo.ERANGE
	ENOCROSS   = geo.ENOCROSS
)

// Error is a geocoding failure (geo.Error).
type Error = geo.Error

// ErrorCode returns the code of err if it is (or wraps) an *Error.
func ErrorCode(err error) string { return geo.ErrorCode(err) }

func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Kind says what a Result was resolved from.
type Kind string

// The kinds of Result.
const (
	KindAddress      Kind = "address"      // "3900 S Kedzie Ave"
	KindIntersection Kind = "intersection" // "S Kedzie Ave & W 39th Pl"
	KindPoint        Kind = "point"        // "41.823600,-87.704700"
	KindPlace        Kind = "place"        // "Midway Airport"
)

// Result is a geocoded location.
type Result struct {
	Lat, Lon float64   // WGS84 degrees
	Grid     GridPoint // the grid point; for a KindPoint, the grid point at Lat, Lon
	Text     string    // the normalised text: "3900 S Kedzie Ave", "S Kedzie Ave & W 39th Pl"
	Kind     Kind
}

// maxInput bounds the text Geocode reads; no location is longer.
const maxInput = 200

var (
	pointRE   = regexp.MustCompile(`^([+-]?\d+(?:\.\d*)?)\s*(?:,|\s)\s*([+-]?\d+(?:\.\d*)?)$`)
	numericRE = regexp.MustCompile(`^[-+0-9.,\s]+$`)
	addressRE = regexp.MustCompile(`^(\d{1,6})\s+(\S.*)$`)
	crossRE   = regexp.MustCompile(`(?i)\s*(?:&|/|@|\band\b|\bat\b)\s*`)
)

// Geocode resolves free text to a location. It accepts:
//
//   - an address: "3900 S Kedzie Ave", "3912 kedzie avenue";
//   - an intersection of two streets joined by &, /, @, "and" or "at":
//     "39th Pl & S Kedzie Ave", "Kedzie / 39th Pl", "S Kedzie Ave and W 39th Pl";
//   - coordinates, latitude then longitude: "41.8236,-87.7047";
//   - the name of a place in the gazetteer: "Midway Airport".
//
// Street names are matched without regard to case, extra spaces or
// punctuation; the direction prefix and the street type may be left out or
// spelt in full (South/S, West/W, Avenue/Ave, Street/St, Place/Pl, Road/Rd,
// Boulevard/Blvd), and a numbered street may be written 39 or 39th. A numbered
// street given without a type means the "St", as Chicagoans say it: "Kedzie &
// 39th" is Kedzie & 39th St (Pershing Rd), never 39th Pl.
//
// Errors are *Error values: EINVALID (empty, malformed, coordinates out of
// range, a street with neither number nor cross street), ENOTFOUND (with
// suggestions), EAMBIGUOUS (with candidates), ERANGE (the number is not on
// the street), ENOCROSS (parallel streets, or streets that do not meet).
func (g *Gazetteer) Geocode(text string) (Result, error) {
	t := strings.TrimSpace(text)
	switch {
	case t == "":
		return Result{}, errorf(EINVALID, "the location is empty")
	case len(t) > maxInput:
		return Result{}, errorf(EINVALID, "the location is longer than %d characters", maxInput)
	}
	if numericRE.MatchString(t) && strings.ContainsAny(t, ".,") {
		return parsePoint(t)
	}
	if i, ok := g.index().placeIdx[placeKey(t)]; ok {
		p := g.places[i]
		return result(p.At, p.Name, KindPlace), nil
	}
	if parts := crossRE.Split(t, -1); len(parts) > 1 {
		if len(parts) != 2 || strings.TrimSpace(parts[0]) == "" || strings.TrimSpace(parts[1]) == "" {
			return Result{}, errorf(EINVALID, "%q: an intersection is two streets, such as \"39th Pl & S Kedzie Ave\"", t)
		}
		return g.intersection(parts[0], parts[1])
	}
	if m := addressRE.FindStringSubmatch(t); m != nil {
		n, _ := strconv.Atoi(m[1]) // at most 6 digits: cannot fail
		return g.address(n, m[2])
	}
	street, _, err := g.resolve(t)
	if err != nil {
		return Result{}, err
	}
	return Result{}, errorf(EINVALID, "%s is a whole street; give a house number (\"3900 %s\") or a cross street", street, street)
}

// parsePoint parses "lat,lon" or "lat lon" in decimal degrees.
func parsePoint(t string) (Result, error) {
	m := pointRE.FindStringSubmatch(t)
	if m == nil {
		return Result{}, errorf(EINVALID, "%q: coordinates are latitude and longitude in decimal degrees, such as \"41.8236,-87.7047\"", t)
	}
	lat, err1 := strconv.ParseFloat(m[1], 64)
	lon, err2 := strconv.ParseFloat(m[2], 64)
	switch {
	case err1 != nil || err2 != nil:
		return Result{}, errorf(EINVALID, "%q: coordinates are latitude and longitude in decimal degrees, such as \"41.8236,-87.7047\"", t)
	case lat < -90 || lat > 90:
		return Result{}, errorf(EINVALID, "latitude %s is outside -90 to 90", m[1])
	case lon < -180 || lon > 180:
		return Result{}, errorf(EINVALID, "longitude %s is outside -180 to 180", m[2])
	}
	return Result{
		Lat: lat, Lon: lon, Grid: GridAt(lat, lon), Kind: KindPoint,
		Text: strconv.FormatFloat(lat, 'f', 6, 64) + "," + strconv.FormatFloat(lon, 'f', 6, 64),
	}, nil
}

func result(p GridPoint, text string, k Kind) Result {
	lat, lon := p.LatLon()
	return Result{Lat: lat, Lon: lon, Grid: p, Text: text, Kind: k}
}

func (g *Gazetteer) address(n int, streetText string) (Result, error) {
	street, segs, err := g.resolve(streetText)
	if err != nil {
		return Result{}, err
	}
	var ranges []string
	for _, i := range segs {
		s := g.segs[i]
		if s.From <= n && n <= s.To {
			return result(s.point(n), strconv.Itoa(n)+" "+street, KindAddress), nil
		}
		ranges = append(ranges, fmt.Sprintf("%d–%d", s.From, s.To))
	}
	return Result{}, errorf(ERANGE, "%d is not on %s, whose numbers run %s", n, street, strings.Join(ranges, ", "))
}

func (g *Gazetteer) intersection(a, b string) (Result, error) {
	sa, segsA, err := g.resolve(a)
	if err != nil {
		return Result{}, err
	}
	sb, segsB, err := g.resolve(b)
	if err != nil {
		return Result{}, err
	}
	if sa == sb {
		return Result{}, errorf(ENOCROSS, "%q and %q are both %s; an intersection needs two streets", strings.TrimSpace(a), strings.TrimSpace(b), sa)
	}
	parallel := true
	for _, i := range segsA {
		for _, j := range segsB {
			p, ok, crossing := cross(g.segs[i], g.segs[j])
			parallel = parallel && !crossing
			if ok {
				return result(p, sa+" & "+sb, KindIntersection), nil
			}
		}
	}
	if parallel {
		return Result{}, errorf(ENOCROSS, "%s and %s run parallel and never cross", sa, sb)
	}
	return Result{}, errorf(ENOCROSS, "%s and %s do not meet in this gazetteer", sa, sb)
}

// cross returns where segments a and b meet. crossing reports whether they
// run across each other at all; ok whether both reach the crossing point.
func cross(a, b Segment) (p GridPoint, ok, crossing bool) {
	if a.Axis == b.Axis {
		return GridPoint{}, false, false
	}
	if a.Axis == EastWest {
		a, b = b, a
	}
	p = GridPoint{N: float64(b.Grid), E: float64(a.Grid)}
	alo, ahi := a.span()
	blo, bhi := b.span()
	return p, alo <= p.N && p.N <= ahi && blo <= p.E && p.E <= bhi, true
}

// resolve finds the one street text names and the indices of its segments.
func (g *Gazetteer) resolve(text string) (string, []int, error) {
	q := parseStreet(text)
	shown := strings.Join(strings.Fields(text), " ")
	if q.base == "" {
		return "", nil, errorf(EINVALID, "%q has no street name", shown)
	}
	var match []nameRef
	for _, r := range g.index().byBase[q.base] {
		if (q.dir == "" || q.dir == r.dir) && (q.typ == "" || q.typ == r.typ) {
			match = append(match, r)
		}
	}
	if q.typ == "" && isOrdinal(q.base) {
		// "39th" alone is 39th St: keep the St names if there are any.
		var st []nameRef
		for _, r := range match {
			if r.typ == "ST" {
				st = append(st, r)
			}
		}
		if len(st) > 0 {
			match = st
		}
	}
	var streets []string
	for _, r := range match {
		streets = append(streets, g.index().names[r.seg])
	}
	streets = sortedUnique(streets)
	switch len(streets) {
	case 0:
		e := errorf(ENOTFOUND, "no street called %q", shown)
		e.Suggestions = g.suggest(q)
		return "", nil, e
	case 1:
		return streets[0], g.index().byStreet[streets[0]], nil
	}
	e := errorf(EAMBIGUOUS, "%q could be %d streets", shown, len(streets))
	e.Candidates = streets
	return "", nil, e
}

// suggest returns up to three streets whose names are nearest q by edit
// distance, counting a wrong direction or type as one edit each.
func (g *Gazetteer) suggest(q streetQuery) []string {
	best := map[string]int{}
	limit := 2 + len(q.base)/4
	for base, refs := range g.index().byBase {
		d0 := geo.EditDistance(q.base, base)
		if d0 > limit {
			continue
		}
		for _, r := range refs {
			d := d0
			if q.dir != "" && q.dir != r.dir {
				d++
			}
			if q.typ != "" && q.typ != r.typ {
				d++
			}
			name := g.index().names[r.seg]
			if old, ok := best[name]; d <= limit && (!ok || d < old) {
				best[name] = d
			}
		}
	}
	var out []string
	for n := range best {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool {
		if best[out[i]] != best[out[j]] {
			return best[out[i]] < best[out[j]]
		}
		return out[i] < out[j]
	})
	if len(out) > 3 {
		out = out[:3]
	}
	return out
}

// Reverse returns the address nearest to a WGS84 position: the nearest point
// on the nearest street of the gazetteer, written as a house number on that
// street ("3912 S Kedzie Ave"). The number is rounded to the nearest whole
// address number and kept within the segment's range; odd and even sides are
// not told apart. At a crossing, where two streets are equally near, the one
// listed first in the gazetteer wins. It returns "" for an empty gazetteer.
func (g *Gazetteer) Reverse(lat, lon float64) string {
	x := (lon - OriginLon) * metresPerDegLon
	y := (lat - OriginLat) * metresPerDegLat
	best, bestD, bestAlong := -1, math.Inf(1), 0.0
	for i, s := range g.segs {
		lo, hi := s.span()
		var d, along float64
		if s.Axis == NorthSouth {
			yc := math.Max(northMetres(lo), math.Min(northMetres(hi), y))
			d = math.Hypot(x-eastMetres(float64(s.Grid)), y-yc)
			along = northNumber(yc)
		} else {
			xc := math.Max(eastMetres(lo), math.Min(eastMetres(hi), x))
			d = math.Hypot(x-xc, y-northMetres(float64(s.Grid)))
			along = xc / metresPerNumber
		}
		if d < bestD {
			best, bestD, bestAlong = i, d, along
		}
	}
	if best < 0 {
		return ""
	}
	s := g.segs[best]
	n := int(math.Round(math.Abs(bestAlong)))
	n = max(s.From, min(s.To, n))
	return strconv.Itoa(n) + " " + g.index().names[best]
}

// isOrdinal reports whether a normalised base name is a numbered street.
func isOrdinal(base string) bool { return base != "" && base[0] >= '0' && base[0] <= '9' }

// sortedUnique sorts and removes duplicates.
func sortedUnique(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// gazIndex is a gazetteer indexed for the geocoder: built once per
// gazetteer (a gazetteer never changes) on its first geocoding.
type gazIndex struct {
	byBase   map[string][]nameRef // normalised base name -> names using it
	placeIdx map[string]int       // normalised place name -> index in places
	names    []string             // names[i] is segs[i].Street()
	byStreet map[string][]int     // street name -> indices of its segments
}

// nameRef is one name (primary or alias) of a segment.
type nameRef struct {
	seg      int
	dir, typ string // normalised
	base     string // normalised
}

var gazIndexes sync.Map // *Gazetteer -> *gazIndex

// index returns g's index for the geocoder.
func (g *Gazetteer) index() *gazIndex {
	if x, ok := gazIndexes.Load(g); ok {
		return x.(*gazIndex)
	}
	x := &gazIndex{byBase: map[string][]nameRef{}, placeIdx: map[string]int{}, byStreet: map[string][]int{}}
	for i, s := range g.segs {
		x.names = append(x.names, s.Street())
		x.byStreet[s.Street()] = append(x.byStreet[s.Street()], i)
		for _, n := range append([]string{s.Street()}, s.Aliases...) {
			q := parseStreet(n)
			x.byBase[q.base] = append(x.byBase[q.base], nameRef{seg: i, dir: q.dir, typ: q.typ, base: q.base})
		}
	}
	for i, p := range g.places {
		for _, n := range append([]string{p.Name}, p.Aliases...) {
			x.placeIdx[placeKey(n)] = i
		}
	}
	got, _ := gazIndexes.LoadOrStore(g, x)
	return got.(*gazIndex)
}

// span returns the signed coordinates along the street covered by the
// segment's addresses, lo <= hi.
func (s Segment) span() (lo, hi float64) {
	sg := sideSign(s.Dir)
	a, b := sg*float64(s.From), sg*float64(s.To)
	if a > b {
		a, b = b, a
	}
	return a, b
}
