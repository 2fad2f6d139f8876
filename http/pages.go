package http

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/engine"
)

// History lists are paged by a cursor (engine.Cursor): ?before= is the
// cursor of the previous page, ?limit= its size, and the next page is
// announced in a Link header (RFC 8288 section 3) with the relation "next"
// (IANA link relations), absent on the last page. The body stays what it
// was: an object holding the array of records.

// incidentParams are the query parameters of GET /api/v1/incidents.
var incidentParams = []string{"status", "agency", "from", "to", "type", "unit", "address", "lat", "lon", "radius", "before", "limit"}

// incidentQuery reads the incident list's query parameters. Each bad one
// is a 400 that names it.
func incidentQuery(r *http.Request) (engine.IncidentQuery, error) {
	v := r.URL.Query()
	var q engine.IncidentQuery
	if err := onlyParams(v, incidentParams); err != nil {
		return q, err
	}
	var err error
	q.Status, q.Agency, q.Type, q.Unit, q.Address = v.Get("status"), v.Get("agency"), v.Get("type"), v.Get("unit"), v.Get("address")
	switch q.Status {
	case "", engine.ListOpen, engine.ListClosed, engine.ListAll:
	default:
		return q, badRequest("parameter status must be open, closed or all")
	}
	if q.From, err = timeParam(v, "from"); err != nil {
		return q, err
	}
	if q.To, err = timeParam(v, "to"); err != nil {
		return q, err
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return q, badRequest("parameter from must be before parameter to")
	}
	if err := pointParams(v, &q); err != nil {
		return q, err
	}
	if len(q.Address) > 200 {
		return q, badRequest("parameter address must be at most 200 characters")
	}
	if q.Address != "" && dispatch.AddressKey(dispatch.Location{Text: q.Address}) == "" {
		return q, badRequest("parameter address has nothing to look for: give a street address")
	}
	if q.Before, q.Limit, err = pageParams(v); err != nil {
		return q, err
	}
	return q, nil
}

// requestParams are the query parameters of GET /api/v1/requests.
var requestParams = []string{"status", "agency", "from", "to", "before", "limit"}

// requestQuery reads the request list's query parameters, as
// incidentQuery does.
func requestQuery(r *http.Request) (engine.RequestQuery, error) {
	v := r.URL.Query()
	var q engine.RequestQuery
	if err := onlyParams(v, requestParams); err != nil {
		return q, err
	}
	q.Status, q.Agency = v.Get("status"), v.Get("agency")
	switch q.Status {
	case "", engine.ListOpen, engine.ListClosed, engine.ListAll:
	default:
		return q, badRequest("parameter status must be open, closed or all")
	}
	var err error
	if q.From, err = timeParam(v, "from"); err != nil {
		return q, err
	}
	if q.To, err = timeParam(v, "to"); err != nil {
		return q, err
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return q, badRequest("parameter from must be before parameter to")
	}
	q.Before, q.Limit, err = pageParams(v)
	return q, err
}

// messageParams are the query parameters of GET /api/v1/messages.
var messageParams = []string{"unit", "id", "from", "to", "before", "limit"}

// messageQuery reads the message list's query parameters, as incidentQuery
// does.
func messageQuery(r *http.Request) (engine.MessageQuery, error) {
	v := r.URL.Query()
	var q engine.MessageQuery
	if err := onlyParams(v, messageParams); err != nil {
		return q, err
	}
	q.Unit, q.ID = v.Get("unit"), v.Get("id")
	var err error
	if q.From, q.To, err = rangeParams(v); err != nil {
		return q, err
	}
	q.Before, q.Limit, err = pageParams(v)
	return q, err
}

// boloParams are the query parameters of GET /api/v1/bolos.
var boloParams = []string{"q", "unit", "all", "id", "before", "limit"}

// boloQuery reads the BOLO list's query parameters, as incidentQuery
// does, and the unit it names, whose place the handler resolves.
func boloQuery(r *http.Request) (engine.BOLOQuery, string, error) {
	v := r.URL.Query()
	var q engine.BOLOQuery
	if err := onlyParams(v, boloParams); err != nil {
		return q, "", err
	}
	switch v.Get("all") {
	case "", "false":
	case "true":
		q.All = true
	default:
		return q, "", badRequest("parameter all must be true or false")
	}
	if len(v.Get("q")) > 200 {
		return q, "", badRequest("parameter q must be at most 200 characters")
	}
	q.Query, q.ID = v.Get("q"), v.Get("id")
	var err error
	q.Before, q.Limit, err = pageParams(v)
	return q, v.Get("unit"), err
}

