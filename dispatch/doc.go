// Package dispatch is tenfour's domain: agencies, units and incidents, the
// commands that change them and the events those commands yield.
//
// It is pure. It does no I/O and reads no clock: a command is decided against
// the current State at a time it is handed, and yields events (or an *Error);
// the State changes only by applying events. Everything else in tenfour
// imports this package, and it imports none of them. Because of that the whole
// system can be rebuilt from its log, and replays deterministically.
//
// Where to look:
//
//   - decide.go: Command and Decide, the one way every command is decided
//     (the engine calls it), and the list of every command with the file
//     that holds it.
//   - decode.go: DecodeData, the table of every event type and its payload,
//     how an event is read back from the log.
//   - state.go: State and State.Apply, how each event changes the state.
//   - visibility.go: who may see what — every record kind, every field, the
//     stream and the timelines and bundles — the one rule every read and
//     every entrance goes through (the engine's typed reads call it).
//   - places.go: the map as the domain asks it (Places), and which commands
//     carry places (Placed): the engine resolves them before deciding.
//   - event.go: Event, and the first events (agency, unit, incident and
//     user created; status changes, dispatch, clearing).
//   - One file per subject, each with its commands, their rules, their
//     events and their fold into the state: lifecycle.go, merge.go,
//     roster.go, premise.go, bolo.go, message.go, timers.go, and for mutual
//     aid mutualaid.go (plans), assist.go (assistance requests, the
//     assist.* events), escalate.go (their escalation and conflicts),
//     directive.go, mutualaid_apply.go (their fold into the state).
//   - model.go: the records the state holds; error.go: the typed errors
//     with their codes.
package dispatch
