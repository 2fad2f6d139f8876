// Package gridcity generates the demo city: a stretch of Chicago's
// south-west side laid out by the city's address grid (grid.go), its
// streets and places (the gazetteer, Chicago) and its police districts and
// beats (ChicagoDistricts), written out as a centre's map (Map, WriteDemo,
// DemoMap) that geo reads like any other. The running system geocodes on
// the map (geo.Map.Geocode); the grid's own geocoder (geocode.go), what
// tenfour used before it had a map, stays as an independent check of the
// generated map and as the baseline of tenfour bench geocode.
package gridcity
