package geo

import (
	"strconv"
	"strings"
	"unicode"
)

// A streetKey is a street name split into its normalised parts, as the
// geocoder compares them: "SOUTH KEDZIE AVENUE", "S Kedzie Ave" and
// "s. kedzie av" all give {S, KEDZIE, AVE, ""}. Parts the text leaves out
// are empty.
type streetKey struct {
	dir, base, typ, post string
}

// String returns the key as one string, the map's index key.
func (k streetKey) String() string { return k.dir + "|" + k.base + "|" + k.typ + "|" + k.post }

// directions are the pre- and post-directionals, spelt out and abbreviated
// (USPS Publication 28, appendix B).
var directions = map[string]string{
	"N": "N", "NORTH": "N", "S": "S", "SOUTH": "S",
	"E": "E", "EAST": "E", "W": "W", "WEST": "W",
	"NE": "NE", "NORTHEAST": "NE", "NW": "NW", "NORTHWEST": "NW",
	"SE": "SE", "SOUTHEAST": "SE", "SW": "SW", "SOUTHWEST": "SW",
}

// suffixes are the street suffixes in common use, each spelling mapped to
// the Postal Service's standard abbreviation (USPS Publication 28,
// appendix C1).
var suffixes = map[string]string{}

func init() {
	for std, spellings := range map[string][]string{
		"ALY": {"ALLEY", "ALLY", "ALLEE"}, "AVE": {"AVENUE", "AV", "AVEN", "AVENU", "AVN", "AVNUE"},
		"BLVD": {"BOULEVARD", "BOUL", "BOULV"}, "BR": {"BRANCH"}, "BRG": {"BRIDGE"},
		"BYP": {"BYPASS", "BYPA", "BYPAS", "BYPS"}, "CSWY": {"CAUSEWAY", "CAUSWA"},
		"CIR": {"CIRCLE", "CIRC", "CIRCL", "CRCL", "CRCLE"}, "CT": {"COURT"},
		"CTR": {"CENTER", "CENTRE", "CEN", "CENT", "CNTR"}, "CRES": {"CRESCENT", "CRSNT"},
		"CV": {"COVE"}, "DR": {"DRIVE", "DRIV", "DRV"}, "EXPY": {"EXPRESSWAY", "EXP", "EXPR", "EXPRESS", "EXPW"},
		"EXT": {"EXTENSION", "EXTN"}, "FWY": {"FREEWAY", "FREEWY", "FRWAY", "FRWY"},
		"GRV": {"GROVE", "GROV"}, "HTS": {"HEIGHTS", "HT"}, "HWY": {"HIGHWAY", "HIGHWY", "HIWAY", "HIWY", "HWAY"},
		"LN": {"LANE"}, "LOOP": {"LOOPS"}, "MALL": nil, "PARK": {"PRK"}, "PASS": nil, "PATH": {"PATHS"},
		"PIKE": {"PIKES"}, "PKWY": {"PARKWAY", "PARKWY", "PKWAY", "PKY"}, "PL": {"PLACE"},
		"PLZ": {"PLAZA", "PLZA"}, "PT": {"POINT"}, "RD": {"ROAD"}, "RDG": {"RIDGE", "RDGE"},
		"ROW": nil, "RTE": {"ROUTE"}, "RUN": nil, "SQ": {"SQUARE", "SQR", "SQRE", "SQU"},
		"ST": {"STREET", "STRT", "STR"}, "TER": {"TERRACE", "TERR"}, "TPKE": {"TURNPIKE", "TRNPK", "TURNPK"},
		"TRL": {"TRAIL", "TRAILS", "TRLS"}, "VW": {"VIEW"}, "WALK": {"WALKS"}, "WAY": {"WY"},
		"XING": {"CROSSING", "CRSSNG"},
	} {
		suffixes[std] = std
		for _, s := range spellings {
			suffixes[s] = std
		}
	}
}

// words upper-cases s, turns punctuation into spaces and splits it. A
// hyphen inside a word stays ("I-90"); a dot or comma goes ("S. Kedzie").
func words(s string) []string {
	return strings.FieldsFunc(strings.ToUpper(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-'
	})
}

// parseStreet splits a street name into its normalised parts. The map's
// names and the dispatcher's text go through the same function, so that a
// name the rules read oddly ("West End Ave": W, END, AVE) is read the same
// oddly on both sides.
func parseStreet(s string) streetKey {
	w := words(s)
	var k streetKey
	if len(w) > 1 {
		if d, ok := directions[w[0]]; ok {
			k.dir, w = d, w[1:]
		}
	}
	if len(w) > 1 {
		if d, ok := directions[w[len(w)-1]]; ok {
			k.post, w = d, w[:len(w)-1]
		}
	}
	if len(w) > 1 {
		if t, ok := suffixes[w[len(w)-1]]; ok {
			k.typ, w = t, w[:len(w)-1]
		}
	}
	for i, x := range w {
		switch {
		case x == "SAINT" && i+1 < len(w):
			w[i] = "ST"
		case x == "MOUNT" && i+1 < len(w):
			w[i] = "MT"
		default:
			w[i] = ordinalWord(x)
		}
	}
	k.base = strings.Join(w, " ")
	return k
}

// ordinalWord writes a numbered street's number as its ordinal: "39" and
// "39th" are "39TH", "1" is "1ST", "112" is "112TH". Other words are kept.
func ordinalWord(w string) string {
	digits := strings.TrimRightFunc(w, unicode.IsLetter)
	if digits == "" || len(digits) > 4 || strings.TrimLeft(digits, "0123456789") != "" {
		return w
	}
	if rest := w[len(digits):]; rest != "" && rest != "ST" && rest != "ND" && rest != "RD" && rest != "TH" {
		return w
	}
	n, err := strconv.Atoi(digits)
	if err != nil {
		return w
	}
	return strconv.Itoa(n) + ordinalSuffix(n)
}

func ordinalSuffix(n int) string {
	if n%100 >= 11 && n%100 <= 13 {
		return "TH"
	}
	switch n % 10 {
	case 1:
		return "ST"
	case 2:
		return "ND"
	case 3:
		return "RD"
	}
	return "TH"
}

// placeKey normalises a place name for lookup: case and punctuation do not
// count.
func placeKey(s string) string { return strings.Join(words(s), " ") }

// numberKey normalises a house number for lookup: "0012 b" is "12B".
func numberKey(s string) string {
	k := strings.Join(words(s), "")
	if t := strings.TrimLeft(k, "0"); t != "" {
		return t
	}
	return k
}

// EditDistance is the Levenshtein distance between a and b, in bytes: how
// far what a dispatcher typed is from a name, for suggestions.
func EditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
