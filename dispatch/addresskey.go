package dispatch

import (
	"strings"
	"unicode"
)

// AddressKey returns the normalised form of a location's text under which
// the archive files a closed record (store.Archived.Address) and a history
// search looks it up: lower case, punctuation dropped, words single-spaced,
// and the common street words in their USPS abbreviation (Publication 28,
// appendix C1), so that "12 North Main Street" and "12 n. main st" are one
// address. A location without text has no key ("").
func AddressKey(l Location) string {
	words := strings.FieldsFunc(strings.ToLower(l.Text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '&' && r != '/'
	})
	for i, w := range words {
		if abbr, ok := streetWords[w]; ok {
			words[i] = abbr
		}
	}
	return strings.Join(words, " ")
}

// streetWords are the street suffixes and directions most often written in
// full, with their USPS abbreviations.
var streetWords = map[string]string{
	"street": "st", "avenue": "ave", "av": "ave", "road": "rd", "boulevard": "blvd",
	"drive": "dr", "lane": "ln", "court": "ct", "place": "pl", "terrace": "ter",
	"highway": "hwy", "parkway": "pkwy", "circle": "cir", "square": "sq",
	"north": "n", "south": "s", "east": "e", "west": "w",
	"northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw",
}
