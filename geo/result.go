package geo

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes of the geocoder. They name what kind of mistake the input
// has; the http package maps them to a status.
const (
	EINVALID   = "invalid"         // empty, malformed, or coordinates out of range
	ENOTFOUND  = "not_found"       // no street or place by that name
	EAMBIGUOUS = "ambiguous"       // the name fits more than one street
	ERANGE     = "out_of_range"    // the house number is not on the street
	ENOCROSS   = "no_intersection" // the two streets do not meet
)

// Error is a geocoding failure with a sentence a dispatcher understands.
// For ENOTFOUND, Suggestions holds up to three names close to what was
// typed; for EAMBIGUOUS, Candidates holds every street that fits.
type Error struct {
	Code        string
	Message     string
	Suggestions []string
	Candidates  []string
}

// Error returns the message, with the suggestions or candidates.
func (e *Error) Error() string {
	switch {
	case len(e.Suggestions) > 0:
		return e.Message + "; did you mean " + strings.Join(e.Suggestions, ", ") + "?"
	case len(e.Candidates) > 0:
		return e.Message + ": " + strings.Join(e.Candidates, ", ")
	}
	return e.Message
}

// ErrorCode returns the code of err if it is (or wraps) an *Error, and ""
// otherwise.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Kind says what a Result was resolved from.
type Kind string

// The kinds of Result.
const (
	KindAddress      Kind = "address"      // an address point: "3900 S Kedzie Ave"
	KindInterpolated Kind = "interpolated" // an address placed along its street's range
	KindIntersection Kind = "intersection" // "S Kedzie Ave & W 39th Pl"
	KindPoint        Kind = "point"        // "41.823600,-87.704700"
	KindPlace        Kind = "place"        // "Midway Airport"
)

// Result is a geocoded location.
type Result struct {
	Lat, Lon float64 // WGS84 degrees
	Text     string  // the normalised text: "3900 S Kedzie Ave", "S Kedzie Ave & W 39th Pl"
	Kind     Kind
}
