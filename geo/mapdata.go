package geo

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
)

// MapData is a centre's map as GIS offices publish it, in four files of a
// directory (LoadDir reads them, WriteDir writes them):
//
//   - addresses.csv: address points in the OpenAddresses column layout,
//     LON,LAT,NUMBER,STREET,UNIT,CITY,DISTRICT,REGION,POSTCODE,ID,HASH;
//   - streets.geojson: street centerlines, LineString or MultiLineString
//     features with TIGER/Line-style properties FULLNAME, LFROMADD, LTOADD,
//     RFROMADD, RTOADD and, optionally, ROADCLASS, SPEED_MPH and ALIASES;
//   - places.geojson: common place names (properties name and aliases) as
//     Point or Polygon features;
//   - zones.geojson: Polygon or MultiPolygon features with properties
//     district and beat, and optionally zone (for run cards).
type MapData struct {
	Addresses []Address
	Streets   []Street
	Places    []Place
	Zones     []Zone
}

// The file names of a map directory.
const (
	AddressesFile = "addresses.csv"
	StreetsFile   = "streets.geojson"
	PlacesFile    = "places.geojson"
	ZonesFile     = "zones.geojson"
)

// AddressColumns is the header of addresses.csv: OpenAddresses' layout.
var AddressColumns = []string{"LON", "LAT", "NUMBER", "STREET", "UNIT", "CITY", "DISTRICT", "REGION", "POSTCODE", "ID", "HASH"}

// An Address is one address point: a row of addresses.csv. Number and
// Street are as the source spells them ("3900", "S Kedzie Ave" or "SOUTH
// KEDZIE AVENUE"); the geocoder normalises them. District and Region are
// OpenAddresses' administrative columns (a county, a state), not police
// districts: those come from the zones.
type Address struct {
	Lon, Lat float64
	Number   string
	Street   string
	Unit     string
	City     string
	District string
	Region   string
	Postcode string
	ID       string
	Hash     string
}

// A Street is one centerline feature of streets.geojson.
type Street struct {
	// Name is the full street name (TIGER's FULLNAME): "S Kedzie Ave".
	Name string
	// Aliases are other full names of the same street (ALIASES): "W 39th
	// St" for "W Pershing Rd". TIGER keeps them apart from the edges, in
	// its feature names table (featnames, one row a name, linked by
	// TLID); flattened exports carry them on the feature, as a list or as
	// one string of names separated by ";". Each is a name of its own,
	// different from Name and from the others.
	Aliases []string
	// Lines are the feature's lines, each from its first point to its last:
	// one for a LineString, several for a MultiLineString.
	Lines [][]Point
	// Left and Right are the address ranges on each side, looking from the
	// first point of the feature towards its last (TIGER's LFROMADD–LTOADD
	// and RFROMADD–RTOADD): From at the first point, To at the last. The
	// zero Range is a side without addresses.
	Left, Right Range
	// Class is the road class (ROADCLASS): a TIGER MTFCC code such as
	// S1100, S1200, S1400, or a word such as "primary" or "local"; it sets
	// the travel speed when SpeedMPH is zero. Empty is a local street.
	Class string
	// SpeedMPH is the travel speed (SPEED_MPH), 0 for the class's.
	SpeedMPH float64
}

// A Range is the address numbers along one side of a street, From at the
// street's first point and To at its last; From may be above To. The zero
// Range is no addresses.
type Range struct {
	From, To int
}

// IsZero reports whether r is no range.
func (r Range) IsZero() bool { return r.From == 0 && r.To == 0 }

// A Place is a common place name of places.geojson: an airport, a park, a
// hospital. A Polygon place has its Area; At is then its label point.
type Place struct {
	Name    string
	Aliases []string
	At      Point
	Area    [][]Point // rings, outer first, then holes; nil for a point place
}

// A Zone is a polygon of zones.geojson: the police district and beat it
// belongs to and, optionally, the zone whose run cards apply there.
type Zone struct {
	District string
	Beat     string
	Zone     string
	Area     [][][]Point // polygons, each its rings: outer first, then holes
}

