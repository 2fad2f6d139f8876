// Package geo turns the words a caller says about a place into a position on
// the map, and a position back into words.
//
// It holds three things, each in its own file:
//
//   - the address grid (grid.go): Chicago's published grid rules, which turn a
//     grid address such as "3900 S, 3200 W" into latitude and longitude;
//   - the gazetteer (gazetteer.go): street segments and named places, loaded
//     from a CSV file or generated from the grid rules for the demo city;
//   - the geocoder (geocode.go): free text such as "3900 S Kedzie Ave",
//     "39th Pl & S Kedzie Ave" or "41.8236,-87.7047" to a Result, and a
//     position back to the nearest address.
//
// The package is pure: it reads only the io.Reader it is given and keeps no
// global state.
package geo
