package gridcity

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Axis is the way a street runs on the grid.
type Axis int

// The two axes of the grid. Diagonal streets are not modelled.
const (
	NorthSouth Axis = iota + 1 // a street such as Kedzie Ave, at a fixed E/W number
	EastWest                   // a street such as 39th Pl, at a fixed N/S number
)

// String returns "NS" or "EW", the spelling used in the CSV format.
func (a Axis) String() string {
	switch a {
	case NorthSouth:
		return "NS"
	case EastWest:
		return "EW"
	}
	return "Axis(" + strconv.Itoa(int(a)) + ")"
}

// Segment is a stretch of one street on the grid. A street that is broken
// (by a rail yard, a river) is several segments with the same name.
type Segment struct {
	Dir     string   // direction prefix: "N" or "S" on a NorthSouth street, "E" or "W" on an EastWest one
	Name    string   // the name without prefix or type: "Kedzie", "39th"
	Type    string   // street type: "Ave", "St", "Pl", "Rd", "Blvd"…
	Aliases []string // other full names of the same street, such as "W 39th St" for "W Pershing Rd"
	Axis    Axis
	Grid    int // the grid coordinate the street lies on, signed as in GridPoint: -3200 for S Kedzie Ave (3200 W), -3950 for W 39th Pl (3950 S)
	From    int // lowest address number on the segment
	To      int // highest address number on the segment
}

// Street returns the full name of the segment's street, "S Kedzie Ave".
func (s Segment) Street() string { return joinName(s.Dir, s.Name, s.Type) }

// point returns the grid point of address number n on the segment.
func (s Segment) point(n int) GridPoint {
	along := sideSign(s.Dir) * float64(n)
	if s.Axis == NorthSouth {
		return GridPoint{N: along, E: float64(s.Grid)}
	}
	return GridPoint{N: float64(s.Grid), E: along}
}

// sideSign is +1 for north and east, -1 for south and west.
func sideSign(dir string) float64 {
	if dir == "S" || dir == "W" {
		return -1
	}
	return 1
}

// Place is a named place, such as an airport or a park, at a grid point.
type Place struct {
	Name    string
	Aliases []string
	At      GridPoint
}

// Gazetteer is a set of street segments and named places: the input from
// which Map generates the demo city. It is immutable once built and safe
// for concurrent use.
type Gazetteer struct {
	segs   []Segment
	places []Place
}

// New builds a gazetteer from segments and places. It checks each segment
// (direction matching its axis, a non-empty name, From <= To, every name
// with a direction, a base name and a type) and each place (a name, no name
// used twice), and returns an error naming the first bad one.
func New(segs []Segment, places []Place) (*Gazetteer, error) {
	g := &Gazetteer{}
	for i, s := range segs {
		if err := checkSegment(s); err != nil {
			return nil, fmt.Errorf("segment %d (%s): %w", i, s.Street(), err)
		}
		s.Aliases = append([]string(nil), s.Aliases...)
		g.segs = append(g.segs, s)
		for _, n := range append([]string{s.Street()}, s.Aliases...) {
			if q := parseStreet(n); q.base == "" || q.dir == "" || q.typ == "" {
				return nil, fmt.Errorf("segment %d (%s): name %q needs a direction, a name and a type", i, s.Street(), n)
			}
		}
	}
	named := map[string]int{} // placeKey of a name -> index in places
	for i, p := range places {
		if strings.TrimSpace(p.Name) == "" {
			return nil, fmt.Errorf("place %d: empty name", i)
		}
		g.places = append(g.places, p)
		for _, n := range append([]string{p.Name}, p.Aliases...) {
			k := placeKey(n)
			if j, ok := named[k]; ok {
				return nil, fmt.Errorf("place %d (%s): name %q already names %s", i, p.Name, n, g.places[j].Name)
			}
			named[k] = len(g.places) - 1
		}
	}
	return g, nil
}

