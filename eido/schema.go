package eido

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// nenaOpenAPI is NENA's EIDO OpenAPI document, unchanged (nena/README.md).
//
//go:embed nena/openapi.yaml
var nenaOpenAPI []byte

// NENAOpenAPISHA256 is the SHA-256 of NENA's document as published (EIDO-JSON
// commit 7f62055d); the embedded copy must have it.
const NENAOpenAPISHA256 = "b63f27d95e2b2609506b34251faacf65bd9b80a96b94b40c836d3eaf74cb7dc7"

// The schema's made-up home: references are resolved against it, so NENA's
// relative "NIEMComponents/nc.yaml" becomes a URL under it that niemLoader answers.
const (
	schemaURL      = "file:///nena/eido/openapi.yaml"
	documentSchema = schemaURL + "#/components/schemas/EmergencyIncidentDataObjectType"
	niemDir        = "NIEMComponents/"
)

var (
	schemaOnce     sync.Once
	compiledSchema *jsonschema.Schema
	schemaErr      error
)

// Schema returns NENA's schema of an EIDO (`EmergencyIncidentDataObjectType`),
// compiled once from the embedded OpenAPI document.
//
// The OpenAPI 3.0 schema objects are compiled as JSON Schema draft 4, the draft
// OpenAPI 3.0 extends, with format assertions on (date-time, uri). Two faults of
// NENA's document are answered in code, never by editing it: `minItems: 1,` (a
// string, AgentType) is read as 1, and the unpublished NIEMComponents/*.yaml
// schemas are open schemas ({}), so NIEM persons, organisations, vehicles and
// items are not checked.
func Schema() (*jsonschema.Schema, error) {
	schemaOnce.Do(func() { compiledSchema, schemaErr = compileSchema(nenaOpenAPI) })
	return compiledSchema, schemaErr
}

func compileSchema(src []byte) (*jsonschema.Schema, error) {
	if sum := sha256.Sum256(src); hex.EncodeToString(sum[:]) != NENAOpenAPISHA256 {
		return nil, fmt.Errorf("eido: NENA's OpenAPI document has SHA-256 %x, want %s: it is not the published one", sum, NENAOpenAPISHA256)
	}
	var raw any
	if err := yaml.Unmarshal(src, &raw); err != nil {
		return nil, fmt.Errorf("eido: read NENA's OpenAPI document: %w", err)
	}
	niem := map[string]map[string]bool{}
	if err := fixSchema(raw, "", niem); err != nil {
		return nil, err
	}
	// Through JSON, so that the compiler sees the values it expects
	// (json.Number, map[string]any) rather than YAML's ints.
	b, err := json.Marshal(raw)
	if err != nil {
		return nil, fmt.Errorf("eido: NENA's OpenAPI document as JSON: %w", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("eido: NENA's OpenAPI document as JSON: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	c.AssertFormat()
	c.UseLoader(niemLoader(niem))
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, fmt.Errorf("eido: add NENA's OpenAPI document: %w", err)
	}
	sch, err := c.Compile(documentSchema)
	if err != nil {
		return nil, fmt.Errorf("eido: compile EmergencyIncidentDataObjectType: %w", err)
	}
	return sch, nil
}

// countKeywords are the schema keywords whose value must be a non-negative
// integer; NENA's document spells one of them "1," (a string).
var countKeywords = map[string]bool{
	"minItems": true, "maxItems": true, "minLength": true, "maxLength": true,
	"minProperties": true, "maxProperties": true,
}

// fixSchema walks the decoded document: it reads a count written as a string
// with a stray comma ("1,") as the number, and collects, per NIEMComponents
// file, the schema names referenced in it.
func fixSchema(v any, path string, niem map[string]map[string]bool) error {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			p := path + "/" + k
			if s, ok := x.(string); ok && countKeywords[k] {
				n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), ",")))
				if err != nil || n < 0 {
					return fmt.Errorf("eido: NENA's OpenAPI document: %s is %q, not a count", p, s)
				}
				v[k] = n
				continue
			}
			if s, ok := x.(string); ok && k == "$ref" && strings.HasPrefix(s, niemDir) {
				file, frag, _ := strings.Cut(s, "#")
				name, ok := strings.CutPrefix(frag, "/components/schemas/")
				if !ok || name == "" || strings.Contains(name, "/") {
					return fmt.Errorf("eido: NENA's OpenAPI document: %s refers to %q, which is not a schema of a NIEM component file", p, s)
				}
				file = strings.TrimPrefix(file, niemDir)
				file = strings.TrimLeft(file, "/") // NENA writes "NIEMComponents//j.yaml" once
				if niem[file] == nil {
					niem[file] = map[string]bool{}
				}
				niem[file][name] = true
				continue
			}
			if err := fixSchema(x, p, niem); err != nil {
				return err
			}
		}
	case []any:
		for i, x := range v {
			if err := fixSchema(x, path+"/"+strconv.Itoa(i), niem); err != nil {
				return err
			}
		}
	}
	return nil
}

