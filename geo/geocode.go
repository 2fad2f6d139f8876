package geo

import (
	"cmp"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// maxInput bounds the text Geocode reads; no location is longer.
const maxInput = 200

// sideOffset is how far from the centerline an interpolated address is
// placed, on its side of the street: about the middle of a lane and a
// parking lane, so that the point falls on the right side of the street.
const sideOffset = 8.0

// meetTolerance is how near, in metres, two centerlines must come to count
// as meeting: digitised lines that should touch often miss by centimetres.
const meetTolerance = 0.5

// apartMetres is how far apart two meetings of the same two streets must
// be to be two intersections rather than one drawn with several vertices.
const apartMetres = 50.0

var (
	pointRE   = regexp.MustCompile(`^([+-]?\d+(?:\.\d*)?)\s*(?:,|\s)\s*([+-]?\d+(?:\.\d*)?)$`)
	numericRE = regexp.MustCompile(`^[-+0-9.,\s]+$`)
	addressRE = regexp.MustCompile(`^(\d{1,8}[A-Za-z]?)\s+(\S.*)$`)
	crossRE   = regexp.MustCompile(`(?i)\s*(?:&|/|@|\band\b|\bat\b)\s*`)
)

// Geocode resolves free text of at most 200 bytes to a location. It
// accepts, in this order of trial:
//
//   - coordinates, latitude then longitude: "45.5231,-122.6765" (KindPoint);
//   - a place's name or alias, in any case (KindPlace);
//   - an intersection of two streets joined by &, /, @, "and" or "at":
//     "S Kedzie Ave & W 39th Pl", "39th Pl and Kedzie" (KindIntersection),
//     where the centerlines of the two streets cross or touch;
//   - an address: "3900 S Kedzie Ave", "3900 south kedzie avenue", "3900
//     Kedzie": the address point of that number and street (KindAddress),
//     else the number interpolated along the centerline feature whose range
//     holds it, a few metres to its side (KindInterpolated).
//
// Street names are matched without regard to case or punctuation; the
// directions (S, South; NW, Northwest, before or after the name) and the
// suffix (Avenue, Ave, Av: USPS Publication 28's abbreviations) may be left
// out or spelt either way, and a numbered street may be written 39 or 39th.
// A street's aliases (Street.Aliases) are names of it too, on the features
// that carry them: "3900 W 39th St" where W Pershing Rd has the alias W
// 39th St. Result.Text spells the street as the map's FULLNAME does, also
// when it was found by an alias. An alias that is another street's name
// as well is ambiguous only where both fit, as two streets of one name
// are.
//
// Errors are *Error values: EINVALID (empty, too long, coordinates out of
// range, a street without number or cross street), ENOTFOUND (with up to
// three suggestions), EAMBIGUOUS (several streets fit, or two streets meet
// at several places: Candidates lists them), ERANGE (no range of the
// street holds the number), ENOCROSS (the streets never meet).
func (m *Map) Geocode(text string) (Result, error) {
	if len(text) > maxInput {
		return Result{}, errorf(EINVALID, "the location is longer than %d characters", maxInput)
	}
	t := strings.Join(strings.Fields(text), " ")
	if t == "" {
		return Result{}, errorf(EINVALID, "the location is empty")
	}
	if numericRE.MatchString(t) && strings.ContainsAny(t, ".,") {
		return parsePoint(t)
	}
	if i, ok := m.places[placeKey(t)]; ok {
		p := m.d.Places[i]
		return Result{Lat: p.At.Lat, Lon: p.At.Lon, Text: p.Name, Kind: KindPlace}, nil
	}
	if parts := crossRE.Split(t, -1); len(parts) > 1 {
		if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
			return Result{}, errorf(EINVALID, "%q: an intersection is two streets, such as \"S Kedzie Ave & W 39th Pl\"", t)
		}
		return m.intersection(parts[0], parts[1])
	}
	var addrErr error
	if a := addressRE.FindStringSubmatch(t); a != nil {
		r, err := m.address(a[1], a[2])
		if ErrorCode(err) != ENOTFOUND {
			return r, err
		}
		addrErr = err // unless the whole text is a street: "1st Ave"
	}
	cands, err := m.streets(t)
	if err != nil {
		if addrErr != nil {
			return Result{}, addrErr
		}
		return Result{}, err
	}
	return Result{}, errorf(EINVALID, "%s is a whole street; give a house number or a cross street", m.label(cands[0]))
}

