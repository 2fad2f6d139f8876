package eido

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// Import: reading another system's EIDO into tenfour's ImportIncident
// (docs/eido.md, "Import"). The reader is strict where tenfour depends on
// the document — it must be one JSON object, within MaxDocument bytes and
// MaxDepth levels, with no member named twice, and carry what NENA's
// schema requires of the document and of every component tenfour maps,
// with the JSON types the schema gives — and answers the first fault it
// meets, in the order below, with its JSON Pointer (RFC 6901) in an
// *InvalidError. What it does not map is not an error: it stays in the
// original (dispatch.PrivateEIDO), and its pointers are listed
// (ImportIncident.Unrepresented).

// ErrMalformed is wrapped by the *InvalidError of a document that is not
// one JSON value within the limits (syntax, depth, size, a member named
// twice), as opposed to JSON that is not an EIDO tenfour can import.
var ErrMalformed = errors.New("malformed JSON")

// MaxDocument is the largest EIDO an import reads, in bytes.
const MaxDocument = 8 << 20

// MaxDepth is the deepest nesting of arrays and objects an import reads.
// NENA's schema nests components four levels deep, and a NIEM person a few
// more; anything near the limit is not an EIDO.
const MaxDepth = 32

// DecodeImport reads an EIDO as an import of the incident (or the call,
// for a call transfer) it describes. The command's Agency is left for the
// caller to set, and its location is as the document gives it: the engine
// places it on the map.
func DecodeImport(doc []byte) (dispatch.ImportIncident, error) {
	if len(doc) > MaxDocument {
		return dispatch.ImportIncident{}, &InvalidError{Reason: fmt.Sprintf("the document is larger than %d bytes", MaxDocument), Err: ErrMalformed}
	}
	tree, err := parseStrict(doc)
	if err != nil {
		return dispatch.ImportIncident{}, err
	}
	r := &reader{used: map[string]bool{}}
	cmd := r.document(tree)
	if r.err != nil {
		return dispatch.ImportIncident{}, r.err
	}
	cmd.Unrepresented = unrepresented(tree, "", r.used, ancestors(r.used), nil)
	if len(cmd.Unrepresented) > dispatch.MaxImportUnrepresented {
		// Too many to list one by one: name the document's members that
		// hold them instead.
		var top []string
		for _, p := range cmd.Unrepresented {
			head := "/" + strings.SplitN(strings.TrimPrefix(p, "/"), "/", 2)[0]
			if len(top) == 0 || top[len(top)-1] != head {
				top = append(top, head)
			}
		}
		cmd.Unrepresented = top
	}
	cmd.Original = slices.Clone(doc)
	return cmd, nil
}

// parseStrict reads doc as one JSON value, refusing nesting deeper than
// MaxDepth and a member named twice in one object (which readers take
// differently: the first, the last), and answers the tree as
// encoding/json's any, numbers as json.Number.
func parseStrict(doc []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	type level struct {
		object bool
		key    string // the member being read, in an object
		keyed  bool   // the next string token is a value, not a name
		index  int    // the element being read, in an array
		names  map[string]bool
	}
	var stack []*level
	ptr := func() string {
		var b strings.Builder
		for _, l := range stack {
			b.WriteByte('/')
			if l.object {
				b.WriteString(escape(l.key))
			} else {
				b.WriteString(strconv.Itoa(l.index))
			}
		}
		return b.String()
	}
	// value is called after a whole value was read at the top level.
	value := func() {
		if len(stack) == 0 {
			return
		}
		l := stack[len(stack)-1]
		if l.object {
			l.keyed = false
		} else {
			l.index++
		}
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if len(stack) != 0 {
				return nil, &InvalidError{Pointer: ptr(), Reason: "the document ends inside a value", Err: ErrMalformed}
			}
			break
		}
		if err != nil {
			return nil, &InvalidError{Pointer: ptr(), Reason: "not JSON: " + err.Error(), Err: fmt.Errorf("%w: %w", ErrMalformed, err)}
		}
		if len(stack) > 0 {
			if l := stack[len(stack)-1]; l.object && !l.keyed {
				if s, ok := tok.(string); ok {
					if l.names[s] {
						l.key = s
						return nil, &InvalidError{Pointer: ptr(), Reason: fmt.Sprintf("the member %q is named twice", s), Err: ErrMalformed}
					}
					l.names[s], l.key, l.keyed = true, s, true
					continue
				}
			}
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if len(stack) >= MaxDepth {
				return nil, &InvalidError{Pointer: ptr(), Reason: fmt.Sprintf("nested deeper than %d levels", MaxDepth), Err: ErrMalformed}
			}
			stack = append(stack, &level{object: tok == json.Delim('{'), names: map[string]bool{}})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			value()
		default:
			value()
		}
		if len(stack) == 0 {
			if _, err := d.Token(); err != io.EOF {
				return nil, &InvalidError{Reason: "more than one JSON value", Err: ErrMalformed}
			}
			break
		}
	}
	// The scan checked the shape; decoding it again is the simplest way to
	// the tree, and cannot fail on what the scan accepted.
	d = json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	var tree any
	if err := d.Decode(&tree); err != nil {
		return nil, &InvalidError{Reason: "not JSON: " + err.Error(), Err: fmt.Errorf("%w: %w", ErrMalformed, err)}
	}
	return tree, nil
}

