package sim

import (
	"sync"

	"github.com/tenfour-cad/tenfour/geo"
	"github.com/tenfour-cad/tenfour/geo/gridcity"
)

// A district is one police district of a map as the simulator plans it:
// its id and the ids of its beats, in the order the map's zones file first
// names them, so that the same map always gives the same plan.
type district struct {
	id    string
	beats []string
}

// districtsOf returns the districts of zones, each with its beats, in the
// order of first mention. A zone without a district (a fire zone alone) is
// no police area; a district's zone without a beat adds no beat.
func districtsOf(zones []geo.Zone) []district {
	var out []district
	at := map[string]int{}
	seen := map[[2]string]bool{}
	for _, z := range zones {
		if z.District == "" {
			continue
		}
		i, ok := at[z.District]
		if !ok {
			i = len(out)
			at[z.District] = i
			out = append(out, district{id: z.District})
		}
		if z.Beat != "" && !seen[[2]string{z.District, z.Beat}] {
			seen[[2]string{z.District, z.Beat}] = true
			out[i].beats = append(out[i].beats, z.Beat)
		}
	}
	return out
}

// An area is where a unit works: a beat of a district, a whole district
// (Beat ""), or the whole map (both "").
type area struct{ district, beat string }

// holds reports whether zone z lies in the area.
func (a area) holds(z geo.Zone) bool {
	return a.district == "" || (z.District == a.district && (a.beat == "" || z.Beat == a.beat))
}

// demoMap is the generated city's map (gridcity.DemoMap), built once for
// Plan: it never changes.
var demoMap = sync.OnceValue(func() *geo.Map {
	m, err := gridcity.DemoMap()
	if err != nil {
		panic("sim: " + err.Error()) // generated, not read: a broken invariant of gridcity
	}
	return m
})
