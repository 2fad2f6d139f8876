package engine

import (
	"cmp"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// A Cursor is where a page of a history list ended: the key (time, id) of
// its last record. The next page holds the records that sort after it in
// the list's order, newest first: an older time, or the same time and a
// smaller id. A key, not an offset, so that a record moving from memory to
// the archive between two pages is neither skipped nor shown twice.
type Cursor struct {
	Time time.Time
	ID   string
}

// maxCursorID bounds the id a cursor carries: record ids are short.
const maxCursorID = 128

// String encodes the cursor for a client, which must treat it as opaque:
// base64url (RFC 4648 §5, unpadded) of the time in Unix nanoseconds (8
// bytes, big-endian) and the id's bytes.
func (c Cursor) String() string {
	b := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(c.ID)), uint64(c.Time.UnixNano()))
	return base64.RawURLEncoding.EncodeToString(append(b, c.ID...))
}

// ParseCursor decodes a cursor that String made. Anything else — not
// base64url, too short, an id that is empty, too long, not UTF-8 or has
// control characters — is an invalid-input error.
func ParseCursor(s string) (Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 9 || len(b) > 8+maxCursorID {
		return Cursor{}, dispatch.Errorf(dispatch.EINVALID, "before is not a cursor this server gave (take it from the Link header of the previous page)")
	}
	id := string(b[8:])
	if !utf8.ValidString(id) || strings.ContainsFunc(id, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return Cursor{}, dispatch.Errorf(dispatch.EINVALID, "before is not a cursor this server gave (take it from the Link header of the previous page)")
	}
	return Cursor{Time: time.Unix(0, int64(binary.BigEndian.Uint64(b[:8]))).UTC(), ID: id}, nil
}

// compareKeys orders (time, id) keys newest first: negative if a comes
// before b in a list.
func compareKeys(at time.Time, aid string, bt time.Time, bid string) int {
	return cmp.Or(bt.Compare(at), strings.Compare(bid, aid))
}

// after reports whether the key (t, id) comes after the cursor c in a list
// (newest first); every key does when c is nil.
func (c *Cursor) after(t time.Time, id string) bool {
	return c == nil || compareKeys(t, id, c.Time, c.ID) > 0
}
