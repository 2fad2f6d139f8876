package engine

import (
	"context"
	"time"

	"github.com/tenfour-cad/tenfour/store"
)

// idempotencyKey is the context key of a request's idempotency key.
type idempotencyKey struct{}

// idempotency is what WithIdempotency puts in a context.
type idempotency struct {
	key, fingerprint []byte
	created          time.Time
}

// WithIdempotency returns a context whose commands are done under an
// idempotency key: key is the SHA-256 of the caller and the key it sent,
// fingerprint the SHA-256 of its request, created when the request came,
// on the clock that times the key's life. Execute hands the key to the
// ledger with the command's events, which writes it in the transaction
// that makes them durable (store.Idempotency), so that a retry reaching
// another node, or this one restarted, finds the command done. A command
// that records no event records no key.
func WithIdempotency(ctx context.Context, key, fingerprint []byte, created time.Time) context.Context {
	return context.WithValue(ctx, idempotencyKey{}, idempotency{key: key, fingerprint: fingerprint, created: created})
}

// WithoutIdempotency returns a context whose commands are done under no
// idempotency key: for records a request makes beside its command (the
// audit of what it read), which are not the command's events.
func WithoutIdempotency(ctx context.Context) context.Context {
	return context.WithValue(ctx, idempotencyKey{}, idempotency{})
}

// idempotencyOf returns the key of ctx's request, or nil.
func idempotencyOf(ctx context.Context) *store.Idempotency {
	k, ok := ctx.Value(idempotencyKey{}).(idempotency)
	if !ok || k.key == nil {
		return nil
	}
	return &store.Idempotency{Key: k.key, Fingerprint: k.fingerprint, Created: k.created}
}
