package dispatch

// Places is the centre's map as the domain asks it about the places that
// commands carry. The engine holds one, built from the centre's map files,
// and places every command before deciding it (Placed), whatever entrance
// the command came through: the API, an EIDO import, a partner's message,
// the simulator. Implementations are pure functions of the map: no I/O.
type Places interface {
	// Resolve completes a location as it was given. Text that the map
	// knows gets the map's point and normal spelling and is Verified; text
	// it does not know stays as given, unverified and without a point. A
	// bare point gets the nearest address as its text. A point given with
	// text keeps both, unverified (the map did not find the text). Any
	// point gets the district, beat and zone it lies in. Verified,
	// District, Beat and Zone as given are ignored: only the map says.
	Resolve(l Location) Location
	// HasDistrict reports whether the map has a district with that id.
	HasDistrict(id string) bool
}

// Placed is a command that carries places. Place returns the command with
// each of its places resolved by p (Places.Resolve), or an error when a
// place it names does not exist on the map (a directive over an unknown
// district).
type Placed interface {
	Command
	Place(p Places) (Command, error)
}

// NoPlaces is the map of an installation that has none: it resolves no
// text and no zone, and keeps points and text as given, unverified.
type NoPlaces struct{}

// Resolve implements Places.
func (NoPlaces) Resolve(l Location) Location {
	l.Verified, l.District, l.Beat, l.Zone = false, "", "", ""
	return l
}

// HasDistrict implements Places.
func (NoPlaces) HasDistrict(string) bool { return false }

// Place implements Placed: the incident's location.
func (c CreateIncident) Place(p Places) (Command, error) {
	c.Location = p.Resolve(c.Location)
	return c, nil
}

// Place implements Placed: the requester's location.
func (c RequestAssist) Place(p Places) (Command, error) {
	c.Location = p.Resolve(c.Location)
	return c, nil
}

// Place implements Placed: the premise's location. A premise is a point
// on the map: text the map does not know is refused here, not stored
// without a point.
func (c RecordPremise) Place(p Places) (Command, error) {
	c.Location = p.Resolve(c.Location)
	if c.Location.Lat == nil && c.Location.Text != "" {
		return nil, Errorf(EINVALID, "the map does not know %q; give an address it knows, or a latitude and longitude", c.Location.Text)
	}
	return c, nil
}

// Place implements Placed: the fixed location, which must be on the map.
func (c FixLocation) Place(p Places) (Command, error) {
	c.Location = p.Resolve(c.Location)
	if c.Location.Lat == nil && c.Location.Text != "" {
		return nil, Errorf(EINVALID, "the map does not know %q; give an address it knows, or a latitude and longitude", c.Location.Text)
	}
	return c, nil
}

// Place implements Placed: the position an EMERGENCY is raised from gets
// its nearest address, district and beat, so that a directive over a
// district meets the request it raises. Other statuses carry the position
// alone.
func (c SetUnitStatus) Place(p Places) (Command, error) {
	c.Near, c.District, c.Beat = "", "", ""
	if c.Status == StatusEmergency && c.Lat != nil && c.Lon != nil {
		l := p.Resolve(Location{Lat: c.Lat, Lon: c.Lon})
		c.Near, c.District, c.Beat = l.Text, l.District, l.Beat
	}
	return c, nil
}

// Place implements Placed: a directive over a district names one of the
// map's.
func (c IssueDirective) Place(p Places) (Command, error) {
	if c.Scope.Kind == ScopeDistrict && c.Scope.District != "" && !p.HasDistrict(c.Scope.District) {
		return nil, Errorf(EINVALID, "the map has no district %q", c.Scope.District)
	}
	return c, nil
}

// Place implements Placed: a BOLO over a district names one of the map's.
func (c IssueBOLO) Place(p Places) (Command, error) {
	if c.Area.Kind == ScopeDistrict && c.Area.District != "" && !p.HasDistrict(c.Area.District) {
		return nil, Errorf(EINVALID, "the map has no district %q", c.Area.District)
	}
	return c, nil
}

// Place implements Placed: the command entered late is placed as it
// would be on time.
func (c LateEntry) Place(p Places) (Command, error) {
	pc, ok := c.Command.(Placed)
	if !ok {
		return c, nil
	}
	inner, err := pc.Place(p)
	if err != nil {
		return nil, err
	}
	c.Command = inner
	return c, nil
}