func checkSegment(s Segment) error {
	switch {
	case strings.TrimSpace(s.Name) == "":
		return errors.New("empty name")
	case s.Axis == NorthSouth && s.Dir != "N" && s.Dir != "S":
		return fmt.Errorf("a north–south street needs direction N or S, not %q", s.Dir)
	case s.Axis == EastWest && s.Dir != "E" && s.Dir != "W":
		return fmt.Errorf("an east–west street needs direction E or W, not %q", s.Dir)
	case s.Axis != NorthSouth && s.Axis != EastWest:
		return fmt.Errorf("unknown axis %v", s.Axis)
	case s.From < 0 || s.To < s.From:
		return fmt.Errorf("bad address range %d–%d", s.From, s.To)
	}
	return nil
}

// Segments returns a copy of the gazetteer's street segments.
func (g *Gazetteer) Segments() []Segment { return append([]Segment(nil), g.segs...) }

// Places returns a copy of the gazetteer's named places.
func (g *Gazetteer) Places() []Place { return append([]Place(nil), g.places...) }

// csvHeader is the header LoadCSV requires.
var csvHeader = []string{"name", "dir", "type", "axis", "grid", "from", "to", "aliases"}

// LoadCSV reads a gazetteer from CSV (RFC 4180; lines starting with # are
// comments). The first row is the header
//
//	name,dir,type,axis,grid,from,to,aliases
//
// and each further row is a street segment or a named place:
//
//	Kedzie,S,Ave,NS,3200W,2200,5999,
//	Pershing,W,Rd,EW,3900S,800,4999,W 39th St
//	Midway Airport,,,place,5700S 4800W,,,Midway
//
// For a segment, axis is NS or EW; grid is the grid line the street lies on,
// a number and its side of the origin (3200W, 3900S); from and to are the
// lowest and highest address numbers; aliases are other full names separated
// by semicolons. For a place, axis is "place", grid is its grid point (the
// N/S part, a space, the E/W part), and dir, type, from and to are empty.
// An error names the line that is wrong.
func LoadCSV(r io.Reader) (*Gazetteer, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = len(csvHeader)
	cr.TrimLeadingSpace = true
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read gazetteer header: %w", err)
	}
	for i, h := range csvHeader {
		if strings.ToLower(strings.TrimSpace(head[i])) != h {
			return nil, fmt.Errorf("gazetteer header: column %d is %q, want %q (header %s)", i+1, head[i], h, strings.Join(csvHeader, ","))
		}
	}
	var segs []Segment
	var places []Place
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read gazetteer: %w", err)
		}
		line, _ := cr.FieldPos(0)
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		var aliases []string
		for _, a := range strings.Split(rec[7], ";") {
			if a = strings.TrimSpace(a); a != "" {
				aliases = append(aliases, a)
			}
		}
		if strings.EqualFold(rec[3], "place") {
			at, err := parseGridPoint(rec[4])
			if err != nil {
				return nil, fmt.Errorf("gazetteer line %d: %w", line, err)
			}
			places = append(places, Place{Name: rec[0], Aliases: aliases, At: at})
			continue
		}
		s, err := parseSegment(rec, aliases)
		if err != nil {
			return nil, fmt.Errorf("gazetteer line %d: %w", line, err)
		}
		segs = append(segs, s)
	}
	return New(segs, places)
}

func parseSegment(rec, aliases []string) (Segment, error) {
	s := Segment{Name: rec[0], Dir: strings.ToUpper(rec[1]), Type: rec[2], Aliases: aliases}
	switch strings.ToUpper(rec[3]) {
	case "NS":
		s.Axis = NorthSouth
	case "EW":
		s.Axis = EastWest
	default:
		return s, fmt.Errorf("axis %q: want NS, EW or place", rec[3])
	}
	v, side, err := parseGridNumber(rec[4])
	if err != nil {
		return s, err
	}
	if (s.Axis == NorthSouth) != (side == "E" || side == "W") {
		return s, fmt.Errorf("grid %q: a %v street lies on a line %s", rec[4], s.Axis,
			map[Axis]string{NorthSouth: "east or west of State St", EastWest: "north or south of Madison St"}[s.Axis])
	}
	s.Grid = int(sideSign(side)) * v
	if s.From, err = strconv.Atoi(rec[5]); err != nil {
		return s, fmt.Errorf("from %q: not a number", rec[5])
	}
	if s.To, err = strconv.Atoi(rec[6]); err != nil {
		return s, fmt.Errorf("to %q: not a number", rec[6])
	}
	return s, nil
}

