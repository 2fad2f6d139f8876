package geo

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// LoadDir reads the map directory dir (see MapData for its four files) and
// returns the map NewMap makes of it. streets.geojson and zones.geojson
// must be there; addresses.csv and places.geojson may be absent, for a
// centre whose GIS office publishes no address points or no place names
// (addresses are then interpolated along the streets' ranges). An error
// names the file and the line or feature at fault.
func LoadDir(dir string) (*Map, error) {
	var d MapData
	var err error
	read := func(name string, optional bool, fill func(io.Reader) error) {
		if err != nil {
			return
		}
		path := filepath.Join(dir, name)
		f, oerr := os.Open(path)
		if optional && errors.Is(oerr, fs.ErrNotExist) {
			return
		}
		if oerr != nil {
			err = fmt.Errorf("load map: %w", oerr)
			return
		}
		defer f.Close()
		if ferr := fill(bufio.NewReaderSize(f, 1<<16)); ferr != nil {
			err = fmt.Errorf("load map: %s: %w", path, ferr)
		}
	}
	read(StreetsFile, false, func(r io.Reader) (e error) { d.Streets, e = ReadStreets(r); return })
	read(ZonesFile, false, func(r io.Reader) (e error) { d.Zones, e = ReadZones(r); return })
	read(AddressesFile, true, func(r io.Reader) (e error) { d.Addresses, e = ReadAddresses(r); return })
	read(PlacesFile, true, func(r io.Reader) (e error) { d.Places, e = ReadPlaces(r); return })
	if err != nil {
		return nil, err
	}
	m, err := NewMap(d)
	if err != nil {
		return nil, fmt.Errorf("load map %s: %w", dir, err)
	}
	return m, nil
}

// ReadAddresses reads addresses.csv: a header of AddressColumns (in any
// case), then one address point a row. An error names the line.
func ReadAddresses(r io.Reader) ([]Address, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(AddressColumns)
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		if err == io.EOF {
			return nil, fmt.Errorf("line 1: no header; want %s", strings.Join(AddressColumns, ","))
		}
		return nil, fmt.Errorf("header: %w", err)
	}
	for i, c := range head {
		if !strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(c, "\ufeff")), AddressColumns[i]) {
			return nil, fmt.Errorf("line 1: column %d is %q; the header must be %s", i+1, c, strings.Join(AddressColumns, ","))
		}
	}
	var out []Address
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err // a csv.ParseError names its line
		}
		line, _ := cr.FieldPos(0)
		a := Address{
			Number: strings.TrimSpace(rec[2]), Street: strings.TrimSpace(rec[3]), Unit: rec[4], City: rec[5],
			District: rec[6], Region: rec[7], Postcode: rec[8], ID: rec[9], Hash: rec[10],
		}
		if a.Lon, err = strconv.ParseFloat(strings.TrimSpace(rec[0]), 64); err != nil {
			return nil, fmt.Errorf("line %d: LON %q is not a number", line, rec[0])
		}
		if a.Lat, err = strconv.ParseFloat(strings.TrimSpace(rec[1]), 64); err != nil {
			return nil, fmt.Errorf("line %d: LAT %q is not a number", line, rec[1])
		}
		if err := checkAddress(a); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		out = append(out, a)
	}
}