// parsePoint parses "lat,lon" or "lat lon" in decimal degrees.
func parsePoint(t string) (Result, error) {
	bad := errorf(EINVALID, "%q: coordinates are latitude and longitude in decimal degrees, such as \"45.5231,-122.6765\"", t)
	m := pointRE.FindStringSubmatch(t)
	if m == nil {
		return Result{}, bad
	}
	lat, err1 := strconv.ParseFloat(m[1], 64)
	lon, err2 := strconv.ParseFloat(m[2], 64)
	switch {
	case err1 != nil || err2 != nil:
		return Result{}, bad
	case lat < -90 || lat > 90:
		return Result{}, errorf(EINVALID, "latitude %s is outside -90 to 90", m[1])
	case lon < -180 || lon > 180:
		return Result{}, errorf(EINVALID, "longitude %s is outside -180 to 180", m[2])
	}
	return Result{
		Lat: lat, Lon: lon, Kind: KindPoint,
		Text: strconv.FormatFloat(lat, 'f', 6, 64) + "," + strconv.FormatFloat(lon, 'f', 6, 64),
	}, nil
}

// streets returns the street names and aliases text may mean: those
// whose key is the text's, else every one of the same base whose
// direction, suffix and post-direction agree with those the text gives;
// an alias goes when its street is there by its own name, which holds all
// the alias's features. None is ENOTFOUND with suggestions.
func (m *Map) streets(text string) ([]int32, error) {
	k := parseStreet(text)
	if k.base == "" {
		return nil, errorf(EINVALID, "%q has no street name", text)
	}
	if is := m.byKey[k.String()]; len(is) > 0 {
		return m.distinct(is), nil
	}
	var out []int32
	for _, i := range m.byBase[k.base] {
		n := m.names[i].key
		if (k.dir == "" || k.dir == n.dir) && (k.typ == "" || k.typ == n.typ) && (k.post == "" || k.post == n.post) {
			out = append(out, i)
		}
	}
	if len(out) == 0 {
		e := errorf(ENOTFOUND, "no street or place called %q", text)
		e.Suggestions = m.suggest(text)
		return nil, e
	}
	return m.distinct(out), nil
}

// distinct returns cs without the aliases whose street is in cs too.
func (m *Map) distinct(cs []int32) []int32 {
	out := make([]int32, 0, len(cs))
	for _, c := range cs {
		if s := m.names[c].street; s == c || !slices.Contains(cs, s) {
			out = append(out, c)
		}
	}
	return out
}

// fullName returns the name of street or alias c as a result spells it:
// its street's.
func (m *Map) fullName(c int32) string { return m.names[m.names[c].street].name }

// label names street or alias c in a message: "W 39th St (W Pershing Rd)"
// for an alias.
func (m *Map) label(c int32) string {
	if s := m.names[c].street; s != c {
		return m.names[c].name + " (" + m.names[s].name + ")"
	}
	return m.names[c].name
}

// has reports whether feature f carries the name n.
func (n *streetName) has(f int32) bool {
	_, ok := slices.BinarySearch(n.feats, f)
	return ok
}

