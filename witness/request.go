package witness

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
)

// MaxProofLines is the most consistency proof lines an add-checkpoint
// request may carry (C2SP tlog-witness: "The client MUST NOT send more than
// 63 consistency proof lines").
const MaxProofLines = 63

// MaxRequest bounds an add-checkpoint request body: 63 proof lines of 45
// bytes, and a checkpoint with a few dozen signatures fit well within it.
const MaxRequest = 64 << 10

// A Request is a parsed add-checkpoint request body (C2SP tlog-witness,
// add-checkpoint): the size of the previous checkpoint, the consistency
// proof from it, and the signed checkpoint note.
type Request struct {
	Old   int64
	Proof tlog.TreeProof
	Note  []byte
}

// Format returns the request body: "old N", one base64 hash a line, an
// empty line, and the checkpoint note.
func (r Request) Format() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "old %d\n", r.Old)
	for _, h := range r.Proof {
		b.WriteString(h.String())
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.Write(r.Note)
	return b.Bytes()
}

// ParseRequest parses an add-checkpoint request body. It checks the form
// only; the checkpoint's signature and meaning are the witness's to check.
func ParseRequest(body []byte) (Request, error) {
	var r Request
	line := func() (string, error) {
		i := bytes.IndexByte(body, '\n')
		if i < 0 {
			return "", errors.New("a line does not end in a newline")
		}
		l := string(body[:i])
		body = body[i+1:]
		return l, nil
	}
	l, err := line()
	if err != nil {
		return r, fmt.Errorf("add-checkpoint: old size line: %w", err)
	}
	n, ok := strings.CutPrefix(l, "old ")
	if !ok || n == "" || (len(n) > 1 && n[0] == '0') || strings.Trim(n, "0123456789") != "" {
		return r, fmt.Errorf("add-checkpoint: first line %q is not \"old <size>\" in decimal without leading zeros", l)
	}
	if r.Old, err = strconv.ParseInt(n, 10, 64); err != nil {
		return r, fmt.Errorf("add-checkpoint: old size %q: %w", n, err)
	}
	for {
		l, err := line()
		if err != nil {
			return r, fmt.Errorf("add-checkpoint: proof: %w", err)
		}
		if l == "" {
			break
		}
		if len(r.Proof) == MaxProofLines {
			return r, fmt.Errorf("add-checkpoint: more than %d consistency proof lines", MaxProofLines)
		}
		h, err := tlog.ParseHash(l)
		if err != nil || h.String() != l {
			return r, fmt.Errorf("add-checkpoint: proof line %d %q is not a base64 SHA-256 hash", len(r.Proof)+1, l)
		}
		r.Proof = append(r.Proof, h)
	}
	if len(body) == 0 {
		return r, errors.New("add-checkpoint: no checkpoint after the empty line")
	}
	r.Note = body
	return r, nil
}
