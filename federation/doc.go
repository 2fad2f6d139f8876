// Package federation is the wire format between tenfour installations
// (issue 17, docs/federation.md): the signed messages one installation
// sends a partner, and the signed receipts the partner answers with.
//
// A Message is one event of the sender's log: the event's exact bytes, the
// openings of its private fields, an RFC 6962 inclusion proof and the
// sender's signed checkpoint (a ledger.Bundle of one event), with an EIDO
// document when the event is about an incident. So the sender's own log
// proves what it sent, and when. A Receipt is the same from the other side:
// the receiver's receipt event under the receiver's checkpoint, saying
// whether the message was applied or refused.
//
// # The note
//
// Both travel as C2SP signed notes (https://c2sp.org/signed-note,
// golang.org/x/mod/sumdb/note), with a text of exactly two lines: the
// format ("tenfour-federation/v1" or "tenfour-federation-receipt/v1"),
// then the message's canonical JSON (compact, members in struct order, map
// keys sorted, HTML characters unescaped, times in UTC, as encoding/json
// writes it; an EIDO document inside is opaque, kept as compact JSON with
// its own member order and escapes). The note carries one signature: the sender's log key, the
// same Ed25519 key that signs its checkpoints, because a peer record holds
// that key alone (dispatch.Peer) and a log's key is named by its origin.
// Open and OpenReceipt accept a note only in the one form Seal and
// SealReceipt write, so that no byte of it can change and still pass: any
// other spacing, member order, escape, time zone, base64 spelling or extra
// signature line is refused.
//
// # Why the log key may sign messages too
//
// One key signing two kinds of text is safe only if no text of one kind can
// be read as the other. C2SP signed-note leaves that separation to the
// texts; here it holds by construction. A checkpoint (C2SP tlog-checkpoint,
// ledger.ParseCheckpoint) is the origin, then the tree size in decimal, then
// the root hash. A message's second line is a JSON object, which starts
// with '{' and is never a decimal size, so no message parses as a
// checkpoint: a partner, a witness or an auditor handed a message as a
// checkpoint refuses it, and no message can be replayed as a tree head of
// the sender's log. Conversely a checkpoint's second line is a number, never
// the JSON object Open requires, and its first line is the log's origin,
// never a format name (and were a log's origin a format name, its second
// line would still fail); so no checkpoint can be replayed as a message or
// a receipt. Messages and receipts differ in their first line, so neither
// is taken for the other. Witnesses' cosignatures are made with keys of
// their own (cosignature/v1) over checkpoints only, and are not affected.
//
// # What Open checks
//
// Open and OpenReceipt check everything that can be checked without the
// receiver's state, each failure an error that names what failed and wraps
// one of ErrTooLarge, ErrMalformed, ErrSignature or ErrEvidence (so the
// inbox can answer 413, 400, 403 or 422): the size, the signature by the
// sender's key, the form of the note and of its JSON, the fields, and the
// evidence (ledger.VerifyBundle: the checkpoint's signature by the same key,
// the inclusion proof, the entry, the openings against their commitments).
// What the event means, whether the receiver is the addressee (To), and
// whether the message was seen before (by its ID) are for the engine.
package federation