// address resolves a house number on a street.
func (m *Map) address(number, street string) (Result, error) {
	cands, err := m.streets(street)
	if err != nil {
		return Result{}, err
	}
	num := numberKey(number)
	n, _ := strconv.Atoi(strings.TrimRight(num, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")) // at most 8 digits: cannot fail
	// On each street the name may mean, an address point first, then a
	// range holding the number; several streets that hold it are
	// ambiguous, as "3900 Kedzie" is when N and S Kedzie both have a 3900.
	// An alias finds its street's address points along the features that
	// carry it (the points are filed under the street, whatever their
	// spelling) and those features' ranges; two aliases of one street that
	// both hold the number are one street, the first found.
	var hits []Result
	for _, c := range cands {
		st := m.names[c].street
		text := num + " " + m.names[st].name
		if slices.ContainsFunc(hits, func(h Result) bool { return h.Text == text }) {
			continue
		}
		if i, ok := m.addrs[addrKey{num, st}]; ok && (c == st || m.alongAlias(c, i)) {
			a := m.d.Addresses[i]
			hits = append(hits, Result{Lat: a.Lat, Lon: a.Lon, Text: text, Kind: KindAddress})
		} else if p, ok := m.interpolate(n, c); ok {
			hits = append(hits, Result{Lat: p.Lat, Lon: p.Lon, Text: text, Kind: KindInterpolated})
		}
	}
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		return Result{}, m.rangeError(n, cands)
	}
	e := errorf(EAMBIGUOUS, "%s %q could be %d streets", number, street, len(hits))
	e.Candidates = make([]string, len(hits))
	for i, h := range hits {
		e.Candidates[i] = h.Text
	}
	return Result{}, e
}

// alongAlias reports whether address point i, of the street of alias c,
// lies along the alias: whether the street's feature nearest the point
// carries it. An alias of every feature of its street holds all the
// street's points; one of a stretch (a state route along part of Main St)
// only those of the stretch.
func (m *Map) alongAlias(c, i int32) bool {
	n := &m.names[c]
	st := &m.names[n.street]
	if len(n.feats) == len(st.feats) {
		return true
	}
	p := m.addrXY[i]
	best, bestD := int32(-1), math.Inf(1)
	for _, fi := range st.feats {
		f := &m.feats[fi]
		// The box's distance bounds the feature's from below.
		if dx, dy := max(f.bb.minX-p.x, 0, p.x-f.bb.maxX), max(f.bb.minY-p.y, 0, p.y-f.bb.maxY); math.Hypot(dx, dy) >= bestD {
			continue
		}
		for _, l := range f.lines {
			for j := 1; j < len(l); j++ {
				if d := distToSegment(p, l[j-1], l[j]); d < bestD {
					best, bestD = fi, d
				}
			}
		}
	}
	return n.has(best)
}

// holds reports whether number n is in r: between its ends and, when both
// ends are odd or both even, of their parity (one side of a street).
func holds(r Range, n int) bool {
	if r.IsZero() {
		return false
	}
	lo, hi := min(r.From, r.To), max(r.From, r.To)
	if n < lo || n > hi {
		return false
	}
	return r.From%2 != r.To%2 || n%2 == r.From%2
}

// interpolate places number n along the first feature of street c whose
// range holds it: at the fraction of n within the range, measured along
// the feature's length, sideOffset metres to its side.
func (m *Map) interpolate(n int, c int32) (Point, bool) {
	for _, fr := range m.names[c].ranges {
		fi := fr.feat
		for side, r := range []Range{fr.left, fr.right} {
			if !holds(r, n) {
				continue
			}
			f := 0.5
			if r.From != r.To {
				f = float64(n-r.From) / float64(r.To-r.From)
			}
			p, dir := m.feats[fi].at(f)
			// Left of the direction of travel is the direction turned a
			// quarter anticlockwise.
			ox, oy := -dir.y, dir.x
			if side == 1 {
				ox, oy = -ox, -oy
			}
			lat, lon := m.proj.LatLon(p.x+ox*sideOffset, p.y+oy*sideOffset)
			return Point{Lat: lat, Lon: lon}, true
		}
	}
	return Point{}, false
}

// at returns the point at fraction f of the feature's length and the unit
// direction of the line there.
func (g *featGeom) at(f float64) (p, dir xy) {
	target := max(0, min(1, f)) * g.total
	for li, l := range g.lines {
		al := g.along[li]
		for j := 1; j < len(l); j++ {
			if al[j] < target && !(li == len(g.lines)-1 && j == len(l)-1) {
				continue
			}
			a, b := l[j-1], l[j]
			seg := al[j] - al[j-1]
			t := 0.0
			if seg > 0 {
				t = max(0, min(1, (target-al[j-1])/seg))
			}
			d := xy{b.x - a.x, b.y - a.y}
			if h := math.Hypot(d.x, d.y); h > 0 {
				d = xy{d.x / h, d.y / h}
			}
			return xy{a.x + t*(b.x-a.x), a.y + t*(b.y-a.y)}, d
		}
	}
	l := g.lines[0]
	return l[0], xy{}
}

// rangeError is ERANGE for number n on the streets cands, naming their
// ranges.
func (m *Map) rangeError(n int, cands []int32) error {
	var parts []string
	for _, c := range cands {
		var rs []Range
		for _, fr := range m.names[c].ranges {
			for _, r := range []Range{fr.left, fr.right} {
				if !r.IsZero() {
					rs = append(rs, Range{min(r.From, r.To), max(r.From, r.To)})
				}
			}
		}
		name := m.label(c)
		if len(rs) == 0 {
			parts = append(parts, name+" has no address ranges")
			continue
		}
		slices.SortFunc(rs, func(a, b Range) int { return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To)) })
		rs = slices.Compact(rs)
		var ss []string
		for i, r := range rs {
			if i == 6 {
				ss = append(ss, fmt.Sprintf("and %d more", len(rs)-i))
				break
			}
			ss = append(ss, fmt.Sprintf("%d–%d", r.From, r.To))
		}
		parts = append(parts, fmt.Sprintf("%s runs %s", name, strings.Join(ss, ", ")))
	}
	return errorf(ERANGE, "%d is on no range: %s", n, strings.Join(parts, "; "))
}

