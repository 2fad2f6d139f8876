package dispatch

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// An IncidentType is an entry of the incident type catalogue.
type IncidentType struct {
	Code            string `json:"code"`
	Name            string `json:"name"`
	DefaultPriority int    `json:"default_priority"`
	Agency          string `json:"agency,omitempty"` // set for an agency's own type
}

//go:embed incident_types.csv
var incidentTypesCSV string

// IncidentTypes is the built-in catalogue, shipped as data
// (incident_types.csv), after the APCO/NENA common incident types (APCO ANS
// 2.103.2). Agencies add their own (AddIncidentType).
var IncidentTypes = mustParseIncidentTypes(incidentTypesCSV)

// ParseIncidentTypes reads a catalogue: a CSV with the header
// code,name,default_priority; lines starting with # are comments.
func ParseIncidentTypes(r io.Reader) ([]IncidentType, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = 3
	rows, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("incident types: %w", err)
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != "code,name,default_priority" {
		return nil, fmt.Errorf("incident types: the header must be code,name,default_priority")
	}
	var out []IncidentType
	for i, row := range rows[1:] {
		p, err := strconv.Atoi(row[2])
		t := IncidentType{Code: row[0], Name: row[1], DefaultPriority: p}
		if err != nil {
			return nil, fmt.Errorf("incident types line %d: priority %q is not a number", i+2, row[2])
		}
		if err := t.check(); err != nil {
			return nil, fmt.Errorf("incident types line %d: %w", i+2, err)
		}
		if slices.ContainsFunc(out, func(o IncidentType) bool { return o.Code == t.Code }) {
			return nil, fmt.Errorf("incident types line %d: code %s appears twice", i+2, t.Code)
		}
		out = append(out, t)
	}
	return out, nil
}

func mustParseIncidentTypes(s string) []IncidentType {
	ts, err := ParseIncidentTypes(strings.NewReader(s))
	if err != nil {
		panic(err) // the embedded catalogue is fixed at build time
	}
	return ts
}

var typeCodeRE = regexp.MustCompile(`^[A-Z][A-Z0-9_]{1,31}$`)

func (t *IncidentType) check() error {
	if !typeCodeRE.MatchString(t.Code) {
		return Errorf(EINVALID, "incident type code %q must be 2 to 32 capital letters, digits or underscores", t.Code)
	}
	if err := CheckText("incident type name", &t.Name, 100, true); err != nil {
		return err
	}
	if t.DefaultPriority < 0 || t.DefaultPriority > 4 {
		return Errorf(EINVALID, "default priority %d is not between 0 and 4", t.DefaultPriority)
	}
	return nil
}

// IncidentTypeByCode returns the built-in catalogue entry for code.
func IncidentTypeByCode(code string) (IncidentType, bool) {
	for _, t := range IncidentTypes {
		if t.Code == code {
			return t, true
		}
	}
	return IncidentType{}, false
}

// IncidentType returns the type code means for agency: its own, or the
// built-in catalogue's.
func (s *State) IncidentType(agency, code string) (IncidentType, bool) {
	for _, t := range s.agencyTypes[agency] {
		if t.Code == code {
			return t, true
		}
	}
	return IncidentTypeByCode(code)
}

// IncidentTypeList returns the catalogue as agency sees it: the built-in
// types, then its own.
func (s *State) IncidentTypeList(agency string) []IncidentType {
	return append(slices.Clone(IncidentTypes), s.agencyTypes[agency]...)
}

// TypeIncidentTypeAdded records an agency's own incident type.
const TypeIncidentTypeAdded = "incident_type.added"

// IncidentTypeAdded is the payload of incident_type.added.
type IncidentTypeAdded struct {
	IncidentType
}

// AddIncidentType extends an agency's catalogue with a type of its own. A
// supervisor or an administrator of the agency may; a built-in code cannot be
// redefined.
type AddIncidentType struct {
	Type IncidentType
}

// Decide implements Command.
func (c AddIncidentType) Decide(s *State, actor Actor, now time.Time) ([]Event, error) {
	t := c.Type
	if _, ok := s.Agencies[t.Agency]; !ok {
		return nil, Errorf(ENOTFOUND, "agency %q does not exist", t.Agency)
	}
	if err := mayAct(actor, t.Agency); err != nil {
		return nil, err
	}
	if !actor.IsSystem() && actor.Role != RoleSupervisor && actor.Role != RoleAdmin {
		return nil, Errorf(EFORBIDDEN, "only a supervisor or an administrator extends the incident types")
	}
	if err := t.check(); err != nil {
		return nil, err
	}
	if _, ok := s.IncidentType(t.Agency, t.Code); ok {
		return nil, Errorf(ECONFLICT, "incident type %s already exists", t.Code)
	}
	t.Name = strings.TrimSpace(t.Name)
	return []Event{{
		Time: now, Type: TypeIncidentTypeAdded, Agency: t.Agency, Actor: actor,
		Subject: map[string]string{"agency": t.Agency, "incident_type": t.Code},
		Data:    &IncidentTypeAdded{IncidentType: t},
	}}, nil
}