// parseGridNumber parses "3200W" into 3200 and "W".
func parseGridNumber(t string) (int, string, error) {
	t = strings.ToUpper(strings.ReplaceAll(t, " ", ""))
	if len(t) < 2 || !strings.ContainsAny(t[len(t)-1:], "NSEW") {
		return 0, "", fmt.Errorf("grid %q: want a number and a side, such as 3200W", t)
	}
	v, err := strconv.Atoi(t[:len(t)-1])
	if err != nil || v < 0 {
		return 0, "", fmt.Errorf("grid %q: want a number and a side, such as 3200W", t)
	}
	return v, t[len(t)-1:], nil
}

// parseGridPoint parses "5700S 4800W".
func parseGridPoint(t string) (GridPoint, error) {
	f := strings.Fields(t)
	if len(f) != 2 {
		return GridPoint{}, fmt.Errorf("grid point %q: want a N/S and an E/W number, such as 5700S 4800W", t)
	}
	n, ns, err := parseGridNumber(f[0])
	if err != nil || (ns != "N" && ns != "S") {
		return GridPoint{}, fmt.Errorf("grid point %q: first part must be N or S, such as 5700S", t)
	}
	e, ew, err := parseGridNumber(f[1])
	if err != nil || (ew != "E" && ew != "W") {
		return GridPoint{}, fmt.Errorf("grid point %q: second part must be E or W, such as 4800W", t)
	}
	return GridPoint{N: sideSign(ns) * float64(n), E: sideSign(ew) * float64(e)}, nil
}

// chicagoAvenues are the north–south streets of the demo gazetteer, from
// Halsted St to Cicero Ave, at their published west grid numbers.
var chicagoAvenues = []struct {
	name, typ string
	west      int
}{
	{"Halsted", "St", 800},
	{"Morgan", "St", 1000},
	{"Racine", "Ave", 1200},
	{"Loomis", "St", 1400},
	{"Ashland", "Ave", 1600},
	{"Wood", "St", 1800},
	{"Damen", "Ave", 2000},
	{"Leavitt", "St", 2200},
	{"Western", "Ave", 2400},
	{"Rockwell", "St", 2600},
	{"California", "Ave", 2800},
	{"Sacramento", "Ave", 3000},
	{"Kedzie", "Ave", 3200},
	{"Homan", "Ave", 3400},
	{"St Louis", "Ave", 3500},
	{"Central Park", "Ave", 3600},
	{"Lawndale", "Ave", 3700},
	{"Hamlin", "Ave", 3800},
	{"Pulaski", "Rd", 4000},
	{"Keeler", "Ave", 4200},
	{"Kostner", "Ave", 4400},
	{"Kilbourn", "Ave", 4500},
	{"Cicero", "Ave", 4800},
}

// The demo area: from Cermak Rd (2200 S) to the end of the 5900 block S, and
// from Halsted St (800 W) to the end of the 4900 block W.
const (
	chicagoSouthFrom, chicagoSouthTo = 2200, 5999
	chicagoWestFrom, chicagoWestTo   = 800, 4999
	chicagoFirstStreet, chicagoLast  = 22, 59
)