// ReadStreets reads streets.geojson: LineString or MultiLineString
// features with TIGER/Line-style properties (see Street). Ranges may be
// JSON strings, as TIGER writes them ("3901"), or numbers; an empty string
// or null is no number. SPEED_MPH may be a number or a numeric string.
// ALIASES may be a list of strings or one string of names separated by
// ";" ("W 39th St; 39th Street"); an empty string or null is no alias. An
// error names the feature by its index from 0 and its FULLNAME.
func ReadStreets(r io.Reader) ([]Street, error) {
	var out []Street
	err := readFeatures(r, func(f *rawFeature) error {
		s := Street{}
		var err error
		if s.Name, err = f.str("FULLNAME"); err != nil {
			return err
		}
		if s.Class, err = f.str("ROADCLASS"); err != nil {
			return err
		}
		if s.Aliases, err = f.names("ALIASES"); err != nil {
			return err
		}
		if s.SpeedMPH, err = f.float("SPEED_MPH"); err != nil {
			return err
		}
		if s.Left, err = f.rangeOf("LFROMADD", "LTOADD"); err != nil {
			return err
		}
		if s.Right, err = f.rangeOf("RFROMADD", "RTOADD"); err != nil {
			return err
		}
		switch f.Geometry.Type {
		case "LineString":
			var l [][]float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &l); err != nil {
				return fmt.Errorf("coordinates: %w", err)
			}
			pl, err := points(l)
			if err != nil {
				return err
			}
			s.Lines = [][]Point{pl}
		case "MultiLineString":
			var ls [][][]float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &ls); err != nil {
				return fmt.Errorf("coordinates: %w", err)
			}
			for _, l := range ls {
				pl, err := points(l)
				if err != nil {
					return err
				}
				s.Lines = append(s.Lines, pl)
			}
		default:
			return fmt.Errorf("geometry is %q; a street is a LineString or MultiLineString", f.Geometry.Type)
		}
		if err := checkStreet(s); err != nil {
			return err
		}
		out = append(out, s)
		return nil
	})
	return out, err
}

// ReadPlaces reads places.geojson: Point or Polygon features with
// properties name and, optionally, aliases (a list of strings). A Polygon
// place's label point is the area centroid of its outer ring. A name or
// alias given twice, by any place, is an error.
func ReadPlaces(r io.Reader) ([]Place, error) {
	var out []Place
	seen := map[string]string{}
	err := readFeatures(r, func(f *rawFeature) error {
		var p Place
		var err error
		if p.Name, err = f.str("name"); err != nil {
			return err
		}
		if raw, ok := f.Properties["aliases"]; ok && string(raw) != "null" {
			if err := json.Unmarshal(raw, &p.Aliases); err != nil {
				return errors.New("aliases is not a list of strings")
			}
		}
		switch f.Geometry.Type {
		case "Point":
			var c []float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &c); err != nil {
				return fmt.Errorf("coordinates: %w", err)
			}
			if p.At, err = position(c); err != nil {
				return err
			}
		case "Polygon":
			var rs [][][]float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &rs); err != nil {
				return fmt.Errorf("coordinates: %w", err)
			}
			if p.Area, err = polygon(rs); err != nil {
				return err
			}
			p.At = centroid(p.Area[0])
		default:
			return fmt.Errorf("geometry is %q; a place is a Point or Polygon", f.Geometry.Type)
		}
		if err := checkPlace(p, seen); err != nil {
			return err
		}
		out = append(out, p)
		return nil
	})
	return out, err
}

// ReadZones reads zones.geojson: Polygon or MultiPolygon features with
// properties district and beat, and optionally zone. A zone without a
// district is an error.
func ReadZones(r io.Reader) ([]Zone, error) {
	var out []Zone
	err := readFeatures(r, func(f *rawFeature) error {
		var z Zone
		var err error
		if z.District, err = f.str("district"); err != nil {
			return err
		}
		if z.Beat, err = f.str("beat"); err != nil {
			return err
		}
		if z.Zone, err = f.str("zone"); err != nil {
			return err
		}
		switch f.Geometry.Type {
		case "Polygon":
			var rs [][][]float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &rs); err != nil {
				return fmt.Errorf("coordinates: %w", err)
			}
			p, err := polygon(rs)
			if err != nil {
				return err
			}
			z.Area = [][][]Point{p}
		case "MultiPolygon":
			var ps [][][][]float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &ps); err != nil {
				return fmt.Errorf("coordinates: %w", err)
			}
			for _, rs := range ps {
				p, err := polygon(rs)
				if err != nil {
					return err
				}
				z.Area = append(z.Area, p)
			}
		default:
			return fmt.Errorf("geometry is %q; a zone is a Polygon or MultiPolygon", f.Geometry.Type)
		}
		if err := checkZone(z); err != nil {
			return err
		}
		out = append(out, z)
		return nil
	})
	return out, err
}

