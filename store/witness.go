package store

import "time"

// A WitnessedLog is what this installation's witness holds of another log
// (C2SP tlog-witness): the latest checkpoint it cosigned for the log's
// origin, with the size and root hash it states.
type WitnessedLog struct {
	Origin     string
	Size       int64
	Root       []byte // 32 bytes
	Checkpoint []byte // the signed note as submitted
	Updated    time.Time
}

// A ForkEvidence is a checkpoint the witness refused because it contradicts
// the checkpoint it held for the same log: two trees of one log. Both are
// kept, byte-exact, with the time it was seen and why it was refused.
type ForkEvidence struct {
	ID        int64 // assigned by the store, from 1
	Origin    string
	Held      []byte // the checkpoint the witness held (a signed note)
	Submitted []byte // the contradicting checkpoint (a signed note)
	Reason    string
	Seen      time.Time
}

// A Cosigned is one of this installation's own checkpoints with the
// cosignature lines its witnesses returned: the signed note with every
// signature line collected for it.
type Cosigned struct {
	Size    int64
	Note    []byte
	Updated time.Time
}