var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// escape escapes a reference token of a JSON Pointer (RFC 6901, section 3).
func escape(s string) string { return pointerEscaper.Replace(s) }

// reader reads the tree, keeping the first fault and the pointers of what
// it represents.
type reader struct {
	err  *InvalidError
	used map[string]bool
}

func (r *reader) fail(ptr, format string, args ...any) {
	if r.err == nil {
		r.err = &InvalidError{Pointer: ptr, Reason: fmt.Sprintf(format, args...)}
	}
}

// use marks the values at ptrs as represented.
func (r *reader) use(ptrs ...string) {
	for _, p := range ptrs {
		r.used[p] = true
	}
}

// member returns the member key of object m at ptr, and its pointer.
func member(m map[string]any, ptr, key string) (any, string, bool) {
	v, ok := m[key]
	return v, ptr + "/" + escape(key), ok
}

func (r *reader) str(m map[string]any, ptr, key string, required bool) (string, string) {
	v, p, ok := member(m, ptr, key)
	if !ok {
		if required {
			r.fail(p, "%s is required", key)
		}
		return "", p
	}
	s, ok := v.(string)
	if !ok {
		r.fail(p, "%s must be a string", key)
	}
	return s, p
}

func (r *reader) obj(m map[string]any, ptr, key string, required bool) (map[string]any, string) {
	v, p, ok := member(m, ptr, key)
	if !ok {
		if required {
			r.fail(p, "%s is required", key)
		}
		return nil, p
	}
	o, ok := v.(map[string]any)
	if !ok {
		r.fail(p, "%s must be an object", key)
	}
	return o, p
}

func (r *reader) arr(m map[string]any, ptr, key string, required bool) ([]any, string) {
	v, p, ok := member(m, ptr, key)
	if !ok {
		if required {
			r.fail(p, "%s is required", key)
		}
		return nil, p
	}
	a, ok := v.([]any)
	if !ok {
		r.fail(p, "%s must be an array", key)
	}
	return a, p
}

// strs reads an array of strings.
func (r *reader) strs(m map[string]any, ptr, key string, required bool) ([]string, string) {
	a, p := r.arr(m, ptr, key, required)
	var out []string
	for i, v := range a {
		s, ok := v.(string)
		if !ok {
			r.fail(p+"/"+strconv.Itoa(i), "%s holds strings only", key)
			return nil, p
		}
		out = append(out, s)
	}
	return out, p
}

// ref reads a Reference ({"$ref": id}) and returns the id and the
// pointer of the "$ref" member.
func (r *reader) ref(m map[string]any, ptr, key string, required bool) (string, string) {
	o, p := r.obj(m, ptr, key, required)
	if o == nil {
		return "", p
	}
	return r.str(o, p, "$ref", true)
}

// refs reads an array of References.
func (r *reader) refs(m map[string]any, ptr, key string) ([]string, []string) {
	a, p := r.arr(m, ptr, key, false)
	var ids, ptrs []string
	for i, v := range a {
		ep := p + "/" + strconv.Itoa(i)
		o, ok := v.(map[string]any)
		if !ok {
			r.fail(ep, "%s holds references ({\"$ref\": id}) only", key)
			return nil, nil
		}
		id, rp := r.str(o, ep, "$ref", true)
		ids, ptrs = append(ids, id), append(ptrs, rp)
	}
	return ids, ptrs
}