// Chicago returns the demo gazetteer: a south-west side area of Chicago from
// Cermak Rd (22nd St) to 59th Pl and from Halsted St to Cicero Ave.
//
// It is generated here from the grid rules in grid.go, not surveyed: every
// numbered street from 22nd to 59th gets a "St" at its number (3900 S) and a
// "Pl" half a block south (3950 S), and every avenue in chicagoAvenues gets a
// north–south street at its west number, each running the whole area. Two
// numbered streets carry their everyday names with the number as an alias:
// Cermak Rd (22nd St) and Pershing Rd (39th St). The real streets are broken
// in places (rail yards, the Stevenson Expressway, the Sanitary and Ship
// Canal) and a few "Pl" streets do not exist; the generated gazetteer ignores
// that. Positions carry the grid's accuracy (see grid.go).
func Chicago() *Gazetteer {
	var segs []Segment
	for _, a := range chicagoAvenues {
		segs = append(segs, Segment{
			Dir: "S", Name: a.name, Type: a.typ, Axis: NorthSouth,
			Grid: -a.west, From: chicagoSouthFrom, To: chicagoSouthTo,
		})
	}
	for n := chicagoFirstStreet; n <= chicagoLast; n++ {
		st := Segment{Dir: "W", Name: Ordinal(n), Type: "St", Axis: EastWest,
			Grid: -100 * n, From: chicagoWestFrom, To: chicagoWestTo}
		switch n {
		case 22:
			st.Name, st.Type, st.Aliases = "Cermak", "Rd", []string{"W 22nd St"}
		case 39:
			st.Name, st.Type, st.Aliases = "Pershing", "Rd", []string{"W 39th St"}
		}
		pl := Segment{Dir: "W", Name: Ordinal(n), Type: "Pl", Axis: EastWest,
			Grid: -100*n - 50, From: chicagoWestFrom, To: chicagoWestTo}
		segs = append(segs, st, pl)
	}
	places := []Place{
		// At their published street addresses.
		{Name: "Midway Airport", Aliases: []string{"Midway", "Chicago Midway International Airport"}, At: GridPoint{N: -5700, E: -4800}}, // 5700 S Cicero Ave
		{Name: "McKinley Park", At: GridPoint{N: -3900, E: -2210}},                                                                       // 2210 W Pershing Rd
		{Name: "Gage Park", At: GridPoint{N: -5500, E: -2411}},                                                                           // 2411 W 55th St
		// Places a caller names instead of an address (docs/console.md,
		// "Place names"). The United Center and Soldier Field lie outside
		// the generated area, so they are not here.
		{Name: "Cook County Jail", Aliases: []string{"County Jail", "Cook County Department of Corrections"}, At: GridPoint{N: -2700, E: -2800}},                                   // 2700 S California Ave
		{Name: "Leighton Criminal Court Building", Aliases: []string{"26th and Cal", "Criminal Courts Building", "Cook County Criminal Court"}, At: GridPoint{N: -2650, E: -2800}}, // 2650 S California Ave
		{Name: "9th District Police Station", Aliases: []string{"9th District", "Deering District Station"}, At: GridPoint{N: -3120, E: -800}},                                     // 3120 S Halsted St
		{Name: "Kelly Park", At: GridPoint{N: -4100, E: -2725}},        // 2725 W 41st St
		{Name: "Sherman Park", At: GridPoint{N: -5200, E: -1301}},      // 1301 W 52nd St
		{Name: "Davis Square Park", At: GridPoint{N: -4430, E: -1650}}, // 4430 S Marshfield Ave
		{Name: "Piotrowski Park", At: GridPoint{N: -3100, E: -4247}},   // 4247 W 31st St
	}
	g, err := New(segs, places)
	if err != nil {
		panic("geo: generated Chicago gazetteer is invalid: " + err.Error()) // a broken invariant of this file
	}
	return g
}

// Ordinal returns n with its English ordinal suffix: 1st, 22nd, 23rd, 39th, 111th.
func Ordinal(n int) string {
	suf := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suf = "st"
		case 2:
			suf = "nd"
		case 3:
			suf = "rd"
		}
	}
	return strconv.Itoa(n) + suf
}