// WriteDir writes d into dir as the four files of a map directory,
// creating dir if needed; LoadDir reads them back.
func WriteDir(dir string, d MapData) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write map: %w", err)
	}
	if err := writeFile(filepath.Join(dir, AddressesFile), func(w *bufio.Writer) error { return writeAddresses(w, d.Addresses) }); err != nil {
		return err
	}
	var streets, places, zones []feature
	for _, s := range d.Streets {
		props := map[string]any{"FULLNAME": s.Name}
		for k, v := range map[string]int{"LFROMADD": s.Left.From, "LTOADD": s.Left.To, "RFROMADD": s.Right.From, "RTOADD": s.Right.To} {
			if v != 0 || (k[0] == 'L' && !s.Left.IsZero()) || (k[0] == 'R' && !s.Right.IsZero()) {
				props[k] = strconv.Itoa(v) // TIGER's ranges are strings
			}
		}
		if s.Class != "" {
			props["ROADCLASS"] = s.Class
		}
		if s.SpeedMPH != 0 {
			props["SPEED_MPH"] = s.SpeedMPH
		}
		if len(s.Aliases) > 0 {
			props["ALIASES"] = s.Aliases
		}
		g := geometry{Type: "LineString"}
		if len(s.Lines) == 1 {
			g.Coordinates = line(s.Lines[0])
		} else {
			g.Type = "MultiLineString"
			ls := make([][][2]float64, len(s.Lines))
			for i, l := range s.Lines {
				ls[i] = line(l)
			}
			g.Coordinates = ls
		}
		streets = append(streets, feature{Type: "Feature", Properties: props, Geometry: g})
	}
	for _, p := range d.Places {
		props := map[string]any{"name": p.Name}
		if len(p.Aliases) > 0 {
			props["aliases"] = p.Aliases
		}
		g := geometry{Type: "Point", Coordinates: coord(p.At)}
		if p.Area != nil {
			g = geometry{Type: "Polygon", Coordinates: rings(p.Area)}
		}
		places = append(places, feature{Type: "Feature", Properties: props, Geometry: g})
	}
	for _, z := range d.Zones {
		props := map[string]any{"district": z.District, "beat": z.Beat}
		if z.Zone != "" {
			props["zone"] = z.Zone
		}
		g := geometry{Type: "Polygon"}
		if len(z.Area) == 1 {
			g.Coordinates = rings(z.Area[0])
		} else {
			g.Type = "MultiPolygon"
			ps := make([][][][2]float64, len(z.Area))
			for i, p := range z.Area {
				ps[i] = rings(p)
			}
			g.Coordinates = ps
		}
		zones = append(zones, feature{Type: "Feature", Properties: props, Geometry: g})
	}
	for name, fs := range map[string][]feature{StreetsFile: streets, PlacesFile: places, ZonesFile: zones} {
		if err := writeFile(filepath.Join(dir, name), func(w *bufio.Writer) error { return writeFeatures(w, fs) }); err != nil {
			return err
		}
	}
	return nil
}

// feature and geometry are GeoJSON's (RFC 7946), as WriteDir writes them.
type feature struct {
	Type       string         `json:"type"`
	Properties map[string]any `json:"properties"`
	Geometry   geometry       `json:"geometry"`
}

type geometry struct {
	Type        string `json:"type"`
	Coordinates any    `json:"coordinates"`
}

// coord is a point as GeoJSON orders it, longitude first (RFC 7946, 3.1.1),
// to seven decimals (about a centimetre).
func coord(p Point) [2]float64 {
	r := func(v float64) float64 { return math.Round(v*1e7) / 1e7 }
	return [2]float64{r(p.Lon), r(p.Lat)}
}

func line(ps []Point) [][2]float64 {
	out := make([][2]float64, len(ps))
	for i, p := range ps {
		out[i] = coord(p)
	}
	return out
}

// rings closes each ring, as GeoJSON requires (RFC 7946, 3.1.6).
func rings(rs [][]Point) [][][2]float64 {
	out := make([][][2]float64, len(rs))
	for i, r := range rs {
		out[i] = line(r)
		if len(r) > 0 && r[0] != r[len(r)-1] {
			out[i] = append(out[i], coord(r[0]))
		}
	}
	return out
}

func writeFeatures(w *bufio.Writer, fs []feature) error {
	// One feature a line, so that an error can name a line and a diff
	// reads well.
	if _, err := w.WriteString(`{"type":"FeatureCollection","features":[` + "\n"); err != nil {
		return err
	}
	for i, f := range fs {
		b, err := json.Marshal(f)
		if err != nil {
			return err
		}
		if i < len(fs)-1 {
			b = append(b, ',')
		}
		if _, err := w.Write(append(b, '\n')); err != nil {
			return err
		}
	}
	_, err := w.WriteString("]}\n")
	return err
}

func writeAddresses(w *bufio.Writer, as []Address) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(AddressColumns); err != nil {
		return err
	}
	f := func(v float64) string { return strconv.FormatFloat(math.Round(v*1e7)/1e7, 'f', -1, 64) }
	for _, a := range as {
		if err := cw.Write([]string{f(a.Lon), f(a.Lat), a.Number, a.Street, a.Unit, a.City, a.District, a.Region, a.Postcode, a.ID, a.Hash}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeFile(path string, fill func(*bufio.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write map: %w", err)
	}
	w := bufio.NewWriter(f)
	err = fill(w)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write map %s: %w", path, err)
	}
	return nil
}