// time reads a date-time: RFC 3339, or without a zone (UTC), as NENA's
// own samples write some.
func (r *reader) time(m map[string]any, ptr, key string, required bool) (*time.Time, string) {
	s, p := r.str(m, ptr, key, required)
	if s == "" {
		if _, ok := m[key]; ok && r.err == nil {
			r.fail(p, "%s is not a date-time", key)
		}
		return nil, p
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			return &t, p
		}
	}
	r.fail(p, "%s %q is not an RFC 3339 date-time", key, s)
	return nil, p
}

// A component is one element of a component array of the document, by
// its $id.
type component struct {
	m   map[string]any
	ptr string
}

// components reads the component array key of the document: each element
// an object with the Prologue the schema requires ($id,
// lastUpdateTimeStamp, updatedByAgencyReference).
func (r *reader) components(root map[string]any, key string, required bool) ([]component, map[string]component) {
	a, p := r.arr(root, "", key, required)
	var list []component
	byID := map[string]component{}
	for i, v := range a {
		ep := p + "/" + strconv.Itoa(i)
		m, ok := v.(map[string]any)
		if !ok {
			r.fail(ep, "%s holds objects only", key)
			return nil, nil
		}
		id, _ := r.str(m, ep, "$id", true)
		r.time(m, ep, "lastUpdateTimeStamp", true)
		r.ref(m, ep, "updatedByAgencyReference", true)
		if _, dup := byID[id]; dup && r.err == nil {
			r.fail(ep+"/$id", "the $id %q is given twice", id)
		}
		c := component{m, ep}
		list = append(list, c)
		byID[id] = c
	}
	return list, byID
}

// prologue marks the Prologue of a component tenfour maps as represented:
// its id, time and who updated it are the provenance of what it maps.
func (r *reader) prologue(c component) {
	for _, k := range []string{"$id", "lastUpdateTimeStamp", "updatedByAgencyReference", "updatedByAgentReference"} {
		if _, ok := c.m[k]; ok {
			r.used[c.ptr+"/"+escape(k)] = true
		}
	}
}

