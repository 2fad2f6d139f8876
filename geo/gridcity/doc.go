// Package gridcity generates the demo city: a stretch of Chicago's
// south-west side laid out by the city's address grid (grid.go), its
// streets and places (the gazetteer, Chicago) and its police districts and
// beats (ChicagoDistricts), written out as a centre's map (Map, WriteDemo,
// DemoMap) that geo reads like any other. It does not geocode: the running
// system geocodes on the map (geo.Map.Geocode). Its tests keep a geocoder
// of their own, written against the grid's rules, to check the map it
// generates independently of geo.
package gridcity
