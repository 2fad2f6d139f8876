package eido_test

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/eido"
)

func TestPIDFLO(t *testing.T) {
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	lat, lon := 41.8236, -87.7047
	for _, tc := range []struct {
		name    string
		loc     dispatch.Location
		want    []string
		wantNot []string
	}{
		{"Address", dispatch.Location{Text: "3900 S Kedzie Ave", Lat: &lat, Lon: &lon, Verified: true},
			[]string{"<ca:HNO>3900</ca:HNO>", "<ca:RD>S Kedzie Ave</ca:RD>", "<gml:pos>41.8236 -87.7047</gml:pos>", "<gp:method>Derived</gp:method>"}, nil},
		{"Intersection", dispatch.Location{Text: "39th Pl & S Kedzie Ave"},
			[]string{"<ca:RD>39th Pl</ca:RD>", "<gp:method>Manual</gp:method>"}, []string{"HNO", "gml:Point", "Kedzie"}},
		{"Escaped", dispatch.Location{Text: `Lot <B> "C"&D`},
			[]string{"<ca:RD>Lot &lt;B&gt; &quot;C&quot;&amp;D</ca:RD>"}, nil},
		{"PointOnly", dispatch.Location{Lat: &lat, Lon: &lon},
			[]string{"<gml:pos>41.8236 -87.7047</gml:pos>"}, []string{"civicAddress"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := eido.PIDFLO("urn:x", tc.loc, at)
			// It must be well-formed XML.
			d := xml.NewDecoder(strings.NewReader(got))
			for {
				_, err := d.Token()
				if err != nil {
					if err != io.EOF {
						t.Fatalf("PIDFLO(%+v) is not XML: %v\n%s", tc.loc, err, got)
					}
					break
				}
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("PIDFLO(%+v) = %s, want %s in it", tc.loc, got, w)
				}
			}
			for _, w := range tc.wantNot {
				if strings.Contains(got, w) {
					t.Errorf("PIDFLO(%+v) = %s, want no %s", tc.loc, got, w)
				}
			}
		})
	}
}

func TestTelURI(t *testing.T) {
	for in, want := range map[string]string{
		"(312) 555-0100":  "tel:3125550100",
		"+1 312 555 0147": "tel:+13125550147",
		"ext. only":       "tel:ext. only",
	} {
		if got := eido.TelURI(in); got != want {
			t.Errorf("TelURI(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParseIncidentURN(f *testing.F) {
	f.Add("metro-2026-000001", "tenfour.test/log")
	f.Add("a", "b:c")
	f.Fuzz(func(t *testing.T, id, origin string) {
		if strings.Contains(id, ":") {
			t.Skip("not a tenfour id: they hold no colon")
		}
		urn := eido.IncidentURN(id, origin)
		gotID, gotOrigin, ok := eido.ParseIncidentURN(urn)
		valid := id != "" && origin != ""
		if ok != valid || (ok && (gotID != id || gotOrigin != origin)) {
			t.Fatalf("ParseIncidentURN(IncidentURN(%q, %q)) = %q, %q, %v", id, origin, gotID, gotOrigin, ok)
		}
	})
}

func FuzzValidate(f *testing.F) {
	f.Add([]byte(`{"eidoVersion":"1.0"}`))
	f.Add([]byte(`[`))
	f.Add([]byte(`{"$id":"x","lastUpdateTimeStamp":"2026-01-01T00:00:00Z","updatedByAgencyReference":{"$ref":"a"},"eidoVersion":"1.0","issuingElementIdentification":"i","agencyComponent":[]}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		err := eido.Validate(doc) // must answer, never panic
		var ie *eido.InvalidError
		if err != nil && !errorsAs(err, &ie) {
			t.Fatalf("Validate(%q) = %v, want nil or an *InvalidError", doc, err)
		}
	})
}

func errorsAs(err error, target **eido.InvalidError) bool { return errors.As(err, target) }

// Every built-in incident type has its own APCO common type, and maps back.
func TestCommonIncidentTypes(t *testing.T) {
	seen := map[string]string{}
	for _, it := range dispatch.IncidentTypes {
		c, ok := eido.CommonIncidentType(it.Code)
		if !ok {
			t.Errorf("CommonIncidentType(%s) = %s, false; want an APCO type for every built-in type", it.Code, c)
			continue
		}
		if other, dup := seen[c]; dup {
			t.Errorf("%s and %s both map to %s: an import could not map back", other, it.Code, c)
		}
		seen[c] = it.Code
		if back, ok := eido.TenfourIncidentType(c); !ok || back != it.Code {
			t.Errorf("TenfourIncidentType(%s) = %s, %v; want %s", c, back, ok, it.Code)
		}
	}
	if c, ok := eido.CommonIncidentType("METRO_OWN_TYPE"); ok || c != eido.UnmappedIncidentType {
		t.Errorf("CommonIncidentType(an agency's own) = %s, %v; want %s, false", c, ok, eido.UnmappedIncidentType)
	}
}