// document reads the EIDO: the document's own members first, in the
// schema's order, then the incident (or the call of a transfer), its
// location, callers, notes, cautions and units.
func (r *reader) document(tree any) dispatch.ImportIncident {
	var cmd dispatch.ImportIncident
	root, ok := tree.(map[string]any)
	if !ok {
		r.fail("", "an EIDO is a JSON object")
		return cmd
	}
	id, idp := r.str(root, "", "$id", true)
	r.time(root, "", "lastUpdateTimeStamp", true)
	r.ref(root, "", "updatedByAgencyReference", true)
	version, vp := r.str(root, "", "eidoVersion", true)
	if r.err == nil && version != Version {
		r.fail(vp, "eidoVersion %q is not %q", version, Version)
	}
	source, sp := r.str(root, "", "issuingElementIdentification", true)
	agencies, agencyByID := r.components(root, "agencyComponent", true)
	for _, a := range agencies {
		r.strs(a.m, a.ptr, "agencyRoleDescriptionRegistryText", true)
		r.strs(a.m, a.ptr, "agencyType", true)
	}
	if r.err != nil {
		return cmd
	}
	r.use(idp, vp, sp, "/@context", "/lastUpdateTimeStamp", "/updatedByAgencyReference", "/updatedByAgentReference")
	cmd.Source, cmd.Ref = strings.TrimSpace(source), strings.TrimSpace(id)

	inc, incp := r.obj(root, "", "incidentComponent", false)
	calls, callByID := r.components(root, "callComponent", false)
	for _, c := range calls {
		r.str(c.m, c.ptr, "callStateRegistryText", true)
		r.str(c.m, c.ptr, "standardPrimaryCallType", true)
		r.str(c.m, c.ptr, "direction", true)
		r.time(c.m, c.ptr, "callStartTimestamp", true)
	}
	if r.err != nil {
		return cmd
	}
	if inc == nil && len(calls) == 0 {
		r.fail(incp, "an EIDO needs an incidentComponent, or a callComponent for a call transfer")
		return cmd
	}
	_, locByID := r.components(root, "locationComponent", false)
	persons, _ := r.components(root, "personComponent", false)
	_, callbackByID := r.components(root, "callbackComponent", false)
	notes, _ := r.components(root, "notesComponent", false)
	cautions, _ := r.components(root, "cautionComponent", false)
	resources, _ := r.components(root, "emergencyResourceComponent", false)
	dispatches, _ := r.components(root, "dispatchComponent", false)
	additional, _ := r.components(root, "additionalDataComponent", false)
	if r.err != nil {
		return cmd
	}

	var locRefs []string
	var locRefPtrs []string
	if inc != nil {
		ic := component{inc, incp}
		r.time(inc, incp, "lastUpdateTimeStamp", true)
		r.ref(inc, incp, "updatedByAgencyReference", true)
		r.prologue(ic)
		common, cp := r.str(inc, incp, "incidentTypeCommonRegistryText", true)
		code, codep := r.str(inc, incp, "incidentTypeInternalCode", false)
		text, tp := r.str(inc, incp, "incidentTypeInternalText", false)
		status, stp := r.strs(inc, incp, "incidentStatusCommonRegistryText", false)
		prio, pp := r.number(inc, incp, "incidentCommonPriorityNumber")
		locRefs, locRefPtrs = r.refs(inc, incp, "locationReference")
		if r.err != nil {
			return cmd
		}
		r.use(cp, codep, tp, stp)
		cmd.Type = MapType(code, common, text)
		cmd.SourceType = strings.TrimSpace(strings.Join(nonEmpty(common, text), " / "))
		cmd.Status = strings.Join(status, ", ")
		if prio != nil && *prio >= 0 && *prio <= 4 {
			p := int(*prio)
			cmd.Priority = &p
			r.use(pp)
		}
		if last, _ := r.time(inc, incp, "lastUpdateTimeStamp", true); last != nil && closedStatus(status) {
			cmd.Times.Cleared = last
		}
	} else {
		cmd.Transfer = true
	}

	// The times of the first call: when it reached the sender, when its
	// call-taker answered.
	for i, c := range calls {
		if i == 0 {
			cmd.Times.Received, _ = r.time(c.m, c.ptr, "callStartTimestamp", true)
			var ap string
			cmd.Times.Answered, ap = r.time(c.m, c.ptr, "answerDate", false)
			r.use(c.ptr+"/callStartTimestamp", ap)
		}
		if len(locRefs) == 0 {
			// A transfer's place is its call's; so is an incident's that
			// names none of its own.
			locRefs, locRefPtrs = r.refs(c.m, c.ptr, "locationReference")
		}
	}

	// The location: the first referenced location that says where, by a
	// PIDF-LO civic address or point.
	for i, lr := range locRefs {
		l, ok := locByID[lr]
		if !ok {
			r.fail(locRefPtrs[i], "no locationComponent has the $id %q", lr)
			return cmd
		}
		r.str(l.m, l.ptr, "locationTypeDescriptionRegistryText", true)
		byValue, bvp := r.str(l.m, l.ptr, "locationByValue", false)
		desc, dp := r.str(l.m, l.ptr, "locationDescriptionText", false)
		if r.err != nil {
			return cmd
		}
		loc, ok := PIDFLocation(byValue)
		if !ok {
			continue
		}
		// An intersection: the street of the civic address and the first
		// intersecting street, as tenfour writes one ("39th Pl & S Kedzie Ave").
		cross, cp := r.strs(l.m, l.ptr, "intersectingStreetByValue", false)
		if len(cross) > 0 && loc.Text != "" {
			if c, ok := PIDFLocation(cross[0]); ok && c.Text != "" {
				loc.Text += " & " + c.Text
				r.use(cp + "/0")
			}
		}
		cmd.Location = loc
		r.use(locRefPtrs[i], bvp, l.ptr+"/locationTypeDescriptionRegistryText")
		r.prologue(l)
		switch {
		case desc != "" && loc.Text == "":
			cmd.Location.Text = desc
			r.use(dp)
		case desc == loc.Text:
			r.use(dp) // tenfour writes the text whole there too
		}
		break
	}

	// Callers: the persons in the role of caller, with their call-back
	// number and the time of their call.
	for _, p := range persons {
		roles, rp := r.strs(p.m, p.ptr, "personIncidentRoleRegistryText", true)
		if r.err != nil {
			return cmd
		}
		if !slices.ContainsFunc(roles, func(s string) bool { return strings.EqualFold(strings.TrimSpace(s), "caller") }) {
			continue
		}
		r.use(rp)
		r.prologue(p)
		pid, _ := r.str(p.m, p.ptr, "$id", true)
		caller := dispatch.ImportedCaller{Ref: pid, Name: r.personName(p)}
		if cb, cbp := r.ref(p.m, p.ptr, "callBackReference", false); cb != "" {
			caller.Phone = r.callback(callbackByID, cb, cbp)
		}
		callIDs, cip := r.strs(p.m, p.ptr, "callIdentifier", false)
		for _, cid := range callIDs {
			if c, ok := callByID[cid]; ok {
				caller.Received, _ = r.time(c.m, c.ptr, "callStartTimestamp", true)
				r.use(cip, c.ptr+"/callStartTimestamp")
				break
			}
		}
		cmd.Callers = append(cmd.Callers, caller)
	}
	// A call transfer with no person: the caller is who the call's
	// call-back reference names.
	if len(cmd.Callers) == 0 && len(calls) > 0 {
		c := calls[0]
		cid, _ := r.str(c.m, c.ptr, "$id", true)
		if cb, cbp := r.ref(c.m, c.ptr, "callBackReference", false); cb != "" {
			if phone := r.callback(callbackByID, cb, cbp); phone != "" {
				cmd.Callers = append(cmd.Callers, dispatch.ImportedCaller{Ref: cid, Phone: phone, Received: cmd.Times.Received})
			}
		}
	}
	// The links between what was mapped are represented with it.
	links := []string{"notesReference", "personReference", "locationReference", "callBackReference"}
	for _, c := range append(calls, component{inc, incp}) {
		if c.m == nil {
			continue
		}
		r.prologue(c)
		for _, k := range links {
			if _, ok := c.m[k]; ok {
				r.use(c.ptr + "/" + k)
			}
		}
	}

	// A note that refers to a caution carries its text (as tenfour writes
	// a hazard's text): it is the caution's, not a note of the incident.
	cautionText := map[string]string{}
	for _, n := range notes {
		ids, ptrs := r.refs(n.m, n.ptr, "cautionReference")
		if len(ids) == 0 {
			continue
		}
		text, tp := r.str(n.m, n.ptr, "notesActionComments", true)
		for i, id := range ids {
			if cautionText[id] == "" {
				cautionText[id] = PlainText(text)
			}
			r.use(ptrs[i])
		}
		r.use(tp)
		r.prologue(n)
	}
	if r.err != nil {
		return cmd
	}

	// Notes, in the document's order, with their author and time.
	for _, n := range notes {
		if _, ok := n.m["cautionReference"]; ok {
			continue
		}
		text, tp := r.str(n.m, n.ptr, "notesActionComments", true)
		at, _ := r.time(n.m, n.ptr, "lastUpdateTimeStamp", true)
		author, ap := r.ref(n.m, n.ptr, "agentReference", false)
		if author == "" {
			author, ap = r.ref(n.m, n.ptr, "updatedByAgentReference", false)
		}
		if r.err != nil {
			return cmd
		}
		nid, _ := r.str(n.m, n.ptr, "$id", true)
		plain := PlainText(text)
		if strings.TrimSpace(plain) == "" || at == nil {
			continue
		}
		r.use(tp, ap)
		r.prologue(n)
		cmd.Notes = append(cmd.Notes, dispatch.ImportedNote{Ref: nid, Time: *at, Author: author, Text: plain})
	}

	// Cautions: hazards on the incident.
	for _, c := range cautions {
		text, tp := r.str(c.m, c.ptr, "cautionTypeInternalText", true)
		common, cp := r.str(c.m, c.ptr, "cautionTypeCommonRegistryText", true)
		sev, sevp := r.str(c.m, c.ptr, "cautionSeverity", true)
		if r.err != nil {
			return cmd
		}
		r.use(tp, cp, sevp)
		r.prologue(c)
		cid, _ := r.str(c.m, c.ptr, "$id", true)
		z := dispatch.Caution{Kind: MapCaution(common, text), Text: strings.TrimSpace(text), Severity: sev}
		if t := cautionText[cid]; t != "" {
			z.Text = t
		}
		cmd.Cautions = append(cmd.Cautions, z)
	}

	// The sender's units, as foreign resources.
	for _, u := range resources {
		r.arr(u.m, u.ptr, "agentReference", true)
		r.str(u.m, u.ptr, "emergencyResourceTypeCommonRegistryText", true)
		status, stp := r.str(u.m, u.ptr, "primaryUnitStatusRegistryText", true)
		r.strs(u.m, u.ptr, "resourceAttributeRegistryText", true)
		r.strs(u.m, u.ptr, "secondaryUnitStatusRegistryText", true)
		name, np := r.str(u.m, u.ptr, "emergencyResourceName", false)
		uid, _ := r.str(u.m, u.ptr, "$id", true)
		agency, _ := r.ref(u.m, u.ptr, "updatedByAgencyReference", true)
		since, _ := r.time(u.m, u.ptr, "lastUpdateTimeStamp", true)
		if r.err != nil {
			return cmd
		}
		if name == "" {
			name = uid
		}
		if a, ok := agencyByID[agency]; ok {
			r.prologue(a)
		}
		r.use(stp, np)
		r.prologue(u)
		cmd.Units = append(cmd.Units, dispatch.ForeignUnit{CallSign: name, Agency: agency, Status: status, Since: since})
		switch norm := letters(status); {
		case strings.Contains(norm, "enroute") && earlier(since, cmd.Times.EnRoute):
			cmd.Times.EnRoute = since
		case (strings.Contains(norm, "onscene") || strings.Contains(norm, "arrived")) && earlier(since, cmd.Times.OnScene):
			cmd.Times.OnScene = since
		}
	}
	for _, d := range dispatches {
		if at, _ := r.time(d.m, d.ptr, "lastUpdateTimeStamp", true); earlier(at, cmd.Times.Dispatched) {
			cmd.Times.Dispatched = at
			r.prologue(d)
		}
	}
	// The marks a unit's status no longer shows (the first unit en route
	// once all are on scene) have no EIDO field: an EIDO tenfour wrote
	// carries them as data by value (Times). Another sender's data is kept
	// as original.
	if id != "" {
		for _, a := range additional {
			aid, _ := r.str(a.m, a.ptr, "$id", true)
			byValue, bp := r.str(a.m, a.ptr, "additionalDataByValue", false)
			if !strings.HasPrefix(aid, id+":"+KindTimes+":") || byValue == "" {
				continue
			}
			dec := json.NewDecoder(strings.NewReader(byValue))
			dec.DisallowUnknownFields()
			var tm Times
			if dec.Decode(&tm) != nil || tm.Received.IsZero() {
				continue
			}
			for _, m := range []struct{ from, to **time.Time }{
				{&tm.Answered, &cmd.Times.Answered}, {&tm.Dispatched, &cmd.Times.Dispatched},
				{&tm.EnRoute, &cmd.Times.EnRoute}, {&tm.OnScene, &cmd.Times.OnScene},
			} {
				if earlier(*m.from, *m.to) {
					*m.to = *m.from
				}
			}
			if earlier(&tm.Received, cmd.Times.Received) {
				cmd.Times.Received = &tm.Received
			}
			r.use(bp)
			r.prologue(a)
		}
	}
	if r.err == nil && cmd.Location.Text == "" && cmd.Location.Lat == nil {
		ptr := "/incidentComponent/locationReference"
		if inc == nil || len(locRefPtrs) > 0 && strings.HasPrefix(locRefPtrs[0], "/callComponent/") {
			ptr = "/callComponent/0/locationReference"
		}
		r.fail(ptr, "no location this EIDO references gives a civic address or a point (PIDF-LO locationByValue) tenfour can read")
	}
	return cmd
}

