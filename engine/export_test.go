package engine

import "github.com/tenfour-cad/tenfour/dispatch"

// Live calls fn with the live state under the decision lock, for tests that
// compare it with a state rebuilt from the log.
func (e *Engine) Live(fn func(*dispatch.State)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	fn(e.live)
}
