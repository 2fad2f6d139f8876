package dispatch

import (
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// payloadPaths returns the table paths of every JSON field of payload type
// t, nested ones included: a struct's fields are walked into, an array of
// structs is walked into with "[]".
func payloadPaths(t reflect.Type, prefix string, out *[]string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			payloadPaths(ft, prefix, out) // an embedded struct's fields are the payload's
			continue
		}
		if name == "" {
			name = f.Name
		}
		p := prefix + name
		*out = append(*out, p)
		switch {
		case ft.Kind() == reflect.Struct && ft != reflect.TypeFor[time.Time]():
			payloadPaths(ft, p+".", out)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			payloadPaths(ft.Elem(), p+"[].", out)
		}
	}
}

// covered reports whether the table declares the field at path: itself,
// one of the fields it holds, or all of them (a field above it).
func covered(typ, path string) bool {
	for _, r := range PayloadDisclosure[typ] {
		if r.Path == path || strings.HasPrefix(path, r.Path+".") || strings.HasPrefix(path, r.Path+"[]") {
			return true
		}
	}
	// An object or array declared field by field: every field beneath it
	// is checked on its own.
	return declaresBelow(typ, path)
}

// Every field of every event the domain can emit is declared public or
// private in the disclosure table: a new field, or a new event type, fails
// here until someone decides what the public may see of it.
func TestDisclosureDeclaresEveryField(t *testing.T) {
	for _, typ := range EventTypes() {
		v, err := DecodeData(typ, []byte("{}"))
		if err != nil {
			t.Errorf("DecodeData(%s) = %v: a type of the table the log cannot read", typ, err)
			continue
		}
		rt := reflect.TypeOf(v).Elem()
		if rt.Kind() != reflect.Struct {
			continue // an audit event's map: its keys are its fields, undeclared ones private
		}
		var paths []string
		payloadPaths(rt, "", &paths)
		for _, p := range paths {
			if !covered(typ, p) {
				t.Errorf("%s: field %q is neither public nor private in PayloadDisclosure", typ, p)
			}
		}
		// And the table names no field the payload does not have.
		for _, r := range PayloadDisclosure[typ] {
			if !slices.Contains(paths, r.Path) {
				t.Errorf("%s: PayloadDisclosure names %q, which the payload does not have", typ, r.Path)
			}
		}
	}
}

// declaredTypes returns the value of every Type… string constant of the
// package: every event type the domain declares.
func declaredTypes(t *testing.T) []string {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if !strings.HasPrefix(n.Name, "Type") || i >= len(vs.Values) {
						continue
					}
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						v, err := strconv.Unquote(lit.Value)
						if err != nil {
							t.Fatal(err)
						}
						out = append(out, v)
					}
				}
			}
		}
	}
	return out
}

// Every event type the domain declares is in the table, and the table has
// no other.
func TestDisclosureHasEveryType(t *testing.T) {
	declared := declaredTypes(t)
	if len(declared) < 40 {
		t.Fatalf("found %d event types in the package, want them all", len(declared))
	}
	for _, typ := range declared {
		if _, ok := PayloadDisclosure[typ]; !ok {
			t.Errorf("event type %s has no line in PayloadDisclosure", typ)
		}
	}
	for _, typ := range EventTypes() {
		if !slices.Contains(declared, typ) {
			t.Errorf("PayloadDisclosure has a line for %s, which is no event type", typ)
		}
	}
}

