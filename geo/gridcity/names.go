package gridcity

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Street names of the gazetteer: each is a direction, a base name and a
// type ("S", "Kedzie", "Ave"), and a name given in other spellings
// ("south kedzie avenue", "39", "39th") is split into the same parts, so
// that New can check the names it is given and tell two places' names
// apart.

var ordinalRE = regexp.MustCompile(`^(\d{1,4})(?:ST|ND|RD|TH)?$`)

// streetQuery is a street name split into its normalised parts; dir and typ
// are empty when the text leaves them out.
type streetQuery struct {
	dir, base, typ string
}

var (
	dirWords = map[string]string{
		"N": "N", "NORTH": "N", "S": "S", "SOUTH": "S",
		"E": "E", "EAST": "E", "W": "W", "WEST": "W",
	}
	typeWords = map[string]string{
		"AVE": "AVE", "AV": "AVE", "AVENUE": "AVE",
		"ST": "ST", "STR": "ST", "STREET": "ST",
		"PL": "PL", "PLACE": "PL",
		"RD": "RD", "ROAD": "RD",
		"BLVD": "BLVD", "BOULEVARD": "BLVD",
		"DR": "DR", "DRIVE": "DR",
		"PKWY": "PKWY", "PARKWAY": "PKWY",
		"CT": "CT", "COURT": "CT",
		"TER": "TER", "TERRACE": "TER",
		"HWY": "HWY", "HIGHWAY": "HWY",
	}
)

// words upper-cases s, turns punctuation into spaces and splits it.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToUpper(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-'
	})
}

// parseStreet splits a street name into direction, base name and type.
func parseStreet(s string) streetQuery {
	w := words(s)
	var q streetQuery
	if len(w) > 1 {
		if d, ok := dirWords[w[0]]; ok {
			q.dir, w = d, w[1:]
		}
	}
	if len(w) > 1 {
		if t, ok := typeWords[w[len(w)-1]]; ok {
			q.typ, w = t, w[:len(w)-1]
		}
	}
	for i, x := range w {
		if x == "SAINT" && i+1 < len(w) {
			w[i] = "ST"
		}
	}
	if len(w) == 1 {
		if m := ordinalRE.FindStringSubmatch(w[0]); m != nil {
			n, _ := strconv.Atoi(m[1]) // at most 4 digits: cannot fail
			w[0] = strings.ToUpper(Ordinal(n))
		}
	}
	q.base = strings.Join(w, " ")
	return q
}

// joinName writes a street's full name from its parts.
func joinName(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}

// placeKey normalises a place name for lookup.
func placeKey(s string) string { return strings.Join(words(s), " ") }
