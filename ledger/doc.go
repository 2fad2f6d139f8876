// Package ledger is tenfour's verifiable event log.
//
// Every event is one leaf of an append-only Merkle tree as specified by
// RFC 6962 (Certificate Transparency), computed with golang.org/x/mod/sumdb/tlog
// over the exact stored bytes of the event. Signed checkpoints follow C2SP
// tlog-checkpoint and are Ed25519 signed notes (C2SP signed-note,
// golang.org/x/mod/sumdb/note). The log is served as C2SP tlog-tiles. Private
// fields enter a leaf only as salted commitments SHA-256(salt ‖ value), whose
// openings are stored apart and may be erased without breaking any proof.
package ledger
