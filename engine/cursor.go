package engine

import (
	"cmp"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
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

// cursorVersion is the first byte of an encoded cursor: the form below.
const cursorVersion = 1

// String encodes the cursor for a client, which must treat it as opaque:
// base64url (RFC 4648 section 5, unpadded) of a version byte, the time in
// Unix nanoseconds (8 bytes, big-endian), the id's bytes and a CRC-32
// (IEEE) of all that. The checksum is not a seal — a cursor grants
// nothing, every record is still shown only to whom may see it — but it
// makes a mangled or made-up cursor a clear error, not a strange page.
func (c Cursor) String() string {
	b := make([]byte, 0, 1+8+len(c.ID)+4)
	b = append(b, cursorVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(c.Time.UnixNano()))
	b = append(b, c.ID...)
	b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
	return base64.RawURLEncoding.EncodeToString(b)
}

// errCursor is the answer to a cursor String did not make.
var errCursor = dispatch.Errorf(dispatch.EINVALID, "before is not a cursor this server gave (take it from the Link header of the previous page)")

// ParseCursor decodes a cursor that String made. Anything else — not
// base64url, of another version, a wrong checksum, an id that is empty,
// too long, not UTF-8 or has control characters — is an invalid-input
// error.
func ParseCursor(s string) (Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 1+8+1+4 || len(b) > 1+8+maxCursorID+4 || b[0] != cursorVersion {
		return Cursor{}, errCursor
	}
	body, sum := b[:len(b)-4], binary.BigEndian.Uint32(b[len(b)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return Cursor{}, errCursor
	}
	id := string(body[9:])
	if !utf8.ValidString(id) || strings.ContainsFunc(id, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return Cursor{}, errCursor
	}
	return Cursor{Time: time.Unix(0, int64(binary.BigEndian.Uint64(body[1:9]))).UTC(), ID: id}, nil
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
