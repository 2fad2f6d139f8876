package http_test

import (
	"testing"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// TestHiddenCharacters: text holding a bidi control or a zero-width
// character is refused at every entrance with 422 and a sentence naming
// the field, the character and where it is (issue 13: an address shown
// reversed).
func TestHiddenCharacters(t *testing.T) {
	ts := MustOpenServer(t)
	ts.MustExecute(t, dispatch.CreateAgency{ID: "metro", Name: "Metro PD", Kind: "municipal_police"})
	disp := ts.MustCreateUser(t, "dan", "metro", dispatch.RoleDispatcher)
	before := ts.Engine.Log().Size()
	CheckProblem(t, "POST an incident with U+202E", ts.Do(t, "POST", "/api/v1/incidents", disp, map[string]any{"type": "THEFT",
		"location": map[string]string{"text": "390\u202e0 S Kedzie Ave"}}),
		422, dispatch.EINVALID, "location text holds U+202E RIGHT-TO-LEFT OVERRIDE at position 4; remove it")
	CheckProblem(t, "POST an incident with U+200B in the caller", ts.Do(t, "POST", "/api/v1/incidents", disp, map[string]any{"type": "THEFT",
		"location": map[string]string{"text": "3900 S Kedzie Ave"}, "caller": map[string]string{"name": "Jo\u200b Smith"}}),
		422, dispatch.EINVALID, "caller name holds U+200B ZERO WIDTH SPACE at position 3; remove it")
	CheckProblem(t, "POST a token named with U+2067", ts.Do(t, "POST", "/api/v1/users/dan/tokens", ts.Admin, map[string]any{"name": "\u2067tablet"}),
		422, dispatch.EINVALID, "token name holds U+2067 RIGHT-TO-LEFT ISOLATE at position 1; remove it")
	for _, e := range ts.Events(t, before) {
		if e.Type != dispatch.TypeTokenUsed {
			t.Errorf("refused text logged %s", e.Type)
		}
	}
}
