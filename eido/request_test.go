package eido_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/eido"
)

// TestRequestDocument: a request for assistance travels as an EIDO that
// NENA's schema accepts, naming its place, nature and agency.
func TestRequestDocument(t *testing.T) {
	lat, lon := 41.8236, -87.7052
	at := time.Date(2026, 4, 1, 15, 0, 0, 0, time.UTC)
	for _, urgency := range dispatch.Urgencies {
		r := dispatch.AssistRequest{ID: "federal-A-2026-000001", From: "federal", Urgency: urgency, Nature: "agents boxed in",
			Location: dispatch.Location{Text: "39th Pl & S Kedzie Ave", Lat: &lat, Lon: &lon}, Created: at}
		doc := eido.Request(r, dispatch.Agency{ID: "federal", Name: "Federal Patrol", Kind: "federal"}, "federal.example/log")
		b, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		if err := eido.Validate(b); err != nil {
			t.Fatalf("%s: the request's EIDO does not validate: %v\n%s", urgency, err, b)
		}
		s := string(b)
		for _, want := range []string{"federal-A-2026-000001", "agents boxed in", "Federal Patrol", "41.8236"} {
			if !strings.Contains(s, want) {
				t.Errorf("%s: the EIDO does not say %q:\n%s", urgency, want, b)
			}
		}
		if urgency == dispatch.UrgencyEmergency && !strings.Contains(s, "MAYDAY") {
			t.Errorf("an EMERGENCY request is not the registry's MAYDAY:\n%s", b)
		}
	}
}
