// Package geo turns the words a caller says about a place into a position on
// a centre's own map, a position back into words, and keeps the units'
// positions for the nearest-unit search.
//
// A centre's map (Map) comes from the open formats GIS offices publish, four
// files of a directory (MapData, LoadDir, WriteDir):
//
//   - streets.geojson: street centerlines with TIGER/Line-style names and
//     left and right address ranges, and a road class or speed;
//   - addresses.csv: address points in the OpenAddresses layout (optional);
//   - places.geojson: common place names and their aliases, as points or
//     polygons (optional);
//   - zones.geojson: the police districts and beats, as polygons.
//
// On that map:
//
//   - Geocode resolves free text such as "3900 S Kedzie Ave", "39th Pl &
//     Kedzie", "Midway Airport" or "41.8236,-87.7047" to a Result: an address
//     point, else a number interpolated along its street's range; an
//     intersection found from the two centerlines' geometry; a place. Its
//     errors are *Error values with a code and suggestions or candidates;
//   - Reverse writes a position as the nearest address;
//   - ZoneAt finds the district and beat of a position.
//
// Each works on the map's own flat projection (Projection), around the middle
// of the map, through static grids of cells built once: a Map does not change
// and is safe for concurrent use. Index is the moving counterpart: the units'
// latest positions, for the nearest-unit search.
//
// Street.Speed gives each street's travel speed from its class (roadclass.go).
// The demo's generated Chicago grid, and the generator of its map files, live
// in geo/gridcity; this package does not use them.
//
// The package is pure: it reads only the files and readers it is given and
// keeps no global state.
package geo
