package dispatch

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Hidden characters: text that enters tenfour — a location, a caller, a
// narrative, a note, a reason, a message, a BOLO, a name — is shown to a
// dispatcher or an officer, printed in evidence and published. A bidi
// control reorders what is shown after it (an address reads reversed:
// "3900 S Kedzie" shown as "eizdeK S 0093"), and a zero-width character
// makes two names that look the same differ, or hides text. So such text
// is refused, naming the character and where it is (issue 13). Text is
// also normalised to Unicode normal form C first, so that what looks the
// same is the same bytes (an é typed as e and a combining accent is one
// character).
//
// The table names each refused character as the Unicode standard does.
var hiddenRunes = map[rune]string{
	0x061C: "ARABIC LETTER MARK",
	0x180E: "MONGOLIAN VOWEL SEPARATOR",
	0x200B: "ZERO WIDTH SPACE",
	0x200C: "ZERO WIDTH NON-JOINER",
	0x200D: "ZERO WIDTH JOINER",
	0x200E: "LEFT-TO-RIGHT MARK",
	0x200F: "RIGHT-TO-LEFT MARK",
	0x202A: "LEFT-TO-RIGHT EMBEDDING",
	0x202B: "RIGHT-TO-LEFT EMBEDDING",
	0x202C: "POP DIRECTIONAL FORMATTING",
	0x202D: "LEFT-TO-RIGHT OVERRIDE",
	0x202E: "RIGHT-TO-LEFT OVERRIDE",
	0x2060: "WORD JOINER",
	0x2061: "FUNCTION APPLICATION",
	0x2062: "INVISIBLE TIMES",
	0x2063: "INVISIBLE SEPARATOR",
	0x2064: "INVISIBLE PLUS",
	0x2066: "LEFT-TO-RIGHT ISOLATE",
	0x2067: "RIGHT-TO-LEFT ISOLATE",
	0x2068: "FIRST STRONG ISOLATE",
	0x2069: "POP DIRECTIONAL ISOLATE",
	0xFEFF: "ZERO WIDTH NO-BREAK SPACE",
}

// HiddenRune returns the name of r if text may not hold it — a bidi
// control, a zero-width or invisible character, or a tag character
// (U+E0000–U+E007F, which hides ASCII text) — and "" otherwise.
func HiddenRune(r rune) string {
	if name, ok := hiddenRunes[r]; ok {
		return name
	}
	if r >= 0xE0000 && r <= 0xE007F {
		return "TAG CHARACTER"
	}
	return ""
}

// CheckText normalises *v to Unicode normal form C and returns an EINVALID
// error naming field unless the result is valid UTF-8 of at most max
// characters, holding no control character other than newline and tab and
// no hidden character (HiddenRune), and — if required — not blank. The
// error for a hidden character names it and its position, counting
// characters from 1: "location text holds U+202E RIGHT-TO-LEFT OVERRIDE at
// position 4; remove it".
func CheckText(field string, v *string, max int, required bool) error {
	if required && strings.TrimSpace(*v) == "" {
		return Errorf(EINVALID, "%s is required", field)
	}
	if !utf8.ValidString(*v) {
		return Errorf(EINVALID, "%s is not valid UTF-8", field)
	}
	s := norm.NFC.String(*v)
	if utf8.RuneCountInString(s) > max {
		return Errorf(EINVALID, "%s is longer than %d characters", field, max)
	}
	pos := 0
	for _, r := range s {
		pos++
		if r < 0x20 && r != '\n' && r != '\t' {
			return Errorf(EINVALID, "%s contains control characters", field)
		}
		if name := HiddenRune(r); name != "" {
			return Errorf(EINVALID, "%s holds %s at position %d; remove it", field, runeName(r, name), pos)
		}
	}
	*v = s
	return nil
}

// runeName is "U+202E RIGHT-TO-LEFT OVERRIDE".
func runeName(r rune, name string) string { return fmt.Sprintf("U+%04X %s", r, name) }
