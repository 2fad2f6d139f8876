package dispatch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"time"
)

// StateFormat names the encoding of EncodeState. A snapshot in another
// format is not decoded: a node that meets one replays the log instead.
// Change it whenever State or a type it holds changes shape.
const StateFormat = "tenfour-state/4"

// The snapshot codec writes every field of the state by its Go name, so that
// what the API hides (json:"-") and what it omits when empty are kept, and
// a nil slice stays nil while an empty one stays empty: the state decoded
// is the state encoded, field for field (snapshot_test.go checks it with
// reflect.DeepEqual over random histories). It refuses a type it cannot
// carry whole (an unexported field outside State's own, an interface, a
// function) rather than drop it in silence.

// stateFields is the State as the snapshot carries it: its exported maps
// and the unexported counters that ids are made from. Indexes derived from
// the records are not carried: rebuild recomputes them.
type stateFields struct {
	Agencies        map[string]*Agency
	Units           map[string]*Unit
	Incidents       map[string]*Incident
	Users           map[string]*User
	Requests        map[string]*AssistRequest
	Directives      map[string]*Directive
	Premises        map[string]*Premise
	Published       map[string]*Publication
	Messages        map[string]*Message
	BOLOs           map[string]*BOLO
	IncidentSerial  map[string]int
	AgencyTypes     map[string][]IncidentType
	RequestSerial   map[string]int
	DirectiveSerial map[string]int
	MessageSerial   int
	BOLOSerial      int
	PremiseSerial   map[string]int
}

func (s *State) fields() stateFields {
	return stateFields{
		Agencies: s.Agencies, Units: s.Units, Incidents: s.Incidents, Users: s.Users,
		Requests: s.Requests, Directives: s.Directives, Premises: s.Premises,
		Published: s.Published, Messages: s.Messages, BOLOs: s.BOLOs,
		IncidentSerial: s.incidentSerial, AgencyTypes: s.agencyTypes,
		RequestSerial: s.requestSerial, DirectiveSerial: s.directiveSerial,
		MessageSerial: s.messageSerial, BOLOSerial: s.boloSerial, PremiseSerial: s.premiseSerial,
	}
}

func stateFrom(f stateFields) *State {
	s := NewState()
	s.Agencies, s.Units, s.Incidents, s.Users = f.Agencies, f.Units, f.Incidents, f.Users
	s.Requests, s.Directives, s.Premises = f.Requests, f.Directives, f.Premises
	s.Published, s.Messages, s.BOLOs = f.Published, f.Messages, f.BOLOs
	s.incidentSerial, s.agencyTypes = f.IncidentSerial, f.AgencyTypes
	s.requestSerial, s.directiveSerial = f.RequestSerial, f.DirectiveSerial
	s.messageSerial, s.boloSerial, s.premiseSerial = f.MessageSerial, f.BOLOSerial, f.PremiseSerial
	s.rebuild()
	return s
}

// rebuild recomputes what the state derives from its records (indexes
// kept for speed), after it was decoded rather than folded from events.
func (s *State) rebuild() {
	s.IndexClosed()    // archive.go
	s.rebuildTimers()  // timerindex.go
	s.rebuildImports() // eidoimport.go
}

// EncodeState encodes the whole state (StateFormat).
func EncodeState(s *State) ([]byte, error) {
	tree, err := encodeValue(reflect.ValueOf(s.fields()), "state")
	if err != nil {
		return nil, fmt.Errorf("encode state: %w", err)
	}
	b, err := json.Marshal(tree)
	if err != nil {
		return nil, fmt.Errorf("encode state: %w", err)
	}
	return b, nil
}

// DecodeState decodes what EncodeState encoded. Anything it does not
// recognise (a field this code does not have, a value of the wrong kind) is
// an error: a snapshot is decoded whole or not at all.
func DecodeState(b []byte) (*State, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var tree any
	if err := d.Decode(&tree); err != nil {
		return nil, fmt.Errorf("decode state: %w", err)
	}
	var f stateFields
	if err := decodeValue(tree, reflect.ValueOf(&f).Elem(), "state"); err != nil {
		return nil, fmt.Errorf("decode state: %w", err)
	}
	return stateFrom(f), nil
}

// Clone returns a deep copy of the state: what a node falls back on when
// events it applied could not be made durable.
func (s *State) Clone() *State {
	b, err := EncodeState(s)
	if err != nil {
		// The codec carries every type the state holds (snapshot_test.go);
		// failing here is a broken build, not a runtime condition.
		panic(fmt.Sprintf("dispatch: clone state: %v", err))
	}
	c, err := DecodeState(b)
	if err != nil {
		panic(fmt.Sprintf("dispatch: clone state: %v", err))
	}
	return c
}

var timeType = reflect.TypeFor[time.Time]()

