package ledger

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// A Checkpoint is the body of a C2SP tlog-checkpoint: the log's origin, its
// tree size and the RFC 6962 root hash of the tree of that size.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
}

// Format returns the checkpoint body as C2SP tlog-checkpoint specifies it: the
// origin line, the tree size in decimal, the root hash in standard base64, each
// ending in a newline. tenfour adds no extension lines.
func (c Checkpoint) Format() []byte {
	return []byte(fmt.Sprintf("%s\n%d\n%s\n", c.Origin, c.Size, c.Root))
}

// ParseCheckpoint parses a checkpoint body (the text of a signed note). It
// accepts and ignores extension lines, as C2SP tlog-checkpoint requires of
// clients, and rejects everything else that departs from the format.
func ParseCheckpoint(text []byte) (Checkpoint, error) {
	var c Checkpoint
	if !bytes.HasSuffix(text, []byte("\n")) {
		return c, errors.New("checkpoint: body does not end in a newline")
	}
	lines := strings.Split(string(text[:len(text)-1]), "\n")
	if len(lines) < 3 {
		return c, fmt.Errorf("checkpoint: %d lines, want at least 3 (origin, size, root)", len(lines))
	}
	c.Origin = lines[0]
	if c.Origin == "" {
		return c, errors.New("checkpoint: empty origin line")
	}
	if s := lines[1]; s == "" || (len(s) > 1 && s[0] == '0') || strings.TrimLeft(s, "0123456789") != "" {
		return c, fmt.Errorf("checkpoint: tree size %q is not a decimal number without leading zeros", s)
	}
	n, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		return c, fmt.Errorf("checkpoint: tree size %q: %w", lines[1], err)
	}
	c.Size = n
	// The hash must be in canonical base64, so that one tree has one
	// checkpoint text.
	if c.Root, err = tlog.ParseHash(lines[2]); err != nil || c.Root.String() != lines[2] {
		return c, fmt.Errorf("checkpoint: root hash %q is not a base64 SHA-256 hash", lines[2])
	}
	for i, l := range lines[3:] {
		if l == "" {
			return c, fmt.Errorf("checkpoint: extension line %d is empty", i+1)
		}
	}
	return c, nil
}

// SignCheckpoint signs a checkpoint as a C2SP signed note. The signer's key
// name must be the checkpoint's origin.
func SignCheckpoint(c Checkpoint, s note.Signer) ([]byte, error) {
	if s.Name() != c.Origin {
		return nil, fmt.Errorf("sign checkpoint: key %q does not match origin %q", s.Name(), c.Origin)
	}
	msg, err := note.Sign(&note.Note{Text: string(c.Format())}, s)
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	return msg, nil
}

// OpenCheckpoint checks a signed checkpoint's signature by v and parses it. The
// origin must be the verifier's key name.
func OpenCheckpoint(msg []byte, v note.Verifier) (Checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint signature: %w", err)
	}
	c, err := ParseCheckpoint([]byte(n.Text))
	if err != nil {
		return c, err
	}
	if c.Origin != v.Name() {
		return c, fmt.Errorf("checkpoint origin %q is not the key's name %q", c.Origin, v.Name())
	}
	return c, nil
}
