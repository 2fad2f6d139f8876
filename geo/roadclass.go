package geo

import "strings"

// roadSpeeds are the travel speeds, in miles an hour, that a road class
// stands for when a street gives no SPEED_MPH of its own: round planning
// figures for an emergency vehicle in traffic, not posted limits. The keys
// are TIGER/Line MTFCC codes (the Census Bureau's MAF/TIGER Feature Class
// Codes for roads, S1100–S1780) and the plain words GIS offices use for the
// same classes. A speed of 0 is a way no vehicle drives (a walkway, stairs).
var roadSpeeds = map[string]float64{
	"S1100": 55, "motorway": 55, "highway": 55, "interstate": 55, "freeway": 55,
	"S1200": 35, "primary": 35, "arterial": 35, "trunk": 35,
	"secondary": 30, "collector": 30,
	"S1400": 25, "local": 25, "residential": 25, "": 25, "tertiary": 25, "unclassified": 25,
	"S1630": 30, "ramp": 30,
	"S1640": 15, "service": 15,
	"S1500": 10, "track": 10, "trail": 10,
	"S1730": 10, "alley": 10,
	"S1740": 10, "private": 10,
	"S1780": 10, "parking": 10,
	"S1710": 0, "walkway": 0, "footway": 0, "pedestrian": 0,
	"S1720": 0, "stairway": 0, "steps": 0,
	"S1750": 0, "S1820": 0, "S1830": 0, "path": 0, "cycleway": 0,
}

// ClassSpeedMPH returns the travel speed of a road class (Street.Class),
// in miles an hour, and whether the class is known. Classes are matched
// without regard to case; a speed of 0 means vehicles do not use the way.
func ClassSpeedMPH(class string) (float64, bool) {
	if v, ok := roadSpeeds[class]; ok {
		return v, true
	}
	v, ok := roadSpeeds[strings.ToLower(strings.TrimSpace(class))]
	if !ok {
		v, ok = roadSpeeds[strings.ToUpper(strings.TrimSpace(class))]
	}
	return v, ok
}

// Speed returns the speed, in miles an hour, vehicles travel the street at: its own
// SPEED_MPH if it gives one, else its class's (ClassSpeedMPH); 0 for a way
// no vehicle drives or a class that is not known.
func (s Street) Speed() float64 {
	if s.SpeedMPH > 0 {
		return s.SpeedMPH
	}
	v, _ := ClassSpeedMPH(s.Class)
	return v
}
