package main

import (
	"context"
	"sync"

	"github.com/tenfour-cad/tenfour/federation"
	"github.com/tenfour-cad/tenfour/ledger"
)

// openFederation makes the node take its peers' messages (the inbox),
// deliver its own (the outbox, run by Run while it sequences), and make
// cross-installation bundles (docs/federation.md). Messages and receipts
// are signed with the log's key: the key a peer names.
func (m *Main) openFederation(key *ledger.Key) {
	m.inbox = &federation.Inbox{Engine: m.Engine, Store: m.Store, Signer: key.Signer}
	m.outbox = &federation.Outbox{Engine: m.Engine, Store: m.Store, Signer: key.Signer, Logger: m.Logger}
	m.Server.SetFederation(m.inbox, &federation.Builder{Engine: m.Engine, Cosigned: m.Store})
}

// runFederation runs the outbox until ctx ends; the returned function
// waits for it to stop.
func (m *Main) runFederation(ctx context.Context) func() {
	var wg sync.WaitGroup
	if m.outbox != nil {
		wg.Go(func() { m.outbox.Run(ctx) })
	}
	return wg.Wait
}
