package geo

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// A Map is a centre's own map, read from the files its GIS office
// publishes (LoadDir) or built from MapData (NewMap): its streets, address
// points, places and zones, indexed for the geocoder (Geocode), reverse
// geocoding (Reverse) and the zone lookup (ZoneAt). A Map does not change
// once made and is safe for concurrent use.
type Map struct {
	d        MapData
	proj     Projection
	min, max Point

	// names are the distinct street names and aliases; byKey and byBase
	// find them by their whole normalised key and by their base name
	// ("KEDZIE"). A key may have several: a street's FULLNAME and another
	// street's alias, or the aliases of two streets.
	names  []streetName
	byKey  map[string][]int32
	byBase map[string][]int32
	// feats are the streets' centerlines on the projection, by index of
	// d.Streets.
	feats []featGeom
	// addrs finds an address point by number and street name.
	addrs    map[addrKey]int32
	addrXY   []xy
	addrCell []xy    // addrXY in the order of addrGrid's items: a cell's points side by side
	addrName []int32 // the street name of each address point
	// places finds a place by the key of its name or of an alias.
	places map[string]int32

	addrGrid, segGrid, zoneGrid grid
	segs                        []segRef
	zoneBox                     []box
}

// A streetName is one street as the geocoder knows it: "S Kedzie Ave" and
// every centerline feature and address point of that name. It is also
// one alias of a street: "W 39th St" and the features of W Pershing Rd
// that carry it; the alias finds those features' ranges and lines and the
// street's address points, and a result spells the street, never the
// alias, so that a call is stored under the street's own name.
type streetName struct {
	name string // the spelling of the map: the first FULLNAME, else the first STREET; an alias's first spelling
	key  streetKey
	// street is the index of the street this name is: itself for a
	// street, the street it is another name of for an alias.
	street int32
	feats  []int32 // indices of d.Streets, ascending
	bb     box     // bounds of the features, on the projection
	// ranges are the features' ranges side by side, so that finding the
	// one that holds a number reads one small array.
	ranges []featRanges
}

type featRanges struct {
	feat        int32
	left, right Range
}

type addrKey struct {
	number string
	street int32
}

// featGeom is a street feature's lines in metres, with the distance along
// the feature to each vertex.
type featGeom struct {
	name  int32
	lines [][]xy
	along [][]float64 // along[i][j]: metres from the feature's first point to lines[i][j]
	total float64
	bb    box
}

type xy struct{ x, y float64 }

type box struct{ minX, minY, maxX, maxY float64 }

func emptyBox() box { return box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)} }

func (b *box) add(p xy) {
	b.minX, b.minY = min(b.minX, p.x), min(b.minY, p.y)
	b.maxX, b.maxY = max(b.maxX, p.x), max(b.maxY, p.y)
}

func (b box) grow(d float64) box { return box{b.minX - d, b.minY - d, b.maxX + d, b.maxY + d} }

func (b box) overlaps(o box) bool {
	return b.minX <= o.maxX && o.minX <= b.maxX && b.minY <= o.maxY && o.minY <= b.maxY
}

// segRef is one segment of a street feature: lines[line][i] to [i+1].
type segRef struct {
	feat int32
	line int32
	i    int32
}

// NewMap checks d and indexes it. It copies the outer slices of d; the
// points, lines and aliases inside are shared and must not be changed
// afterwards.
// An error names the street, address, place or zone at fault by its index
// in d. A map needs at least one street.
func NewMap(d MapData) (*Map, error) {
	d = MapData{
		Addresses: slices.Clone(d.Addresses), Streets: slices.Clone(d.Streets),
		Places: slices.Clone(d.Places), Zones: slices.Clone(d.Zones),
	}
	if len(d.Streets) == 0 {
		return nil, errors.New("new map: no streets")
	}
	bb := box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)} // lon, lat
	addPt := func(p Point) { bb.add(xy{p.Lon, p.Lat}) }
	for i, s := range d.Streets {
		if err := checkStreet(s); err != nil {
			return nil, fmt.Errorf("new map: street %d (%q): %w", i, s.Name, err)
		}
		for _, l := range s.Lines {
			for _, p := range l {
				addPt(p)
			}
		}
	}
	for i, a := range d.Addresses {
		if err := checkAddress(a); err != nil {
			return nil, fmt.Errorf("new map: address %d (%s %s): %w", i, a.Number, a.Street, err)
		}
		addPt(Point{Lat: a.Lat, Lon: a.Lon})
	}
	seen := map[string]string{}
	for i := range d.Places {
		p := &d.Places[i]
		if p.Area != nil && p.At == (Point{}) {
			if len(p.Area) > 0 {
				p.At = centroid(p.Area[0])
			}
		}
		if err := checkPlace(*p, seen); err != nil {
			return nil, fmt.Errorf("new map: place %d (%q): %w", i, p.Name, err)
		}
		addPt(p.At)
	}
	for i, z := range d.Zones {
		if err := checkZone(z); err != nil {
			return nil, fmt.Errorf("new map: zone %d (district %q beat %q): %w", i, z.District, z.Beat, err)
		}
		for _, poly := range z.Area {
			for _, p := range poly[0] {
				addPt(p)
			}
		}
	}
	m := &Map{
		d:      d,
		min:    Point{Lat: bb.minY, Lon: bb.minX},
		max:    Point{Lat: bb.maxY, Lon: bb.maxX},
		byKey:  map[string][]int32{},
		byBase: map[string][]int32{},
		addrs:  make(map[addrKey]int32, len(d.Addresses)),
		places: map[string]int32{},
	}
	m.proj = NewProjection(Point{Lat: (bb.minY + bb.maxY) / 2, Lon: (bb.minX + bb.maxX) / 2})
	m.indexStreets()
	m.indexAddresses()
	for i, p := range d.Places {
		for _, n := range append([]string{p.Name}, p.Aliases...) {
			m.places[placeKey(n)] = int32(i)
		}
	}
	m.indexZones()
	return m, nil
}

