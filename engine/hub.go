package engine

import (
	"strconv"
	"strings"
	"sync"
)

// A Published event is one durable leaf as subscribers receive it: its
// sequence number, the entry as the API shows it (the leaf, with the
// fields the public log holds as commitments opened in place: Shown), and
// the envelope members a subscriber filters on.
type Published struct {
	Seq    int64
	Type   string
	Agency string
	// Also lists the other agencies the event concerns (its subject's
	// "agencies", as an assistance request's events name every agency
	// asked): a subscriber of any of them receives it too.
	Also  []string
	Entry []byte
	// Frame is the event as one Server-Sent Events frame (id, event, data),
	// formatted once here rather than once per subscriber.
	Frame []byte
}

// NewPublished returns the Published form of the leaf entry at seq, whose
// subject names the agencies it also concerns (comma-separated, or "").
func NewPublished(seq int64, typ, agency, also string, entry []byte) Published {
	frame := make([]byte, 0, len(entry)+len(typ)+40)
	frame = append(frame, "id: "...)
	frame = strconv.AppendInt(frame, seq, 10)
	frame = append(frame, "\nevent: "...)
	frame = append(frame, typ...)
	frame = append(frame, "\ndata: "...)
	frame = append(frame, entry...)
	frame = append(frame, "\n\n"...)
	p := Published{Seq: seq, Type: typ, Agency: agency, Entry: entry, Frame: frame}
	if also != "" {
		p.Also = strings.Split(also, ",")
	}
	return p
}

// hubBuffer is how many events a subscriber may fall behind before it is
// dropped. A dropped subscriber reconnects and resumes from the log by its
// last sequence number, so a slow reader never slows the log down.
const hubBuffer = 4096

// hub fans durable events out to subscribers, in log order.
type hub struct {
	mu   sync.Mutex
	next int64 // sequence number of the next event to publish
	subs map[*Subscription]struct{}
}

// A Subscription receives every durable event from a sequence number on.
type Subscription struct {
	// C delivers the events in log order. It is closed when the subscriber
	// falls more than hubBuffer events behind or is closed; the subscriber
	// then resumes from the log.
	C    chan Published
	h    *hub
	once sync.Once
}

// Close ends the subscription.
func (s *Subscription) Close() {
	s.h.mu.Lock()
	defer s.h.mu.Unlock()
	s.closeLocked()
}

func (s *Subscription) closeLocked() {
	s.once.Do(func() {
		delete(s.h.subs, s)
		close(s.C)
	})
}

func (h *hub) publish(p Published) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.next = p.Seq + 1
	for s := range h.subs {
		select {
		case s.C <- p:
		default:
			s.closeLocked() // too slow: let it resume from the log
		}
	}
}

// Subscribe returns a subscription and the sequence number of the first event
// it will receive; events before that are in the log.
func (e *Engine) Subscribe() (*Subscription, int64) {
	h := &e.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs == nil {
		h.subs = make(map[*Subscription]struct{})
	}
	s := &Subscription{C: make(chan Published, hubBuffer), h: h}
	h.subs[s] = struct{}{}
	return s, h.next
}
