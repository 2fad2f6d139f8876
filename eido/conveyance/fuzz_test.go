package conveyance

import (
	"encoding/json"
	"testing"
)

// FuzzParseMessage feeds a subscriber's (or a notifier's) bytes to the
// parser and, for a subscribe, to its checks: none panics, a parsed message
// has exactly one kind, and what is granted is within the notifier's
// limits.
func FuzzParseMessage(f *testing.F) {
	for _, s := range []string{
		`{"subscribe":{"requestId":"r","requestType":"EIDO","requestSubType":"new","minRate":10,"maxRate":2,"expires":60}}`,
		`{"subscribe":{"requestId":"r","requestType":"EIDO","requestSubType":"single","incidentId":"urn:emergency:uid:incidentid:a:b"}}`,
		`{"subscribe":{"requestId":"r","subscriptionId":"s","expires":1}}`,
		`{"unsubscribe":{"requestId":"r","subscriptionId":"s"}}`,
		`{"event":{"subscriptionId":"s","transactionId":"t","notification":[{}]}}`,
		`{"eventResponse":{"transactionId":"t","statusCode":200,"statusText":"OK"}}`,
		`{"subscribe":{"requestId":"r","requestAccepts":"application/emergency.eido+json;version=2"}}`,
		`{"subscribe":{"requestId":"r","requestType":"EIDO","requestSubType":"new","maxRate":9223372036854,"expires":9223372036854}}`,
		`{"x":{}}`, `[]`, `{}`, `null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, _, _, err := ParseMessage(b)
		if err != nil {
			return
		}
		out, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("Marshal(%+v) = %v", m, err)
		}
		var members map[string]json.RawMessage
		if json.Unmarshal(out, &members) != nil || len(members) != 1 {
			t.Fatalf("ParseMessage(%s) = %s: want one kind", b, out)
		}
		if m.Subscribe == nil {
			return
		}
		g, r := checkSubscribe(m.Subscribe)
		if r != nil {
			if r.code < 400 || r.code > 599 {
				t.Fatalf("refusal %d for %s", r.code, b)
			}
			return
		}
		if g.expires < MinExpires || g.expires > MaxExpires || g.minRate < 0 || g.maxRate < 0 ||
			g.minRate > 0 && g.minRate < MinMinRate || g.minRate > 0 && g.maxRate > g.minRate {
			t.Fatalf("checkSubscribe(%s) granted %+v beyond the limits", b, g)
		}
		if (g.subType == SubTypeSingle) != (g.incident != "") {
			t.Fatalf("checkSubscribe(%s) granted %+v: a single subscription names its incident, a new one none", b, g)
		}
	})
}