// number reads an integer.
func (r *reader) number(m map[string]any, ptr, key string) (*int64, string) {
	v, p, ok := member(m, ptr, key)
	if !ok {
		return nil, p
	}
	n, ok := v.(json.Number)
	if !ok {
		r.fail(p, "%s must be an integer", key)
		return nil, p
	}
	i, err := n.Int64()
	if err != nil {
		r.fail(p, "%s must be an integer", key)
		return nil, p
	}
	return &i, p
}

// personName reads a NIEM person's name: nc:PersonFullName, or the given
// and surnames.
func (r *reader) personName(p component) string {
	nc, ncp := r.obj(p.m, p.ptr, "ncPersonComponent", false)
	if nc == nil {
		return ""
	}
	name, np := r.obj(nc, ncp, "nc:PersonName", false)
	if name == nil {
		return ""
	}
	if full, fp := r.str(name, np, "nc:PersonFullName", false); full != "" {
		r.use(fp)
		return strings.TrimSpace(full)
	}
	var parts []string
	for _, k := range []string{"nc:PersonGivenName", "nc:PersonMiddleName", "nc:PersonSurName"} {
		if s, sp := r.str(name, np, k, false); s != "" {
			parts = append(parts, strings.TrimSpace(s))
			r.use(sp)
		}
	}
	return strings.Join(parts, " ")
}