// intersection resolves two street names to where their centerlines meet.
func (m *Map) intersection(a, b string) (Result, error) {
	ca, err := m.streets(a)
	if err != nil {
		return Result{}, err
	}
	cb, err := m.streets(b)
	if err != nil {
		return Result{}, err
	}
	type meeting struct {
		a, b int32
		at   xy
	}
	var found []meeting
	for _, i := range ca {
		for _, j := range cb {
			if m.names[i].street == m.names[j].street {
				continue // a street and its alias, or two aliases of it
			}
			for _, p := range m.meet(i, j) {
				found = append(found, meeting{i, j, p})
			}
		}
	}
	text := func(mt meeting) string { return m.fullName(mt.a) + " & " + m.fullName(mt.b) }
	switch {
	case len(found) == 0 && m.oneStreet(ca, cb):
		return Result{}, errorf(ENOCROSS, "%q and %q are both %s; an intersection needs two streets", a, b, m.fullName(ca[0]))
	case len(found) == 0:
		return Result{}, errorf(ENOCROSS, "%s and %s never meet on this map", m.describe(ca), m.describe(cb))
	}
	// Meetings less than apartMetres apart are one intersection, even of
	// several name pairs: "Main & Bridge" where N and S Bridge Ave both
	// end at Main St is one corner.
	var places []meeting
	for _, mt := range found {
		if !slices.ContainsFunc(places, func(o meeting) bool { return math.Hypot(o.at.x-mt.at.x, o.at.y-mt.at.y) <= apartMetres }) {
			places = append(places, mt)
		}
	}
	if len(places) > 1 {
		e := errorf(EAMBIGUOUS, "%q & %q meet at %d places", a, b, len(places))
		for _, mt := range places {
			lat, lon := m.proj.LatLon(mt.at.x, mt.at.y)
			e.Candidates = append(e.Candidates, fmt.Sprintf("%s near %s (%.6f,%.6f)", text(mt), m.Reverse(lat, lon), lat, lon))
		}
		return Result{}, e
	}
	lat, lon := m.proj.LatLon(places[0].at.x, places[0].at.y)
	return Result{Lat: lat, Lon: lon, Text: text(places[0]), Kind: KindIntersection}, nil
}

// oneStreet reports whether the names ca and cb are all of one street.
func (m *Map) oneStreet(ca, cb []int32) bool {
	st := m.names[ca[0]].street
	for _, c := range slices.Concat(ca, cb) {
		if m.names[c].street != st {
			return false
		}
	}
	return true
}

// describe names one street, or the several a text may mean.
func (m *Map) describe(cs []int32) string {
	ns := make([]string, len(cs))
	for i, c := range cs {
		ns[i] = m.label(c)
	}
	if len(ns) == 1 {
		return ns[0]
	}
	return "(" + strings.Join(ns, " or ") + ")"
}

// meet returns the places where streets (or aliases) a and b meet,
// meetings less than apartMetres apart merged into the first. It walks the segments of the
// street with fewer that come near the other's bounds and looks up, in
// the segment grid, the other's segments near each: no scan of either
// whole street's pairs.
func (m *Map) meet(a, b int32) []xy {
	if m.segCount(a) > m.segCount(b) {
		a, b = b, a
	}
	var out []xy
	near := m.names[b].bb.grow(meetTolerance)
	for _, fi := range m.names[a].feats {
		f := &m.feats[fi]
		if !f.bb.overlaps(near) {
			continue
		}
		for _, l := range f.lines {
			for j := 1; j < len(l); j++ {
				p0, p1 := l[j-1], l[j]
				sb := emptyBox()
				sb.add(p0)
				sb.add(p1)
				if !sb.overlaps(near) {
					continue
				}
				m.segGrid.query(sb.grow(meetTolerance), func(it int32) {
					s := m.segs[it]
					g := &m.feats[s.feat]
					if nb := &m.names[b]; g.name != nb.street || nb.street != b && !nb.has(s.feat) {
						return
					}
					q := g.lines[s.line]
					if p, ok := segmentsMeet(p0, p1, q[s.i], q[s.i+1]); ok {
						for _, o := range out {
							if math.Hypot(o.x-p.x, o.y-p.y) <= apartMetres {
								return
							}
						}
						out = append(out, p)
					}
				})
			}
		}
	}
	return out
}