// rawFeature is one GeoJSON feature (RFC 7946, 3.2) before its properties
// and coordinates are read.
type rawFeature struct {
	Type       string                     `json:"type"`
	Properties map[string]json.RawMessage `json:"properties"`
	Geometry   *struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	} `json:"geometry"`
}

// readFeatures decodes a FeatureCollection one feature at a time, so that
// a county's 100 MB of streets never sits in memory as raw JSON, and calls
// each with every feature. Members other than "features" are skipped. An
// error names the feature by its index and, when it has one, its name.
func readFeatures(r io.Reader, each func(*rawFeature) error) error {
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return fmt.Errorf("not a GeoJSON FeatureCollection: %w", err)
	}
	found := false
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return fmt.Errorf("not a GeoJSON FeatureCollection: %w", err)
		}
		key, _ := t.(string)
		if key != "features" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return fmt.Errorf("member %q: %w", key, err)
			}
			if key == "type" && string(skip) != `"FeatureCollection"` {
				return fmt.Errorf("type is %s; want \"FeatureCollection\"", skip)
			}
			continue
		}
		found = true
		if err := expectDelim(dec, '['); err != nil {
			return fmt.Errorf("features is not a list: %w", err)
		}
		for i := 0; dec.More(); i++ {
			var f rawFeature
			if err := dec.Decode(&f); err != nil {
				return fmt.Errorf("feature %d: %w", i, err)
			}
			if err := f.check(); err == nil {
				err = each(&f)
				if err != nil {
					return fmt.Errorf("feature %d%s: %w", i, f.label(), err)
				}
			} else {
				return fmt.Errorf("feature %d%s: %w", i, f.label(), err)
			}
		}
		if err := expectDelim(dec, ']'); err != nil {
			return fmt.Errorf("features: %w", err)
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return fmt.Errorf("not a GeoJSON FeatureCollection: %w", err)
	}
	if !found {
		return errors.New("no features member: not a GeoJSON FeatureCollection")
	}
	return nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != want {
		return fmt.Errorf("found %v where %q belongs", t, want)
	}
	return nil
}

func (f *rawFeature) check() error {
	switch {
	case f.Type != "Feature":
		return fmt.Errorf("type is %q; want \"Feature\"", f.Type)
	case f.Geometry == nil:
		return errors.New("no geometry")
	}
	return nil
}

// label names the feature by its FULLNAME or name, for an error.
func (f *rawFeature) label() string {
	for _, k := range []string{"FULLNAME", "name"} {
		var s string
		if json.Unmarshal(f.Properties[k], &s) == nil && s != "" {
			return fmt.Sprintf(" (%s %q)", k, s)
		}
	}
	return ""
}

// str returns the string property k; absent or null is "".
func (f *rawFeature) str(k string) (string, error) {
	raw, ok := f.Properties[k]
	if !ok || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("%s %s is not a string", k, raw)
	}
	return strings.TrimSpace(s), nil
}

// names returns the property k, a list of names: a JSON list of strings
// or one string of names separated by ";", as flattened exports of TIGER's
// feature names write them. Absent, null, [] or a blank string is none.
// Each name is trimmed; an empty one is kept, for the checks to refuse.
func (f *rawFeature) names(k string) ([]string, error) {
	raw, ok := f.Properties[k]
	if !ok || string(raw) == "null" {
		return nil, nil
	}
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		if strings.TrimSpace(one) == "" {
			return nil, nil
		}
		out := strings.Split(one, ";")
		for i := range out {
			out[i] = strings.TrimSpace(out[i])
		}
		return out, nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("%s %s is neither a list of strings nor a string", k, raw)
	}
	if len(list) == 0 {
		return nil, nil
	}
	for i := range list {
		list[i] = strings.TrimSpace(list[i])
	}
	return list, nil
}