// niemLoader answers the NIEMComponents files NENA's document refers to but
// does not publish: each is a document whose referenced schemas are open ({}).
// Any other URL is refused, so that validating never reaches the network.
type niemLoader map[string]map[string]bool

// Load implements jsonschema.URLLoader.
func (l niemLoader) Load(url string) (any, error) {
	base := strings.TrimSuffix(schemaURL, "openapi.yaml") + niemDir
	file, ok := strings.CutPrefix(url, base)
	if !ok {
		return nil, fmt.Errorf("eido: the EIDO schema refers to %s, which is not NENA's document or a NIEM component", url)
	}
	names := l[strings.TrimLeft(file, "/")]
	if names == nil {
		return nil, fmt.Errorf("eido: the EIDO schema refers to the NIEM component file %s, unknown", url)
	}
	schemas := map[string]any{}
	for n := range names {
		schemas[n] = map[string]any{}
	}
	return map[string]any{"components": map[string]any{"schemas": schemas}}, nil
}

// InvalidError says why a document is not a valid EIDO: the JSON pointer of the
// first fault in the document (RFC 6901) and what is wrong there.
type InvalidError struct {
	// Pointer is the JSON pointer of the faulty value ("" for the whole document).
	Pointer string
	// Reason says what is wrong there.
	Reason string
	// Err is the validator's full answer.
	Err error
}

// Error says where the document is wrong and why.
func (e *InvalidError) Error() string {
	p := e.Pointer
	if p == "" {
		p = "/"
	}
	return fmt.Sprintf("not a valid EIDO at %s: %s", p, e.Reason)
}

// Unwrap returns the validator's full answer.
func (e *InvalidError) Unwrap() error { return e.Err }

// Validate checks that doc is one JSON value that is a valid EIDO by NENA's
// schema (Schema). A document that is not is answered with an *InvalidError.
func Validate(doc []byte) error {
	sch, err := Schema()
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return &InvalidError{Reason: "not JSON: " + err.Error(), Err: err}
	}
	if _, err := dec.Token(); err == nil {
		return &InvalidError{Reason: "more than one JSON value", Err: errors.New("trailing data")}
	}
	if err := sch.Validate(v); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return fmt.Errorf("eido: validate: %w", err)
		}
		leaf := firstLeaf(ve)
		return &InvalidError{Pointer: pointer(leaf.InstanceLocation), Reason: leaf.ErrorKind.LocalizedString(english), Err: err}
	}
	return nil
}

// english prints the validator's reasons.
var english = message.NewPrinter(language.English)

// firstLeaf follows the first cause down to a fault with no further causes: the
// most precise place the validator names.
func firstLeaf(e *jsonschema.ValidationError) *jsonschema.ValidationError {
	for len(e.Causes) > 0 {
		e = e.Causes[0]
	}
	return e
}

// pointer writes a JSON pointer (RFC 6901) from its reference tokens.
func pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(t))
	}
	return b.String()
}