// SplitPayload and JoinPayload are inverses, and what the split keeps is
// only what the table makes public.
func TestSplitPayload(t *testing.T) {
	lat, lon := 41.823456789, -87.701234567
	for _, tc := range []struct {
		name   string
		typ    string
		data   any
		public []string // substrings the public payload must hold
		hidden []string // and must not
	}{
		{"IncidentLocation", TypeIncidentCreated,
			&IncidentCreated{ID: "metro-1", Type: "DOMESTIC", Priority: 1, Location: Location{Text: "12 Hidden Way", Lat: &lat, Lon: &lon, District: "D9", Beat: "B912"},
				LateMark: LateMark{Late: &Late{Claimed: time.Unix(0, 0).UTC(), Reason: "radio was down"}}},
			[]string{`"metro-1"`, `"DOMESTIC"`, `"D9"`, `"claimed"`}, []string{"Hidden", "41.82", "-87.70", "B912", "radio"}},
		{"Positions", TypePositionsSampled,
			&PositionsSampled{Positions: []Position{{Unit: "fed.1", Lat: lat, Lon: lon}}},
			nil, []string{"fed.1", "41.82"}},
		{"Told", TypeAssistRequested,
			&AssistRequested{AssistRef: AssistRef{Request: "r1", FromAgency: "fed", ToAgency: "metro", Urgency: "EMERGENCY"}, Nature: "boxed in", Level: 1,
				Told: []Audience{{Agency: "metro", Role: "supervisor"}, {Agency: "fed", Except: "fed-officer"}}},
			[]string{`"r1"`, `"EMERGENCY"`, `"supervisor"`}, []string{"boxed", "fed-officer"}},
		{"Audit", TypeTokenCreated, &Audited{"name": "secret-token-name", "roles": "[dispatcher]", "new": "x"},
			[]string{"dispatcher"}, []string{"secret-token-name", `"new"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := json.Marshal(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			pub, priv, err := SplitPayload(tc.typ, raw)
			if err != nil {
				t.Fatalf("SplitPayload = %v", err)
			}
			for _, s := range tc.public {
				if !strings.Contains(string(pub), s) {
					t.Errorf("public payload %s lacks %s", pub, s)
				}
			}
			for _, s := range tc.hidden {
				if strings.Contains(string(pub), s) {
					t.Errorf("public payload %s shows %s", pub, s)
				}
			}
			for f := range priv {
				if !strings.HasPrefix(f, "/data/") {
					t.Errorf("private field %q is not a pointer into the payload", f)
				}
			}
			back, err := JoinPayload(pub, priv)
			if err != nil {
				t.Fatalf("JoinPayload = %v", err)
			}
			want, err := DecodeData(tc.typ, raw)
			if err != nil {
				t.Fatal(err)
			}
			got, err := DecodeData(tc.typ, back)
			if err != nil {
				t.Fatalf("DecodeData(joined %s) = %v", back, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("joined payload = %#v, want %#v", got, want)
			}
		})
	}
}

var update = flag.Bool("update", false, "rewrite the disclosure table in docs/events.md")

// disclosureMarkdown renders the table as docs/events.md shows it.
func disclosureMarkdown() string {
	var b strings.Builder
	b.WriteString("| event type | public in `data` | private: commitments under `private` as `/data/…` |\n|---|---|---|\n")
	for _, typ := range EventTypes() {
		var pub, priv []string
		for _, r := range PayloadDisclosure[typ] {
			if r.Is == Public {
				pub = append(pub, "`"+r.Path+"`")
			} else {
				priv = append(priv, "`"+r.Path+"`")
			}
		}
		if slices.Contains(AuditTypes, typ) {
			priv = append(priv, "any other key")
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", typ, strings.Join(pub, ", "), strings.Join(priv, ", "))
	}
	return b.String()
}

// docs/events.md shows the table as it is in the code: go test
// ./dispatch -run TestDisclosureDoc -update rewrites it.
func TestDisclosureDoc(t *testing.T) {
	const path = "../docs/events.md"
	const begin, end = "<!-- disclosure table: begin -->\n", "<!-- disclosure table: end -->"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		t.Fatalf("%s has no disclosure table between %q and %q", path, begin, end)
	}
	want := disclosureMarkdown()
	if got := doc[i+len(begin) : j]; got != want {
		if *update {
			if err := os.WriteFile(path, []byte(doc[:i+len(begin)]+want+doc[j:]), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("the disclosure table of %s is not the code's; run go test ./dispatch -run TestDisclosureDoc -update", path)
	}
}