// name returns the index of the street named s, adding it if it is new.
func (m *Map) name(s string) int32 {
	k := parseStreet(s)
	for _, i := range m.byKey[k.String()] {
		if m.names[i].street == i {
			return i
		}
	}
	return m.addName(s, k, -1)
}

// addressName returns the index of the street of an address point whose
// STREET is s: the street of that name, else the one street that has s
// as an alias (the point is that street's, spelt by its other name), else
// a new street.
func (m *Map) addressName(s string) int32 {
	k := parseStreet(s)
	is := m.byKey[k.String()]
	for _, i := range is {
		if m.names[i].street == i {
			return i
		}
	}
	if len(is) == 1 { // one alias entry: aliases of one key are of distinct streets
		return m.names[is[0]].street
	}
	return m.addName(s, k, -1)
}

// aliasName returns the index of alias s of street st, adding it if it is
// new.
func (m *Map) aliasName(s string, st int32) int32 {
	k := parseStreet(s)
	for _, i := range m.byKey[k.String()] {
		if m.names[i].street == st && i != st {
			return i
		}
	}
	return m.addName(s, k, st)
}

// addName adds the name s of key k: a street if st is -1, else an alias
// of street st.
func (m *Map) addName(s string, k streetKey, st int32) int32 {
	i := int32(len(m.names))
	if st < 0 {
		st = i
	}
	m.names = append(m.names, streetName{name: s, key: k, street: st, bb: emptyBox()})
	ks := k.String()
	m.byKey[ks] = append(m.byKey[ks], i)
	m.byBase[k.base] = append(m.byBase[k.base], i)
	return i
}

// addFeat adds feature i, of bounds bb, to the street or alias n.
func (m *Map) addFeat(n int32, i int, bb box) {
	s := m.d.Streets[i]
	sn := &m.names[n]
	sn.feats = append(sn.feats, int32(i))
	if !s.Left.IsZero() || !s.Right.IsZero() {
		sn.ranges = append(sn.ranges, featRanges{int32(i), s.Left, s.Right})
	}
	sn.bb.add(xy{bb.minX, bb.minY})
	sn.bb.add(xy{bb.maxX, bb.maxY})
}

func (m *Map) indexStreets() {
	m.feats = make([]featGeom, len(m.d.Streets))
	var boxes []box
	for i, s := range m.d.Streets {
		n := m.name(s.Name)
		f := featGeom{name: n, bb: emptyBox()}
		for li, l := range s.Lines {
			ps := make([]xy, len(l))
			al := make([]float64, len(l))
			for j, p := range l {
				x, y := m.proj.XY(p.Lat, p.Lon)
				ps[j] = xy{x, y}
				f.bb.add(ps[j])
				if j > 0 {
					f.total += math.Hypot(x-ps[j-1].x, y-ps[j-1].y)
				}
				al[j] = f.total
				if j > 0 {
					m.segs = append(m.segs, segRef{int32(i), int32(li), int32(j - 1)})
					b := emptyBox()
					b.add(ps[j-1])
					b.add(ps[j])
					boxes = append(boxes, b)
				}
			}
			f.lines = append(f.lines, ps)
			f.along = append(f.along, al)
		}
		m.feats[i] = f
		m.addFeat(n, i, f.bb)
		for _, a := range s.Aliases {
			m.addFeat(m.aliasName(a, n), i, f.bb)
		}
	}
	m.segGrid = buildGrid(boxes, 100)
}

func (m *Map) indexAddresses() {
	m.addrXY = make([]xy, len(m.d.Addresses))
	m.addrName = make([]int32, len(m.d.Addresses))
	boxes := make([]box, len(m.d.Addresses))
	for i, a := range m.d.Addresses {
		n := m.addressName(a.Street)
		m.addrName[i] = n
		k := addrKey{number: numberKey(a.Number), street: n}
		if _, dup := m.addrs[k]; !dup { // the first of several units at one number
			m.addrs[k] = int32(i)
		}
		x, y := m.proj.XY(a.Lat, a.Lon)
		m.addrXY[i] = xy{x, y}
		boxes[i] = box{x, y, x, y}
	}
	m.addrGrid = buildGrid(boxes, 100)
	m.addrCell = make([]xy, len(m.addrGrid.items))
	for k, i := range m.addrGrid.items {
		m.addrCell[k] = m.addrXY[i]
	}
}