func (m *Map) segCount(c int32) int {
	n := 0
	for _, fi := range m.names[c].feats {
		for _, l := range m.feats[fi].lines {
			n += len(l) - 1
		}
	}
	return n
}

// segmentsMeet returns where segments a0–a1 and b0–b1 cross or touch,
// within meetTolerance metres.
func segmentsMeet(a0, a1, b0, b1 xy) (xy, bool) {
	da, db := xy{a1.x - a0.x, a1.y - a0.y}, xy{b1.x - b0.x, b1.y - b0.y}
	la, lb := math.Hypot(da.x, da.y), math.Hypot(db.x, db.y)
	d := da.x*db.y - da.y*db.x
	if la > 0 && lb > 0 && math.Abs(d) > 1e-9*la*lb {
		w := xy{b0.x - a0.x, b0.y - a0.y}
		t := (w.x*db.y - w.y*db.x) / d
		u := (w.x*da.y - w.y*da.x) / d
		ea, eb := meetTolerance/la, meetTolerance/lb
		if t >= -ea && t <= 1+ea && u >= -eb && u <= 1+eb {
			return xy{a0.x + t*da.x, a0.y + t*da.y}, true
		}
		return xy{}, false
	}
	// Parallel (or a point): they meet where an end of one lies on the
	// other.
	for _, c := range [][3]xy{{a0, b0, b1}, {a1, b0, b1}, {b0, a0, a1}, {b1, a0, a1}} {
		if distToSegment(c[0], c[1], c[2]) <= meetTolerance {
			return c[0], true
		}
	}
	return xy{}, false
}

// distToSegment returns the distance from p to segment a–b.
func distToSegment(p, a, b xy) float64 {
	q, _ := nearestOnSegment(p, a, b)
	return math.Hypot(p.x-q.x, p.y-q.y)
}

// nearestOnSegment returns the point of segment a–b nearest p and its
// fraction along the segment.
func nearestOnSegment(p, a, b xy) (xy, float64) {
	dx, dy := b.x-a.x, b.y-a.y
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = max(0, min(1, ((p.x-a.x)*dx+(p.y-a.y)*dy)/l2))
	}
	return xy{a.x + t*dx, a.y + t*dy}, t
}

// suggest returns up to three street or place names nearest text by edit
// distance. It reads every name: only a failed lookup pays for it.
func (m *Map) suggest(text string) []string {
	k := parseStreet(text)
	pk := placeKey(text)
	limit := 2 + len(k.base)/4
	type cand struct {
		name string
		d    int
	}
	best := map[string]int{}
	offer := func(name string, d int) {
		if old, ok := best[name]; d <= limit && (!ok || d < old) {
			best[name] = d
		}
	}
	for base, ns := range m.byBase {
		if abs(len(base)-len(k.base)) > limit {
			continue
		}
		d0 := EditDistance(k.base, base)
		if d0 > limit {
			continue
		}
		for _, i := range ns {
			n := m.names[i].key
			d := d0
			if k.dir != "" && k.dir != n.dir {
				d++
			}
			if k.typ != "" && k.typ != n.typ {
				d++
			}
			offer(m.names[i].name, d)
		}
	}
	for key, i := range m.places {
		if abs(len(key)-len(pk)) <= limit {
			offer(m.d.Places[i].Name, EditDistance(pk, key))
		}
	}
	cs := make([]cand, 0, len(best))
	for n, d := range best {
		cs = append(cs, cand{n, d})
	}
	slices.SortFunc(cs, func(a, b cand) int { return cmp.Or(cmp.Compare(a.d, b.d), cmp.Compare(a.name, b.name)) })
	var out []string
	for _, c := range cs[:min(3, len(cs))] {
		out = append(out, c.name)
	}
	return out
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
