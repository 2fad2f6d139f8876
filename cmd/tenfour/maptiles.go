package main

import (
	"flag"

	tenfourhttp "github.com/tenfour-cad/tenfour/http"
)

// mapTilesFlags adds --map-tiles and --map-tiles-attribution to fs. The
// function it returns, called after parsing, checks them and gives the
// console map's tile layer: none without --map-tiles.
func mapTilesFlags(fs *flag.FlagSet) func() (tenfourhttp.MapTiles, error) {
	url := fs.String("map-tiles", "", "draw raster map tiles beneath the console's map from this `URL` template, such as https://tile.example.org/{z}/{x}/{y}.png (web-mercator {z}/{x}/{y}; {s} for a, b, c); the console's pages then allow images from that origin. Without it the console fetches nothing from another site")
	attribution := fs.String("map-tiles-attribution", "", "the attribution `text` the tile provider asks for, shown on the map")
	return func() (tenfourhttp.MapTiles, error) {
		if *url == "" {
			return tenfourhttp.MapTiles{}, nil
		}
		return tenfourhttp.ParseMapTiles(*url, *attribution)
	}
}
