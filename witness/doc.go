// Package witness makes tenfour a witness of other transparency logs and a
// client of witnesses of its own.
//
//   - Cosignatures (cosignature.go) follow C2SP tlog-cosignature, the
//     Ed25519 "cosignature/v1" type: a cosignature is an ordinary signed-note
//     signature (golang.org/x/mod/sumdb/note), so a note verifier that does
//     not know the witness's key skips its line, as C2SP signed-note says.
//   - The witness (witness.go) serves C2SP tlog-witness's add-checkpoint: it
//     cosigns a checkpoint of a log it knows only when it is consistent with
//     the last one it cosigned for that log, and keeps what it cosigned with
//     a compare-and-swap on the size it holds. A checkpoint that contradicts
//     what it holds (a fork) is refused and kept as evidence.
//   - The client (client.go) submits this installation's own checkpoints to
//     witnesses and keeps the cosignatures they return.
package witness
