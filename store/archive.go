package store

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// What every store does alike with the archive, so that store/sqlite and
// store/postgres differ only in their SQL.

// The size of a page of the archive: DefaultArchiveLimit when a query sets
// none, never more than MaxArchiveLimit.
const (
	DefaultArchiveLimit = 100
	MaxArchiveLimit     = 1000
)

// An ArchivePlan is an ArchiveQuery checked and put as a store's SQL needs
// it: times as Unix nanoseconds (how stores keep the archive's times, so
// they sort as numbers), the circle as a box of latitudes and longitudes,
// and the page's size. A nil bound is open.
type ArchivePlan struct {
	From, To *int64
	Before   *ArchivePlanCursor
	Box      *Box
	Limit    int
}

// An ArchivePlanCursor is an ArchiveCursor with its time in Unix nanoseconds.
type ArchivePlanCursor struct {
	Opened int64
	ID     string
}

// A Box is a range of latitudes and one of longitudes, in degrees, bounds
// included.
type Box struct{ MinLat, MaxLat, MinLon, MaxLon float64 }

// earthRadiusM is the mean radius of the Earth (IUGG), in metres.
const earthRadiusM = 6371008.8

// boxMargin widens the box a little beyond the sphere's circle, so that it
// holds the circle measured on the ellipsoid too (meridian degrees differ
// from the sphere's by under 0.6%).
const boxMargin = 1.01

// PlanArchive checks q and returns its plan. A point needs both Lat and
// Lon, finite and on the Earth, and a radius that is not negative.
func PlanArchive(q ArchiveQuery) (ArchivePlan, error) {
	var p ArchivePlan
	if !q.From.IsZero() {
		n := Nanos(q.From)
		p.From = &n
	}
	if !q.To.IsZero() {
		n := Nanos(q.To)
		p.To = &n
	}
	if q.Before != nil {
		p.Before = &ArchivePlanCursor{Opened: Nanos(q.Before.Opened), ID: q.Before.ID}
	}
	p.Limit = q.Limit
	if p.Limit <= 0 {
		p.Limit = DefaultArchiveLimit
	}
	p.Limit = min(p.Limit, MaxArchiveLimit)
	if q.Lat == nil && q.Lon == nil {
		return p, nil
	}
	if q.Lat == nil || q.Lon == nil {
		return p, errors.New("archive query: a point needs both lat and lon")
	}
	lat, lon, r := *q.Lat, *q.Lon, q.RadiusM
	if !(lat >= -90 && lat <= 90) || !(lon >= -180 && lon <= 180) {
		return p, fmt.Errorf("archive query: point %v,%v is not a latitude and a longitude", lat, lon)
	}
	if !(r >= 0) || math.IsInf(r, 1) {
		return p, fmt.Errorf("archive query: radius %v m is not a distance", r)
	}
	p.Box = boxAround(lat, lon, r)
	return p, nil
}

// boxAround returns the box that holds the circle of r metres around
// lat, lon (on a sphere, widened by boxMargin). A circle that reaches a pole
// or is as wide as the Earth takes every longitude.
func boxAround(lat, lon, r float64) *Box {
	d := r * boxMargin / earthRadiusM // the radius as an angle, in radians
	dlat := d * 180 / math.Pi
	b := &Box{MinLat: max(lat-dlat, -90), MaxLat: min(lat+dlat, 90), MinLon: -180, MaxLon: 180}
	// The widest longitude of a circle of angular radius d around latitude
	// φ is asin(sin d / cos φ), where the circle does not hold a pole.
	if s := math.Sin(d) / math.Cos(lat*math.Pi/180); d < math.Pi/2 && s < 1 && b.MaxLat < 90 && b.MinLat > -90 {
		dlon := math.Asin(s) * 180 / math.Pi
		// A box that crosses the antimeridian is kept whole rather than
		// split in two: wider than needed, never narrower.
		if lon-dlon >= -180 && lon+dlon <= 180 {
			b.MinLon, b.MaxLon = lon-dlon, lon+dlon
		}
	}
	return b
}

// Nanos returns t as Unix nanoseconds, and the zero time as 0.
func Nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// FromNanos returns the time of Unix nanoseconds n in UTC, and 0 as the
// zero time.
func FromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// DistinctArchived returns the records, the last of each kind and id only
// (it replaces the earlier), in their order. It checks the points: both or
// neither of Lat and Lon, finite (the databases do not treat NaN alike).
func DistinctArchived(recs []Archived) ([]Archived, error) {
	last := make(map[[2]string]int, len(recs))
	for i, r := range recs {
		if (r.Lat == nil) != (r.Lon == nil) ||
			r.Lat != nil && (math.IsNaN(*r.Lat) || math.IsNaN(*r.Lon) || math.IsInf(*r.Lat, 0) || math.IsInf(*r.Lon, 0)) {
			return nil, fmt.Errorf("archive %s/%s: a point needs a finite lat and lon", r.Kind, r.ID)
		}
		last[[2]string{r.Kind, r.ID}] = i
	}
	if len(last) == len(recs) {
		return recs, nil
	}
	out := make([]Archived, 0, len(last))
	for i, r := range recs {
		if last[[2]string{r.Kind, r.ID}] == i {
			out = append(out, r)
		}
	}
	return out, nil
}

// A Finder is an agency that may find an archived record, at its place
// (Pos) in the record's Agencies, or -1 for an owner that is not among them.
type Finder struct {
	Agency string
	Pos    int
}

// Finders returns the agencies that may find r: each of its Agencies once,
// and its owner.
func (r Archived) Finders() []Finder {
	out := make([]Finder, 0, len(r.Agencies)+1)
	owner := false
	for _, a := range Distinct(r.Agencies) {
		out = append(out, Finder{Agency: a, Pos: len(out)})
		owner = owner || a == r.Agency
	}
	if !owner {
		out = append(out, Finder{Agency: r.Agency, Pos: -1})
	}
	return out
}

// Distinct returns the strings, each once, in their order.
func Distinct(ss []string) []string {
	for i := range ss {
		for j := range i {
			if ss[i] == ss[j] {
				return distinctSlow(ss)
			}
		}
	}
	return ss
}

func distinctSlow(ss []string) []string {
	seen := make(map[string]bool, len(ss))
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// CheckSubjects returns the subjects of a batch whose leaves are [first,
// first+n), each once. A subject of an event outside them is an error: the
// index is written only with its events.
func CheckSubjects(ss []Subject, first int64, n int) ([]Subject, error) {
	ordered, dup := true, false
	for i, s := range ss {
		if s.Seq < first || s.Seq >= first+int64(n) {
			return nil, fmt.Errorf("subject %s/%s of event %d, not in the batch's %d-%d", s.Kind, s.ID, s.Seq, first, first+int64(n)-1)
		}
		if i > 0 && s.Seq < ss[i-1].Seq {
			ordered = false
		}
		// Events' subjects come one event after another: a repeat is among
		// the subjects of the same event just before.
		for j := i - 1; j >= 0 && ss[j].Seq == s.Seq && !dup; j-- {
			dup = ss[j] == s
		}
	}
	if ordered && !dup {
		return ss, nil
	}
	seen := make(map[Subject]bool, len(ss))
	out := make([]Subject, 0, len(ss))
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out, nil
}