// number returns the property k, given as a JSON number or a string
// holding one, and whether it is there at all (absent, null or "" is not).
func (f *rawFeature) number(k string) (string, bool, error) {
	raw, ok := f.Properties[k]
	if !ok || string(raw) == "null" {
		return "", false, nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", false, fmt.Errorf("%s: %w", k, err)
	}
	switch v := v.(type) {
	case string:
		s := strings.TrimSpace(v)
		return s, s != "", nil
	case float64:
		return string(raw), true, nil
	}
	return "", false, fmt.Errorf("%s %s is not a number", k, raw)
}

func (f *rawFeature) float(k string) (float64, error) {
	s, ok, err := f.number(k)
	if err != nil || !ok {
		return 0, err
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0, fmt.Errorf("%s %q is not a number of zero or more", k, s)
	}
	return v, nil
}

// rangeOf reads an address range from its two ends; both or neither must
// be given.
func (f *rawFeature) rangeOf(from, to string) (Range, error) {
	a, aok, err := f.number(from)
	if err != nil {
		return Range{}, err
	}
	b, bok, err := f.number(to)
	if err != nil {
		return Range{}, err
	}
	switch {
	case !aok && !bok:
		return Range{}, nil
	case !aok:
		return Range{}, fmt.Errorf("%s is %s but %s is empty: a range needs both ends", to, b, from)
	case !bok:
		return Range{}, fmt.Errorf("%s is %s but %s is empty: a range needs both ends", from, a, to)
	}
	var r Range
	if r.From, err = houseNumber(from, a); err != nil {
		return Range{}, err
	}
	if r.To, err = houseNumber(to, b); err != nil {
		return Range{}, err
	}
	return r, nil
}

func houseNumber(k, s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 99_999_999 {
		return 0, fmt.Errorf("%s %q is not a house number", k, s)
	}
	return n, nil
}

// position reads a GeoJSON position, longitude first (RFC 7946, 3.1.1);
// an altitude, if any, is dropped.
func position(c []float64) (Point, error) {
	if len(c) < 2 {
		return Point{}, fmt.Errorf("position %v has fewer than 2 numbers", c)
	}
	p := Point{Lon: c[0], Lat: c[1]}
	return p, checkPoint(p)
}

