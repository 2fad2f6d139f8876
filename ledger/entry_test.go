package ledger_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tenfour-cad/tenfour/ledger"
)

func TestParseEntry(t *testing.T) {
	e, err := ledger.ParseEntry([]byte(seedEntry))
	if err != nil {
		t.Fatalf("ParseEntry(%s) = %v", seedEntry, err)
	}
	if e.Seq != 7 || e.Type != "unit.status_changed" || e.Agency != "north" || e.Actor.User != "ann" || e.Subject["unit"] != "M1" || string(e.Data) != `{"to":"on_scene","n":[1,2.5,null]}` {
		t.Fatalf("ParseEntry(%s) = %+v", seedEntry, e)
	}

	valid := func(field, value string) string {
		// seedEntry with one member replaced.
		i := strings.Index(seedEntry, `"`+field+`":`)
		j := i + len(field) + 3
		depth, end := 0, j
		for ; end < len(seedEntry); end++ {
			switch seedEntry[end] {
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
			if depth < 0 || depth == 0 && seedEntry[end] == ',' {
				break
			}
		}
		return seedEntry[:j] + value + seedEntry[end:]
	}
	tests := []struct {
		name, entry string
	}{
		{"NegativeSeq", valid("seq", "-1")},
		{"FractionalSeq", valid("seq", "1.5")},
		{"StringSeq", valid("seq", `"7"`)},
		{"NoType", valid("type", `""`)},
		{"TimeWithOffset", valid("time", `"2025-03-14T16:09:26+01:00"`)},
		{"TimeNotRFC3339", valid("time", `"14 March 2025"`)},
		{"NoActor", valid("actor", `{}`)},
		{"ActorUnknownField", valid("actor", `{"user":"ann","name":"Ann"}`)},
		{"UnknownField", strings.Replace(seedEntry, `"type"`, `"kind":1,"type"`, 1)},
		{"BadCommitment", strings.TrimSuffix(seedEntry, "}") + `,"private":{"caller_phone":"AAAA"}}`},
		{"TrailingBracket", seedEntry + "]"},
		{"TrailingBrace", seedEntry + "}"},
		{"TwoObjects", seedEntry + seedEntry},
		{"Truncated", seedEntry[:len(seedEntry)-1]},
		{"Array", "[" + seedEntry + "]"},
		{"Empty", ""},
		{"Null", "null"},
		{"TooLarge", strings.Replace(seedEntry, `"to":"on_scene"`, `"to":"`+strings.Repeat("x", ledger.MaxEntrySize)+`"`, 1)},
	}
	for _, tt := range tests {
		if e, err := ledger.ParseEntry([]byte(tt.entry)); err == nil {
			t.Errorf("%s: ParseEntry(%.200s) = %+v, nil, want an error", tt.name, tt.entry, e)
		}
	}
	// The helper above only replaces what it is asked to.
	if _, err := ledger.ParseEntry([]byte(valid("seq", "8"))); err != nil {
		t.Fatalf("ParseEntry(seedEntry with seq 8) = %v", err)
	}
	// An actor whose user is a commitment (docs/log.md, "Who acted"): an
	// empty actor object is valid when the entry commits to its user.
	committed := strings.TrimSuffix(valid("actor", `{}`), "}") + `,"private":{"` + ledger.PrivateActorUser + `":"` + strings.Repeat("A", 43) + `="}}`
	if e, err := ledger.ParseEntry([]byte(committed)); err != nil || e.Actor.User != "" {
		t.Errorf("ParseEntry(%s) = %+v, %v; want an entry whose actor is a commitment", committed, e, err)
	}
}

// TestActorToken: the actor names the API token acted with, after every
// other member, and an actor without one encodes exactly as before the
// member existed, so that old leaves and sessions' leaves are unchanged.
func TestActorToken(t *testing.T) {
	for _, tc := range []struct {
		name  string
		actor ledger.Actor
		want  string
	}{
		{"Session", ledger.Actor{User: "ann", Agency: "metro", Role: "dispatcher"}, `{"user":"ann","agency":"metro","role":"dispatcher"}`},
		{"System", ledger.Actor{System: "timers"}, `{"system":"timers"}`},
		{"Token", ledger.Actor{User: "ann", Agency: "metro", Role: "dispatcher", Token: "0123456789abcdef"}, `{"user":"ann","agency":"metro","role":"dispatcher","token":"0123456789abcdef"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.actor)
			if err != nil || string(b) != tc.want {
				t.Errorf("json.Marshal(%+v) = %s, %v, want %s", tc.actor, b, err, tc.want)
			}
			leaf := strings.Replace(seedEntry, `"actor":{"user":"ann","role":"dispatcher"}`, `"actor":`+tc.want, 1)
			e, err := ledger.ParseEntry([]byte(leaf))
			if err != nil || e.Actor != tc.actor {
				t.Errorf("ParseEntry(%s) actor = %+v, %v, want %+v", leaf, e.Actor, err, tc.actor)
			}
		})
	}
}
