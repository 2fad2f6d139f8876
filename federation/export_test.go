package federation

import (
	"context"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// Send is what the outbox does for one message, without recording it:
// seal event seq of the log with its proof, post it to p, and check the
// receipt. The round-trip benchmark measures it.
func (o *Outbox) Send(ctx context.Context, p dispatch.Peer, seq int64) (*Message, *Receipt, error) {
	return o.send(ctx, p, seq, dispatch.Event{})
}
