// Package spectest holds a subscriber of the EIDO conveyance written from
// NENA-STA-024.1a and NENA's subscribe/notify schema alone
// (NENA911/WebSocket-Subscribe-Notify, schema/websocket.yaml), with
// nothing but a WebSocket client and encoding/json: it imports none of
// tenfour's EIDO code, so that it checks the notifier against the
// standard rather than against itself. Its test runs it against a running
// notifier, which the test's harness (harness_test.go) starts.
package spectest
