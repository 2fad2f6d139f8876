package engine

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/ledger"
	"github.com/tenfour-cad/tenfour/store"
)

// A snapshot lets a node start without replaying the whole log: the
// sequencer saves the durable state (the view) every SnapshotEvery events
// and at Close, bound by the ledger to the root of the tree of its size
// (ledger.Log.SaveSnapshot); Open restores the latest that binds and
// replays the events after it (ledger.Config.Restore).
//
// Its data is a small envelope: the length of a JSON header (uvarint), the
// header (what the engine rebuilds by replay beside the state), then the
// state (dispatch.EncodeState). The subject index (Seqs) and the archive
// are not in it: they are in the store, written with the log.

// snapshotVersion is the version of the engine's envelope: change it when
// snapshotHeader changes.
const snapshotVersion = "engine/1"

// SnapshotFormat is the format of the engine's snapshots: the state's
// encoding and the envelope's. A snapshot of any other is refused.
const SnapshotFormat = dispatch.StateFormat + "/" + snapshotVersion

// DefaultSnapshotEvery is how many events apart the sequencer saves
// snapshots when Config.SnapshotEvery is zero.
const DefaultSnapshotEvery = 100_000

// snapshotHeader is what the engine keeps beside the state.
type snapshotHeader struct {
	// Last is the time of the newest event: log time never runs backwards.
	Last time.Time `json:"last"`
}

// encodeSnapshot returns the envelope of a snapshot.
func encodeSnapshot(h snapshotHeader, state []byte) ([]byte, error) {
	hb, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("encode snapshot header: %w", err)
	}
	b := binary.AppendUvarint(make([]byte, 0, binary.MaxVarintLen64+len(hb)+len(state)), uint64(len(hb)))
	b = append(b, hb...)
	return append(b, state...), nil
}

// decodeSnapshot splits the envelope of a snapshot into its header and the
// encoded state.
func decodeSnapshot(b []byte) (snapshotHeader, []byte, error) {
	var h snapshotHeader
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return h, nil, errors.New("decode snapshot: a truncated header")
	}
	if err := json.Unmarshal(b[k:k+int(n)], &h); err != nil {
		return h, nil, fmt.Errorf("decode snapshot header: %w", err)
	}
	return h, b[k+int(n):], nil
}

// restore replaces both states with the snapshot's (ledger.Config.Restore).
// It decodes everything before it changes anything, so a snapshot it
// refuses leaves the engine as it was.
func (e *Engine) restore(s store.Snapshot) error {
	// A store whose subject index ends before the snapshot (one written
	// before the index existed) has it filled by the replay of the events
	// it lacks (archive.go): those before the snapshot would never be.
	if f := e.fill; f != nil && f.from < s.Size {
		return fmt.Errorf("the subject index ends at event %d, before the snapshot: the events in between are indexed as they are replayed", f.from)
	}
	h, enc, err := decodeSnapshot(s.Data)
	if err != nil {
		return err
	}
	// Two decodes, one for each state, side by side: a start waits on them.
	type decoded struct {
		s   *dispatch.State
		err error
	}
	other := make(chan decoded, 1)
	go func() {
		st, err := dispatch.DecodeState(enc)
		other <- decoded{st, err}
	}()
	live, err := dispatch.DecodeState(enc)
	view := <-other
	if err = errors.Join(err, view.err); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.viewMu.Lock()
	defer e.viewMu.Unlock()
	e.live, e.view, e.last = live, view.s, h.Last
	e.viewSize, e.viewLast = s.Size, h.Last
	e.snap.saved.Store(s.Size)
	e.hub.mu.Lock()
	e.hub.next = s.Size
	e.hub.mu.Unlock()
	return nil
}

// snapshots is the engine's snapshot writer.
type snapshots struct {
	every  int64         // events between two snapshots; 0: never
	saved  atomic.Int64  // the size of the latest snapshot saved or restored
	kick   chan struct{} // wakes the writer
	stop   chan struct{}
	done   chan struct{}
	logger *slog.Logger
}

// startSnapshots starts the writer: it saves a snapshot whenever committed
// finds SnapshotEvery events since the last, apart from the commands,
// which never wait for it.
func (e *Engine) startSnapshots(every int64, logger *slog.Logger) {
	e.snap.every, e.snap.logger = every, logger
	e.snap.kick, e.snap.stop, e.snap.done = make(chan struct{}, 1), make(chan struct{}), make(chan struct{})
	if e.snap.logger == nil {
		e.snap.logger = slog.New(slog.DiscardHandler)
	}
	go func() {
		defer close(e.snap.done)
		for {
			select {
			case <-e.snap.stop:
				return
			case <-e.snap.kick:
				if err := e.saveSnapshot(context.Background(), e.snap.every); err != nil {
					e.snap.logger.Warn("save a snapshot", "err", err)
				}
			}
		}
	}()
}

// snapshotDue wakes the writer if SnapshotEvery events have become durable
// since the last snapshot. The view's lock is held.
func (e *Engine) snapshotDue() {
	if e.snap.every <= 0 || e.viewSize-e.snap.saved.Load() < e.snap.every {
		return
	}
	select {
	case e.snap.kick <- struct{}{}:
	default: // one is being written
	}
}

// saveSnapshot saves the durable state as a snapshot, if this node is the
// sequencer (followers write none) and it holds at least gap events the
// last did not. It holds the view's read lock only to encode it.
func (e *Engine) saveSnapshot(ctx context.Context, gap int64) error {
	if e.snap.every <= 0 || !e.log.IsSequencer() {
		return nil
	}
	began := time.Now()
	e.viewMu.RLock()
	size, h := e.viewSize, snapshotHeader{Last: e.viewLast}
	if size-e.snap.saved.Load() < max(gap, 1) {
		e.viewMu.RUnlock()
		return nil
	}
	state, err := dispatch.EncodeState(e.view)
	e.viewMu.RUnlock()
	if err != nil {
		return fmt.Errorf("snapshot at %d: %w", size, err)
	}
	data, err := encodeSnapshot(h, state)
	if err != nil {
		return fmt.Errorf("snapshot at %d: %w", size, err)
	}
	if err := e.log.SaveSnapshot(ctx, size, data); err != nil {
		return err
	}
	e.snap.saved.Store(size)
	e.snap.logger.Info("snapshot saved", "size", size, "bytes", len(data), "took", time.Since(began).Round(time.Millisecond))
	return nil
}

// stopSnapshots stops the writer and, on the sequencer, saves a last
// snapshot of what is durable, so that the next start replays nothing
// that this one did not just commit.
func (e *Engine) stopSnapshots() error {
	select {
	case <-e.snap.stop:
		return nil
	default:
		close(e.snap.stop)
	}
	<-e.snap.done
	select {
	case <-e.log.Failed():
		return nil // nothing trustworthy to save
	default:
	}
	return e.saveSnapshot(context.Background(), 1)
}

// snapshotStore returns the store's snapshots, if it keeps them.
func snapshotStore(st ledger.Store) ledger.Snapshots {
	s, _ := st.(ledger.Snapshots)
	return s
}