// callback returns the number a callback component gives: its first tel:
// URI, else its first URI, without the scheme.
func (r *reader) callback(byID map[string]component, id, ptr string) string {
	c, ok := byID[id]
	if !ok {
		r.fail(ptr, "no callbackComponent has the $id %q", id)
		return ""
	}
	uris, up := r.strs(c.m, c.ptr, "callBackInformationUri", false)
	if len(uris) == 0 {
		return ""
	}
	pick := 0
	for i, u := range uris {
		if strings.HasPrefix(strings.ToLower(u), "tel:") {
			pick = i
			break
		}
	}
	r.use(ptr, fmt.Sprintf("%s/%d", up, pick))
	r.prologue(c)
	phone := uris[pick]
	if i := strings.IndexByte(phone, ':'); i >= 0 {
		phone = phone[i+1:]
	}
	if utf8.RuneCountInString(phone) > 40 {
		phone = string([]rune(phone)[:40])
	}
	return phone
}

func earlier(t, than *time.Time) bool { return t != nil && (than == nil || t.Before(*than)) }

func nonEmpty(xs ...string) []string {
	var out []string
	for _, x := range xs {
		if x = strings.TrimSpace(x); x != "" && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// letters returns s in lower case with only its letters.
func letters(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return -1
	}, s)
}

