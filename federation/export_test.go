package federation

import (
	"context"
	"encoding/json"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// Send is what the outbox does for one message, without recording it:
// seal event seq of the log (ev) with its proof, post it to p, and check
// the receipt. The round-trip benchmark measures it.
func (o *Outbox) Send(ctx context.Context, p dispatch.Peer, seq int64, ev dispatch.Event) (*Message, *Receipt, error) {
	return o.send(ctx, p, seq, ev)
}

// RequestEIDO is the EIDO document the outbox sends with ev.
func (o *Outbox) RequestEIDO(ev dispatch.Event) json.RawMessage { return o.requestEIDO(ev) }
