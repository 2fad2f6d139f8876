package engine

import (
	"context"
	"fmt"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/ledger"
)

// alertOf prepares an acknowledgement of an alert for deciding, whatever
// the entrance: the domain holds no log, so the engine reads the event
// the command names from the ledger and hands it over (dispatch.
// AcknowledgeAlert.Alert). An event the log does not hold (yet) is handed
// over as none, which the domain answers as not found. Whatever Alert the
// command came with is replaced: only the log says what an event was.
func (e *Engine) alertOf(ctx context.Context, cmd dispatch.Command) (dispatch.Command, error) {
	c, ok := cmd.(dispatch.AcknowledgeAlert)
	if !ok {
		return cmd, nil
	}
	c.Alert = nil
	if c.Seq < 0 || c.Seq >= e.log.Size() {
		return c, nil
	}
	entries, err := e.log.Entries(ctx, c.Seq, c.Seq+1)
	if err != nil {
		return nil, fmt.Errorf("read event %d: %w", c.Seq, err)
	}
	if len(entries) != 1 {
		return nil, fmt.Errorf("read event %d: %d entries", c.Seq, len(entries))
	}
	en, err := ledger.ParseEntry(entries[0])
	if err != nil {
		return nil, fmt.Errorf("read event %d: %w", c.Seq, err)
	}
	// The public fields say what kind of alert it is (a status, an
	// urgency): no opening is needed, and none is read.
	ev, err := FromEntry(en, nil)
	if err != nil {
		return nil, fmt.Errorf("read event %d: %w", c.Seq, err)
	}
	c.Alert = &ev
	return c, nil
}