// listParams reads the page parameters of a list held whole in memory
// (engine.PageOf), refusing any parameter but before, limit and the
// list's own filters.
func listParams(v url.Values, filters ...string) (*engine.Cursor, int, error) {
	if err := onlyParams(v, append([]string{"before", "limit"}, filters...)); err != nil {
		return nil, 0, err
	}
	return pageParams(v)
}

// rangeParams reads from and to, a range of times; from must be before to.
func rangeParams(v url.Values) (from, to time.Time, err error) {
	if from, err = timeParam(v, "from"); err != nil {
		return
	}
	if to, err = timeParam(v, "to"); err != nil {
		return
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		err = badRequest("parameter from must be before parameter to")
	}
	return
}

// onlyParams refuses a parameter that is not one of known, or one given
// twice: a misspelt filter would otherwise widen the list unseen.
func onlyParams(v url.Values, known []string) error {
	for k, vs := range v {
		if !slices.Contains(known, k) {
			return badRequest(fmt.Sprintf("unknown parameter %q (this list takes %v)", k, known))
		}
		if len(vs) > 1 {
			return badRequest(fmt.Sprintf("parameter %s is given %d times; give it once", k, len(vs)))
		}
	}
	return nil
}

// timeParam reads a time: RFC 3339, or a date (YYYY-MM-DD), which is its
// midnight UTC. Absent is the zero time.
func timeParam(v url.Values, name string) (time.Time, error) {
	s := v.Get(name)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, badRequest(fmt.Sprintf("parameter %s must be a time (RFC 3339, e.g. 2026-03-01T08:00:00Z) or a date (2026-03-01)", name))
}

// pointParams reads lat, lon and radius (metres), which go together.
func pointParams(v url.Values, q *engine.IncidentQuery) error {
	given := 0
	for _, k := range []string{"lat", "lon", "radius"} {
		if v.Get(k) != "" {
			given++
		}
	}
	if given == 0 {
		return nil
	}
	if given != 3 {
		return badRequest("parameters lat, lon and radius go together: give all three or none")
	}
	lat, err := floatParam(v, "lat", -90, 90)
	if err != nil {
		return err
	}
	lon, err := floatParam(v, "lon", -180, 180)
	if err != nil {
		return err
	}
	if q.RadiusM, err = floatParam(v, "radius", 1, engine.MaxSearchRadiusM); err != nil {
		return err
	}
	q.Lat, q.Lon = &lat, &lon
	return nil
}

func floatParam(v url.Values, name string, lo, hi float64) (float64, error) {
	f, err := strconv.ParseFloat(v.Get(name), 64)
	if err != nil || math.IsNaN(f) || f < lo || f > hi {
		return 0, badRequest(fmt.Sprintf("parameter %s must be a number from %g to %g", name, lo, hi))
	}
	return f, nil
}

// pageParams reads before (a cursor) and limit.
func pageParams(v url.Values) (*engine.Cursor, int, error) {
	var before *engine.Cursor
	if s := v.Get("before"); s != "" {
		c, err := engine.ParseCursor(s)
		if err != nil {
			return nil, 0, badRequest("parameter before is not a cursor this server gave: take it from the Link header of the previous page")
		}
		before = &c
	}
	limit := engine.DefaultPageLimit
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > engine.MaxPageLimit {
			return nil, 0, badRequest(fmt.Sprintf("parameter limit must be a whole number from 1 to %d", engine.MaxPageLimit))
		}
		limit = n
	}
	return before, limit, nil
}

// linkNext sets the Link header that announces the page after next, if
// there is one: the request's own URL with before set to the cursor.
func linkNext(w http.ResponseWriter, r *http.Request, next *engine.Cursor) {
	if next == nil {
		return
	}
	v := r.URL.Query()
	v.Set("before", next.String())
	u := url.URL{Path: r.URL.Path, RawQuery: v.Encode()}
	w.Header().Set("Link", fmt.Sprintf("<%s>; rel=\"next\"", u.String()))
}
