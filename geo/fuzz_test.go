package geo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The readers take files from outside; whatever the bytes, they return
// data or an error and never panic.

// seedFile adds the committed test city's file as a seed, and broken
// variants of it.
func seedFile(f *testing.F, name string, more ...string) {
	b, err := os.ReadFile(filepath.Join(rbDir, name))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(b))
	f.Add(string(b[:len(b)/2]))
	for _, s := range more {
		f.Add(s)
	}
}

func FuzzReadStreets(f *testing.F) {
	seedFile(f, StreetsFile,
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"FULLNAME":"A St","LFROMADD":1,"LTOADD":"9","SPEED_MPH":"30"},"geometry":{"type":"MultiLineString","coordinates":[[[0,0],[1,1]],[[1,1,5]]]}}]}`,
		`{"features":[{"type":"Feature","properties":null,"geometry":{"type":"LineString","coordinates":[[1e999,0],[0]]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"FULLNAME":"A St","ALIASES":"B St; ;a street"},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"FULLNAME":"A St","ALIASES":["B St",null,"b st"]},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}]}`,
		`[]`, `{"features":{}}`)
	f.Fuzz(func(t *testing.T, s string) {
		streets, err := ReadStreets(strings.NewReader(s))
		if err == nil {
			for _, st := range streets {
				if checkStreet(st) != nil {
					t.Errorf("ReadStreets accepted %+v, which checkStreet refuses", st)
				}
			}
		}
	})
}

func FuzzReadPlaces(f *testing.F) {
	seedFile(f, PlacesFile,
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"X","aliases":"Y"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[0,0],[0,0],[0,0]]]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"X"},"geometry":{"type":"Point","coordinates":[]}}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		if ps, err := ReadPlaces(strings.NewReader(s)); err == nil {
			for _, p := range ps {
				if checkPoint(p.At) != nil {
					t.Errorf("ReadPlaces accepted a place at %v", p.At)
				}
			}
		}
	})
}

func FuzzReadZones(f *testing.F) {
	seedFile(f, ZonesFile,
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"district":"1"},"geometry":{"type":"MultiPolygon","coordinates":[[]]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"district":7},"geometry":null}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		if zs, err := ReadZones(strings.NewReader(s)); err == nil {
			for _, z := range zs {
				if checkZone(z) != nil {
					t.Errorf("ReadZones accepted %+v, which checkZone refuses", z)
				}
			}
		}
	})
}

func FuzzReadAddresses(f *testing.F) {
	seedFile(f, AddressesFile,
		"lon,lat,number,street,unit,city,district,region,postcode,id,hash\n1,2,3,A St,,,,,,,\n",
		"\ufeffLON,LAT,NUMBER,STREET,UNIT,CITY,DISTRICT,REGION,POSTCODE,ID,HASH\n\"1,2,3\n",
		"")
	f.Fuzz(func(t *testing.T, s string) {
		if as, err := ReadAddresses(strings.NewReader(s)); err == nil {
			for _, a := range as {
				if checkAddress(a) != nil {
					t.Errorf("ReadAddresses accepted %+v, which checkAddress refuses", a)
				}
			}
		}
	})
}

// FuzzGeocode checks that no text makes Geocode panic or answer with a
// nil error and no kind.
func FuzzGeocode(f *testing.F) {
	for _, s := range []string{"1301 Market St", "Crescent & Bridge", "45.5,-122.6", "rgh", "&", "1 1", "@@", "Markte St", "0 N", "1201 Old Mill Rd", "Riverfront & Crescent", "501 riverfront"} {
		f.Add(s)
	}
	m := MustLoadRiverbend(f)
	f.Fuzz(func(t *testing.T, s string) {
		r, err := m.Geocode(s)
		if err == nil && r.Kind == "" {
			t.Errorf("Geocode(%q) = %+v without a kind", s, r)
		}
		if err != nil && ErrorCode(err) == "" {
			t.Errorf("Geocode(%q) = %v, not an *Error", s, err)
		}
	})
}