func points(l [][]float64) ([]Point, error) {
	out := make([]Point, len(l))
	for i, c := range l {
		p, err := position(c)
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

// polygon reads a GeoJSON polygon's rings (RFC 7946, 3.1.6).
func polygon(rs [][][]float64) ([][]Point, error) {
	if len(rs) == 0 {
		return nil, errors.New("a polygon without rings")
	}
	out := make([][]Point, len(rs))
	for i, r := range rs {
		ps, err := points(r)
		if err != nil {
			return nil, err
		}
		out[i] = ps
	}
	return out, nil
}

// centroid returns the area centroid of a ring, the label point of a
// polygon place; a ring of no area gives the mean of its points.
func centroid(ring []Point) Point {
	if len(ring) == 0 {
		return Point{}
	}
	o := ring[0]
	var a, cx, cy float64
	for i := range ring {
		p, q := ring[i], ring[(i+1)%len(ring)]
		// Relative to the first point, to keep the products small.
		x0, y0, x1, y1 := p.Lon-o.Lon, p.Lat-o.Lat, q.Lon-o.Lon, q.Lat-o.Lat
		c := x0*y1 - x1*y0
		a += c
		cx += (x0 + x1) * c
		cy += (y0 + y1) * c
	}
	if math.Abs(a) < 1e-18 {
		var m Point
		for _, p := range ring {
			m.Lat += p.Lat / float64(len(ring))
			m.Lon += p.Lon / float64(len(ring))
		}
		return m
	}
	return Point{Lat: o.Lat + cy/(3*a), Lon: o.Lon + cx/(3*a)}
}

// The checks below are shared by the readers, which name a line or
// feature, and NewMap, which names the item of MapData.

func checkPoint(p Point) error {
	switch {
	case math.IsNaN(p.Lat) || p.Lat < -90 || p.Lat > 90:
		return fmt.Errorf("latitude %v is outside -90 to 90", p.Lat)
	case math.IsNaN(p.Lon) || p.Lon < -180 || p.Lon > 180:
		return fmt.Errorf("longitude %v is outside -180 to 180", p.Lon)
	}
	return nil
}

func checkAddress(a Address) error {
	if err := checkPoint(Point{Lat: a.Lat, Lon: a.Lon}); err != nil {
		return err
	}
	switch {
	case a.Number == "":
		return errors.New("NUMBER is empty")
	case placeKey(a.Street) == "":
		return errors.New("STREET is empty")
	}
	return nil
}

func checkStreet(s Street) error {
	if placeKey(s.Name) == "" {
		return errors.New("FULLNAME is empty")
	}
	if len(s.Lines) == 0 {
		return errors.New("no lines")
	}
	for i, l := range s.Lines {
		if len(l) < 2 {
			return fmt.Errorf("line %d has %d point(s); a line needs at least 2", i, len(l))
		}
		for _, p := range l {
			if err := checkPoint(p); err != nil {
				return err
			}
		}
	}
	if _, ok := ClassSpeedMPH(s.Class); !ok {
		return fmt.Errorf("ROADCLASS %q is not a known road class", s.Class)
	}
	for _, r := range []Range{s.Left, s.Right} {
		if r.From < 0 || r.To < 0 {
			return fmt.Errorf("range %d–%d has a negative number", r.From, r.To)
		}
	}
	if s.SpeedMPH < 0 || math.IsNaN(s.SpeedMPH) || math.IsInf(s.SpeedMPH, 0) {
		return fmt.Errorf("SPEED_MPH %v is not a number of zero or more", s.SpeedMPH)
	}
	return checkAliases(s)
}

// checkAliases checks a street's aliases: each a name, none the FULLNAME
// and none given twice, as the geocoder compares names (case, punctuation
// and the spelling of directions and suffixes do not count), since a
// second spelling of one name adds nothing the geocoder would not find.
func checkAliases(s Street) error {
	if len(s.Aliases) == 0 {
		return nil
	}
	full := parseStreet(s.Name).String()
	seen := make(map[string]string, len(s.Aliases))
	for i, a := range s.Aliases {
		if placeKey(a) == "" {
			return fmt.Errorf("ALIASES: alias %d is empty", i+1)
		}
		k := parseStreet(a).String()
		if k == full {
			return fmt.Errorf("ALIASES: %q is the FULLNAME %q", a, s.Name)
		}
		if other, dup := seen[k]; dup {
			return fmt.Errorf("ALIASES: %q is given twice (also as %q)", a, other)
		}
		seen[k] = a
	}
	return nil
}

func checkRings(rs [][]Point) error {
	if len(rs) == 0 {
		return errors.New("a polygon without rings")
	}
	for i, r := range rs {
		if len(r) < 4 {
			return fmt.Errorf("ring %d has %d point(s); a ring needs at least 4", i, len(r))
		}
		for _, p := range r {
			if err := checkPoint(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkPlace checks p and that none of its names is in seen, which maps
// each name's key to the place that has it; it adds p's names to seen.
func checkPlace(p Place, seen map[string]string) error {
	if placeKey(p.Name) == "" {
		return errors.New("name is empty")
	}
	if p.Area != nil {
		if err := checkRings(p.Area); err != nil {
			return err
		}
	}
	if err := checkPoint(p.At); err != nil {
		return err
	}
	for _, n := range append([]string{p.Name}, p.Aliases...) {
		k := placeKey(n)
		if k == "" {
			return errors.New("an alias is empty")
		}
		if other, ok := seen[k]; ok {
			return fmt.Errorf("the name %q is given twice (also by %q)", n, other)
		}
		seen[k] = p.Name
	}
	return nil
}

func checkZone(z Zone) error {
	if z.District == "" {
		return errors.New("a zone without district")
	}
	if len(z.Area) == 0 {
		return errors.New("a zone without polygons")
	}
	for _, p := range z.Area {
		if err := checkRings(p); err != nil {
			return err
		}
	}
	return nil
}
