package http

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// streetsAnswer is what GET /api/v1/streets answers: the map's streets as
// polylines of [lat, lon] (six decimals, about 10 cm) — each street's
// features joined end to end where they continue one another — each with
// its street's name and whether it is a major road (30 mph or more), and
// its named places.
type streetsAnswer struct {
	Streets []streetLine `json:"streets"`
	Places  []placePoint `json:"places"`
}

type streetLine struct {
	Name  string       `json:"name"`
	Major bool         `json:"major,omitempty"`
	Line  [][2]float64 `json:"line"`
}

type placePoint struct {
	Name string  `json:"name"`
	Lat  float64 `json:"lat"`
	Lon  float64 `json:"lon"`
}

// micro rounds a coordinate to six decimals.
func micro(v float64) float64 { return math.Round(v*1e6) / 1e6 }

// handleStreets answers the map's streets and named places, for maps.
func (s *Server) handleStreets(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.drawing.streets)
}

// MapTiles is a raster tile layer that the console's map draws beneath its
// own layers: a URL template in the {z}/{x}/{y} scheme of web-mercator
// ("slippy map") tiles, such as https://tile.example.org/{z}/{x}/{y}.png,
// optionally with {s} as the first label of the host for the servers a, b
// and c, and the attribution its provider asks for. The zero MapTiles is no
// tile layer: the console then fetches nothing from any other site.
type MapTiles struct {
	URL         string `json:"url"`
	Attribution string `json:"attribution,omitempty"`
	MaxZoom     int    `json:"max_zoom"`
	source      string // the tiles' origin as a CSP source expression
}

// mapHost is a host name, an IPv4 address or a bracketed IPv6 address, with
// an optional port: nothing a Content-Security-Policy would read otherwise.
var mapHost = regexp.MustCompile(`^(\*\.)?([A-Za-z0-9-]+\.)*[A-Za-z0-9-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$`)

// ParseMapTiles checks a tile URL template (for --map-tiles) and returns
// the layer, or an error saying what is wrong with it.
func ParseMapTiles(template, attribution string) (MapTiles, error) {
	for _, p := range []string{"{z}", "{x}", "{y}"} {
		if !strings.Contains(template, p) {
			return MapTiles{}, fmt.Errorf("map tiles %q: the URL template needs {z}, {x} and {y}, such as https://tile.example.org/{z}/{x}/{y}.png", template)
		}
	}
	probe := strings.NewReplacer("{z}", "0", "{x}", "0", "{y}", "0", "{s}", "a").Replace(template)
	if strings.ContainsAny(probe, "{}") {
		return MapTiles{}, fmt.Errorf("map tiles %q: only {z}, {x}, {y} and {s} may be in braces", template)
	}
	u, err := url.Parse(probe)
	if err != nil {
		return MapTiles{}, fmt.Errorf("map tiles %q: %w", template, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.User != nil {
		return MapTiles{}, errors.New("map tiles " + template + ": want an http or https URL with a host and no user name")
	}
	host := u.Host
	if i := strings.Index(template, "{s}"); i >= 0 {
		// {s} may only be the first label of the host: the policy then
		// allows *.rest-of-host.
		prefix := u.Scheme + "://{s}."
		if !strings.HasPrefix(template, prefix) || strings.Count(template, "{s}") != 1 {
			return MapTiles{}, fmt.Errorf("map tiles %q: {s} may only be the first part of the host name, as https://{s}.tile.example.org/{z}/{x}/{y}.png", template)
		}
		host = "*" + strings.TrimPrefix(host, "a")
	}
	if !mapHost.MatchString(host) {
		return MapTiles{}, fmt.Errorf("map tiles %q: %q is not a host name", template, u.Host)
	}
	if len(attribution) > 300 || strings.ContainsAny(attribution, "\r\n") {
		return MapTiles{}, errors.New("map tiles attribution: one line of at most 300 characters")
	}
	return MapTiles{URL: template, Attribution: attribution, MaxZoom: 19, source: strings.ToLower(u.Scheme + "://" + host)}, nil
}

// SetMapTiles gives the console a tile layer; the console's pages then allow
// images from the tiles' origin and from nowhere else. Set it before serving.
func (s *Server) SetMapTiles(t MapTiles) { s.mapTiles = t }

// handleMapTiles answers the tile layer the console's map draws, if any:
// {"url": ""} when none was given.
func (s *Server) handleMapTiles(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.mapTiles)
}

// consolePolicy is the console pages' Content-Security-Policy: consoleCSP,
// with the tile layer's origin allowed as an image source when there is one.
func (s *Server) consolePolicy() string {
	if s.mapTiles.source == "" {
		return consoleCSP
	}
	return strings.Replace(consoleCSP, "img-src 'self' data:;", "img-src 'self' data: "+s.mapTiles.source+";", 1)
}