func closedStatus(status []string) bool {
	return slices.ContainsFunc(status, func(s string) bool {
		n := letters(s)
		return strings.Contains(n, "closed") || strings.Contains(n, "cleared")
	})
}

var (
	tagRE   = regexp.MustCompile(`<[^>]*>`)
	breakRE = regexp.MustCompile(`(?i)<br\s*/?>|</p>`)
)

// PlainText returns a note's text (HTML5, notesActionComments) as plain
// text: tags dropped (a line break or a paragraph becomes a new line),
// entities decoded, control characters but new lines and tabs dropped.
func PlainText(s string) string {
	s = breakRE.ReplaceAllString(s, "\n")
	s = html.UnescapeString(tagRE.ReplaceAllString(s, ""))
	s = strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// unrepresented returns the pointers of the parts of v (at ptr) that hold
// nothing used: a part none of whose values was represented is named
// whole, not value by value.
func unrepresented(v any, ptr string, used, below map[string]bool, out []string) []string {
	if used[ptr] {
		return out
	}
	if !below[ptr] {
		return append(out, ptr)
	}
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = unrepresented(x[k], ptr+"/"+escape(k), used, below, out)
		}
	case []any:
		for i, e := range x {
			out = unrepresented(e, ptr+"/"+strconv.Itoa(i), used, below, out)
		}
	}
	return out
}

// ancestors returns every pointer above a used one: the parts that hold
// something used.
func ancestors(used map[string]bool) map[string]bool {
	out := map[string]bool{}
	for p := range used {
		for i := strings.LastIndexByte(p, '/'); i >= 0; i = strings.LastIndexByte(p, '/') {
			p = p[:i]
			if out[p] {
				break
			}
			out[p] = true
		}
	}
	return out
}

// IsInvalid reports whether err says a document is not an EIDO tenfour
// can import (*InvalidError), as opposed to a failure of tenfour.
func IsInvalid(err error) (*InvalidError, bool) {
	var ie *InvalidError
	return ie, errors.As(err, &ie)
}
