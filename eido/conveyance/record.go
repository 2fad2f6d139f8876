package conveyance

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"sync"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// Executor runs a command through the engine as an actor: engine.Engine's
// Execute, less its result.
type Executor func(ctx context.Context, a dispatch.Actor, cmd dispatch.Command) error

// SystemActor is the actor that records conveyances in the log.
var SystemActor = dispatch.Actor{System: "eido"}

// DefaultRecordEvery is how long a recorder gathers conveyances into one
// event: many subscribers of one change, and many changes in a burst,
// cost one leaf per agency, not one per EIDO sent.
const DefaultRecordEvery = 250 * time.Millisecond

// A recorder gathers the EIDOs sent or received and records them as
// events (dispatch.RecordConveyance) in batches: one event per kind,
// agency and partner for each flush, each EIDO once with all its
// recipients.
type recorder struct {
	exec   Executor
	logger *slog.Logger

	// flushing is held through a flush, so that a flush returns only
	// once what was gathered before it is in the log, whoever took it.
	flushing sync.Mutex

	mu      sync.Mutex
	batches map[batchKey]*batch

	// recorded counts the events recorded, for tests and benchmarks.
	recorded int64
}

type batchKey struct{ typ, agency, partner string }

type batch struct {
	eidos []dispatch.ConveyedEIDO
	index map[string]int // incident + hash → its place in eidos
}

func newRecorder(exec Executor, logger *slog.Logger) *recorder {
	return &recorder{exec: exec, logger: logger, batches: make(map[batchKey]*batch)}
}

// hashOf returns the hex SHA-256 of an EIDO.
func hashOf(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// sent notes an EIDO of agency's incident sent on a subscription.
func (r *recorder) sent(agency, incident, hash string, size int, to dispatch.EIDORecipient) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.batch(batchKey{dispatch.TypeEIDOSent, agency, ""})
	key := incident + " " + hash
	if i, ok := b.index[key]; ok && len(b.eidos[i].Recipients) < dispatch.MaxConveyedRecipients {
		b.eidos[i].Recipients = append(b.eidos[i].Recipients, to)
		return
	}
	b.index[key] = len(b.eidos)
	b.eidos = append(b.eidos, dispatch.ConveyedEIDO{Incident: incident, SHA256: hash, Size: size, Recipients: []dispatch.EIDORecipient{to}})
}

// received notes an EIDO received from partner for agency.
func (r *recorder) received(agency, partner string, e dispatch.ConveyedEIDO) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.batch(batchKey{dispatch.TypeEIDOReceived, agency, partner})
	b.eidos = append(b.eidos, e)
}

func (r *recorder) batch(k batchKey) *batch {
	b, ok := r.batches[k]
	if !ok {
		b = &batch{index: make(map[string]int)}
		r.batches[k] = b
	}
	return b
}

// flush records what was gathered, in events of at most
// dispatch.MaxConveyedEIDOs EIDOs each. A refused record is logged, not
// retried: the EIDOs went, and the node's log says that they did.
func (r *recorder) flush(ctx context.Context) {
	r.flushing.Lock()
	defer r.flushing.Unlock()
	r.mu.Lock()
	batches := r.batches
	r.batches = make(map[batchKey]*batch)
	r.mu.Unlock()
	for k, b := range batches {
		for len(b.eidos) > 0 {
			n := min(len(b.eidos), dispatch.MaxConveyedEIDOs)
			cmd := dispatch.RecordConveyance{Type: k.typ, Agency: k.agency,
				Data: dispatch.EIDOConveyed{Partner: k.partner, EIDOs: b.eidos[:n]}}
			b.eidos = b.eidos[n:]
			if err := r.exec(context.WithoutCancel(ctx), SystemActor, cmd); err != nil {
				r.logger.Error("EIDO conveyance not recorded in the log", "type", k.typ, "agency", k.agency, "eidos", n, "err", err)
				continue
			}
			r.mu.Lock()
			r.recorded++
			r.mu.Unlock()
		}
	}
}

// run flushes every interval until ctx is done, then once more.
func (r *recorder) run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = DefaultRecordEvery
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			r.flush(ctx)
			return
		case <-t.C:
			r.flush(ctx)
		}
	}
}

// count returns the events recorded so far.
func (r *recorder) count() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.recorded
}
