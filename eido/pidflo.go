package eido

import (
	"encoding/xml"
	"io"
	"strconv"
	"strings"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// PIDFLocation reads what tenfour places from a PIDF-LO document (RFC
// 4119, RFC 5491; EIDO locationByValue): a civic address (RFC 5139:
// HNO, HNS, PRD, RD, STS, POD) as text, and the position of a geodetic
// shape (gml:pos, "lat lon", in a Point, Circle or Ellipsoid). It reports
// false when the document gives neither. The map places the address (its
// own point then, if it knows it: ImportIncident.Place); a point without
// an address gets the nearest address.
func PIDFLocation(doc string) (dispatch.Location, bool) {
	if strings.TrimSpace(doc) == "" {
		return dispatch.Location{}, false
	}
	d := xml.NewDecoder(strings.NewReader(strings.TrimSpace(doc)))
	d.Strict = false
	civic := map[string]string{}
	var pos string
	var path []string
	inCivic := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return dispatch.Location{}, false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			path = append(path, t.Name.Local)
			if t.Name.Local == "civicAddress" {
				inCivic = len(path)
			}
		case xml.EndElement:
			if len(path) > 0 {
				if len(path) == inCivic {
					inCivic = 0
				}
				path = path[:len(path)-1]
			}
		case xml.CharData:
			if len(path) == 0 {
				continue
			}
			text := strings.TrimSpace(string(t))
			if text == "" {
				continue
			}
			name := path[len(path)-1]
			switch {
			case inCivic > 0 && len(path) == inCivic+1:
				civic[name] += text
			case name == "pos" && pos == "":
				pos = text
			}
		}
	}
	var parts []string
	number := strings.TrimSpace(civic["HNO"] + civic["HNS"])
	for _, p := range []string{number, civic["PRD"], civic["RD"], civic["STS"], civic["POD"]} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	// Both, when both are given: the address is geocoded on this centre's
	// map, and the sender's point stands where the map does not know it.
	var l dispatch.Location
	if len(parts) > 0 && civic["RD"] != "" {
		l.Text = strings.Join(parts, " ")
	}
	if f := strings.Fields(pos); len(f) >= 2 {
		lat, err1 := strconv.ParseFloat(f[0], 64)
		lon, err2 := strconv.ParseFloat(f[1], 64)
		if err1 == nil && err2 == nil && lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 {
			l.Lat, l.Lon = &lat, &lon
		}
	}
	return l, l.Text != "" || l.Lat != nil
}