// encodeValue turns v into a tree of JSON values: objects by Go field name,
// null for a nil pointer, slice or map.
func encodeValue(v reflect.Value, path string) (any, error) {
	if v.Type() == timeType {
		t := v.Interface().(time.Time)
		return t.Format(time.RFC3339Nano), nil
	}
	switch v.Kind() {
	case reflect.Bool:
		return v.Bool(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return json.Number(fmt.Sprint(v.Int())), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return json.Number(fmt.Sprint(v.Uint())), nil
	case reflect.Float32, reflect.Float64:
		return v.Float(), nil
	case reflect.String:
		return v.String(), nil
	case reflect.Pointer:
		if v.IsNil() {
			return nil, nil
		}
		return encodeValue(v.Elem(), path)
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return nil, nil
		}
		out := make([]any, v.Len())
		for i := range out {
			e, err := encodeValue(v.Index(i), fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		return out, nil
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return nil, fmt.Errorf("%s: a map keyed by %s", path, v.Type().Key())
		}
		if v.IsNil() {
			return nil, nil
		}
		out := make(map[string]any, v.Len())
		for it := v.MapRange(); it.Next(); {
			k := it.Key().String()
			e, err := encodeValue(it.Value(), path+"."+k)
			if err != nil {
				return nil, err
			}
			out[k] = e
		}
		return out, nil
	case reflect.Struct:
		t := v.Type()
		out := make(map[string]any, t.NumField())
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				return nil, fmt.Errorf("%s: %s has unexported field %s, which a snapshot cannot carry", path, t, f.Name)
			}
			e, err := encodeValue(v.Field(i), path+"."+f.Name)
			if err != nil {
				return nil, err
			}
			out[f.Name] = e
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s: a %s cannot be carried by a snapshot", path, v.Type())
}

var errShape = errors.New("does not match the state's shape")

// decodeValue sets v (settable) from tree, the reverse of encodeValue.
func decodeValue(tree any, v reflect.Value, path string) error {
	bad := func() error { return fmt.Errorf("%s: %T %w (%s)", path, tree, errShape, v.Type()) }
	if v.Type() == timeType {
		s, ok := tree.(string)
		if !ok {
			return bad()
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		v.Set(reflect.ValueOf(t))
		return nil
	}
	switch v.Kind() {
	case reflect.Bool:
		b, ok := tree.(bool)
		if !ok {
			return bad()
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := tree.(json.Number)
		if !ok {
			return bad()
		}
		i, err := n.Int64()
		if err != nil || v.OverflowInt(i) {
			return bad()
		}
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, ok := tree.(json.Number)
		if !ok {
			return bad()
		}
		var u uint64
		if _, err := fmt.Sscan(n.String(), &u); err != nil || v.OverflowUint(u) {
			return bad()
		}
		v.SetUint(u)
	case reflect.Float32, reflect.Float64:
		n, ok := tree.(json.Number)
		if !ok {
			return bad()
		}
		f, err := n.Float64()
		if err != nil {
			return bad()
		}
		v.SetFloat(f)
	case reflect.String:
		s, ok := tree.(string)
		if !ok {
			return bad()
		}
		v.SetString(s)
	case reflect.Pointer:
		if tree == nil {
			v.SetZero()
			return nil
		}
		p := reflect.New(v.Type().Elem())
		if err := decodeValue(tree, p.Elem(), path); err != nil {
			return err
		}
		v.Set(p)
	case reflect.Slice, reflect.Array:
		if tree == nil && v.Kind() == reflect.Slice {
			v.SetZero()
			return nil
		}
		a, ok := tree.([]any)
		if !ok {
			return bad()
		}
		if v.Kind() == reflect.Array {
			if len(a) != v.Len() {
				return bad()
			}
		} else {
			v.Set(reflect.MakeSlice(v.Type(), len(a), len(a)))
		}
		for i, e := range a {
			if err := decodeValue(e, v.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		if tree == nil {
			v.SetZero()
			return nil
		}
		m, ok := tree.(map[string]any)
		if !ok || v.Type().Key().Kind() != reflect.String {
			return bad()
		}
		v.Set(reflect.MakeMapWithSize(v.Type(), len(m)))
		for k, e := range m {
			ev := reflect.New(v.Type().Elem()).Elem()
			if err := decodeValue(e, ev, path+"."+k); err != nil {
				return err
			}
			v.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), ev)
		}
	case reflect.Struct:
		m, ok := tree.(map[string]any)
		if !ok {
			return bad()
		}
		t := v.Type()
		if len(m) != t.NumField() {
			return fmt.Errorf("%s: %d fields for %s's %d: %w", path, len(m), t, t.NumField(), errShape)
		}
		for i := range t.NumField() {
			f := t.Field(i)
			e, ok := m[f.Name]
			if !ok || !f.IsExported() {
				return fmt.Errorf("%s: no field %s: %w", path, f.Name, errShape)
			}
			if err := decodeValue(e, v.Field(i), path+"."+f.Name); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("%s: a %s cannot be carried by a snapshot", path, v.Type())
	}
	return nil
}
