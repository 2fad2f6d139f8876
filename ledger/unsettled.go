package ledger

import "bytes"

// Unsettled reports whether events sequenced under the idempotency key
// (store.Idempotency.Key) wait to be committed, or are being committed, on
// this node: their outcome is not yet known, so a retry of the same command
// must wait rather than be looked up in the store, where the key is not yet
// (or not visibly yet) written, and done again. Once it reports false the
// key's events are in the store with the key, or were never recorded.
func (l *Log) Unsettled(key []byte) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, ps := range [][]*Pending{l.committing, l.queue} {
		for _, p := range ps {
			if p.key != nil && bytes.Equal(p.key.Key, key) {
				return true
			}
		}
	}
	return false
}

// settled notes that the batch being committed has landed: its keys are in
// the store.
func (l *Log) settled() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.committing = nil
}
