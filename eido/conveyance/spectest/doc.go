// Package spectest holds a subscriber of the EIDO conveyance written from
// NENA-STA-024.1a and NENA's subscribe/notify schema alone
// (NENA911/WebSocket-Subscribe-Notify, schema/websocket.yaml), with
// nothing but a WebSocket client and encoding/json: it imports none of
// tenfour's EIDO code, so that it checks the notifier against the
// standard rather than against itself. Its test runs it against a running
// notifier: a `tenfour serve` process the test's harness
// (harness_test.go) builds, starts and sets up through the HTTP API, so
// that the package imports nothing of tenfour at all.
package spectest
