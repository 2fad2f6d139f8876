package ledger

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// ErrTrailing is data after the one JSON value DecodeStrict reads.
var ErrTrailing = errors.New("data after the JSON object")

// DecodeStrict decodes data, one JSON value, into v: no member v does not
// have, and nothing after the value. What the log and its evidence are
// made of is read this way, so that nothing is read past unseen.
func DecodeStrict(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	// d.More would miss a trailing ']' or '}'; only the end of input will do.
	if _, err := d.Token(); err != io.EOF {
		return ErrTrailing
	}
	return nil
}

// IsCanonical reports whether data is canon, the one spelling tenfour
// writes a value in (canon ends in a newline, which data may lack): a
// document accepted in one form only cannot have a byte changed unseen —
// base64 with stray low bits, escapes, spacing or reordered members would
// otherwise read the same.
func IsCanonical(data, canon []byte) bool {
	return bytes.Equal(data, canon) || (len(canon) > 0 && canon[len(canon)-1] == '\n' && bytes.Equal(data, canon[:len(canon)-1]))
}