func (m *Map) indexZones() {
	m.zoneBox = make([]box, len(m.d.Zones))
	for i, z := range m.d.Zones {
		b := emptyBox()
		for _, poly := range z.Area {
			for _, p := range poly[0] {
				x, y := m.proj.XY(p.Lat, p.Lon)
				b.add(xy{x, y})
			}
		}
		m.zoneBox[i] = b
	}
	m.zoneGrid = buildGrid(m.zoneBox, 250)
}

// Projection returns the map's own flat projection, around the middle of
// its bounds.
func (m *Map) Projection() Projection { return m.proj }

// Bounds returns the south-west and north-east corners of the map: every
// street, address point, place and zone lies between them.
func (m *Map) Bounds() (lo, hi Point) { return m.min, m.max }

// Streets returns the map's street features, in the order of the file.
// The slice is the caller's; the lines and aliases inside it are the
// map's and must not be changed.
func (m *Map) Streets() []Street { return slices.Clone(m.d.Streets) }

// Places returns the map's places, in the order of the file, each with
// its label point At. The areas and aliases inside are the map's and must
// not be changed.
func (m *Map) Places() []Place { return slices.Clone(m.d.Places) }

// Zones returns the map's zones, in the order of the file. The polygons
// inside are the map's and must not be changed.
func (m *Map) Zones() []Zone { return slices.Clone(m.d.Zones) }

// Addresses returns the number of address points of the map.
func (m *Map) Addresses() int { return len(m.d.Addresses) }

// Address returns the map's address point i, 0 <= i < Addresses(), in the
// order of the file: for a reader that walks the points (the simulator
// draws its calls from them) without a copy of them all.
func (m *Map) Address(i int) Address { return m.d.Addresses[i] }

// grid is a static uniform grid of square cells over boxes of the
// projection: each cell lists, in a flat array, the items whose box
// overlaps it. It is built once and only read.
type grid struct {
	x0, y0, size float64
	nx, ny       int
	start        []int32 // items of cell c are items[start[c]:start[c+1]]
	items        []int32
}

// maxCells bounds a grid's cells, so that a map the size of a state does
// not make cells by the billion: the cells grow instead.
const maxCells = 1 << 22

func buildGrid(boxes []box, size float64) grid {
	all := emptyBox()
	for _, b := range boxes {
		all.add(xy{b.minX, b.minY})
		all.add(xy{b.maxX, b.maxY})
	}
	if len(boxes) == 0 {
		return grid{size: size}
	}
	w, h := all.maxX-all.minX, all.maxY-all.minY
	if w*h/(size*size) > maxCells {
		size = math.Sqrt(w * h / maxCells)
	}
	g := grid{x0: all.minX, y0: all.minY, size: size, nx: int(w/size) + 1, ny: int(h/size) + 1}
	count := make([]int32, g.nx*g.ny+1)
	for _, b := range boxes {
		g.cells(b, func(c int) { count[c+1]++ })
	}
	for c := 1; c < len(count); c++ {
		count[c] += count[c-1]
	}
	g.start = slices.Clone(count)
	g.items = make([]int32, count[len(count)-1])
	for i, b := range boxes {
		g.cells(b, func(c int) {
			g.items[count[c]] = int32(i)
			count[c]++
		})
	}
	return g
}

// cells calls fn with each cell that b overlaps.
func (g *grid) cells(b box, fn func(c int)) {
	if g.nx == 0 {
		return
	}
	cx0, cy0 := g.clamp((b.minX-g.x0)/g.size, g.nx), g.clamp((b.minY-g.y0)/g.size, g.ny)
	cx1, cy1 := g.clamp((b.maxX-g.x0)/g.size, g.nx), g.clamp((b.maxY-g.y0)/g.size, g.ny)
	if b.maxX < g.x0 || b.maxY < g.y0 || b.minX > g.x0+float64(g.nx)*g.size || b.minY > g.y0+float64(g.ny)*g.size {
		return
	}
	for cy := cy0; cy <= cy1; cy++ {
		for cx := cx0; cx <= cx1; cx++ {
			fn(cy*g.nx + cx)
		}
	}
}

func (g *grid) clamp(v float64, n int) int {
	if !(v >= 0) { // also NaN
		return 0
	}
	if v >= float64(n-1) {
		return n - 1
	}
	return int(v)
}

// query calls fn with every item of every cell that b overlaps; an item in
// several cells comes several times.
func (g *grid) query(b box, fn func(item int32)) {
	g.cells(b, func(c int) {
		for _, it := range g.items[g.start[c]:g.start[c+1]] {
			fn(it)
		}
	})
}
