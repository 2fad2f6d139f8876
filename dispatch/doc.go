// Package dispatch is tenfour's domain: agencies, units and incidents, the
// commands that change them and the events those commands yield.
//
// It is pure. It does no I/O and reads no clock: a command is decided against
// the current State at a time it is handed, and yields events (or an *Error);
// the State changes only by applying events. Everything else in tenfour
// imports this package, and it imports none of them. Because of that the whole
// system can be rebuilt from its log, and replays deterministically.
package dispatch
