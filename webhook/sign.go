// Package webhook sends an agency's events to the partner systems its
// administrators subscribe (records systems, paging gateways, dashboards),
// signed as the Standard Webhooks specification says, from a durable
// outbox: each subscription's place in the log is kept in the store, so
// that after a restart, a takeover or a receiver's outage every event it
// should receive is delivered, in log order, once — or again with the same
// webhook-id, which a receiver dedupes by.
//
// A subscription receives what its agency may see on the event stream
// (dispatch.StreamVisible for dispatch.WebhookActor), and no more.
// docs/webhooks.md is the receiver's guide.
package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"time"
)

// The Standard Webhooks headers (Standard Webhooks specification,
// "Webhook Headers"): the message's id, the attempt's time in Unix
// seconds, and its signatures.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// SecretPrefix starts a secret as the specification writes it ("whsec_"
// and the key in base64), so that it is recognised as one wherever it is
// pasted.
const SecretPrefix = "whsec_"

// secretSize is the bytes of a new secret's key: the specification asks
// for between 24 and 64; HMAC-SHA256 gains nothing past 32.
const secretSize = 32

// NewSecret returns a new random key for a subscription.
func NewSecret() ([]byte, error) {
	k := make([]byte, secretSize)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("new webhook secret: %w", err)
	}
	return k, nil
}

// EncodeSecret writes a key as the specification does: SecretPrefix and
// the key in standard base64 (RFC 4648 section 4), with padding.
func EncodeSecret(key []byte) string {
	return SecretPrefix + base64.StdEncoding.EncodeToString(key)
}

// MessageID returns the webhook-id of event seq for a subscription: the
// same for every attempt, and for every node that sends it, so that a
// receiver that dedupes by it receives each event once.
func MessageID(subscription string, seq int64) string {
	return "msg_" + subscription + "_" + strconv.FormatInt(seq, 10)
}

// Sign returns the webhook-signature of a message (Standard Webhooks,
// "Signature Scheme"): "v1," and the standard base64 of HMAC-SHA256, under
// the key, of the id, the timestamp in Unix seconds and the exact body,
// joined by full stops.
func Sign(key []byte, id string, at time.Time, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write(strconv.AppendInt(nil, at.Unix(), 10))
	m.Write([]byte{'.'})
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}
