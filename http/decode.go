package http

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// MaxBodySize bounds a request body. Commands are small; a larger body is a
// mistake or an attack.
const MaxBodySize = 1 << 20

// decode reads a JSON request body into v strictly: the media type must be
// JSON, the body at most MaxBodySize, one object with no unknown fields and
// nothing after it. Each failure says what was wrong.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return &httpError{status: http.StatusUnsupportedMediaType, code: "unsupported_media_type", msg: "the body must be application/json"}
		}
	}
	body := http.MaxBytesReader(w, r.Body, MaxBodySize)
	d := json.NewDecoder(body)
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &mbe):
			return &httpError{status: http.StatusRequestEntityTooLarge, code: "too_large", msg: fmt.Sprintf("the body exceeds %d bytes", MaxBodySize)}
		case errors.Is(err, io.EOF):
			return badRequest("the body is empty; a JSON object is required")
		case errors.As(err, &se):
			return badRequest(fmt.Sprintf("the body is not valid JSON (at byte %d)", se.Offset))
		case errors.As(err, &te):
			return badRequest(fmt.Sprintf("field %q must be %s, not %s", te.Field, te.Type, te.Value))
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return badRequest("unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field "))
		default:
			return badRequest("the body is not a valid JSON object: " + err.Error())
		}
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return badRequest("the body has data after its JSON object")
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}
