package dispatch

import (
	"strings"
	"unicode"
)

// AddressKey returns the key that finds a place's history by address (the
// priors at an address, store.Archived.Address): its text in capitals,
// punctuation other than "&", "/", "-" and "#" dropped, spaces collapsed,
// and the street suffixes and directions written as the USPS abbreviates
// them (Publication 28, appendices C1 and B), so that "12 north Main
// Street," and "12 N MAIN ST" are one address. An intersection's "and",
// "at" or "/" becomes "&". A location without text has no key ("").
func AddressKey(loc Location) string {
	words := strings.FieldsFunc(strings.ToUpper(loc.Text), func(r rune) bool {
		return unicode.IsSpace(r) || r == ',' || r == '.' || r == ';' || r == ':' || r == '(' || r == ')' || r == '"' || r == '\''
	})
	out := make([]string, 0, len(words))
	for _, w := range words {
		if w == "/" || w == "AND" || w == "AT" || w == "@" {
			w = "&"
		}
		if a, ok := addressAbbrev[w]; ok {
			w = a
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}

// addressAbbrev are the USPS standard abbreviations of the common street
// suffixes and of the directions.
var addressAbbrev = map[string]string{
	"ALLEY": "ALY", "AVENUE": "AVE", "AV": "AVE", "BOULEVARD": "BLVD", "CIRCLE": "CIR",
	"COURT": "CT", "DRIVE": "DR", "EXPRESSWAY": "EXPY", "FREEWAY": "FWY", "HIGHWAY": "HWY",
	"LANE": "LN", "PARKWAY": "PKWY", "PLACE": "PL", "PLAZA": "PLZ", "ROAD": "RD",
	"SQUARE": "SQ", "STREET": "ST", "TERRACE": "TER", "TRAIL": "TRL", "TURNPIKE": "TPKE",
	"NORTH": "N", "SOUTH": "S", "EAST": "E", "WEST": "W",
	"NORTHEAST": "NE", "NORTHWEST": "NW", "SOUTHEAST": "SE", "SOUTHWEST": "SW",
	"APARTMENT": "APT", "SUITE": "STE", "BUILDING": "BLDG", "FLOOR": "FL",
}
