package engine

import "github.com/tenfour-cad/tenfour/dispatch"

// Peers returns the partner installations, to an installation administrator
// (dispatch.PeerList decides).
func (e *Engine) Peers(a dispatch.Actor) ([]dispatch.Peer, error) {
	var out []dispatch.Peer
	var err error
	e.read(func(s *dispatch.State) { out, err = dispatch.PeerList(s, a) })
	return out, err
}

// PeerOf returns the peer whose log has the origin, for the witness, which
// cosigns the checkpoints of the peers' logs alone.
func (e *Engine) PeerOf(origin string) (dispatch.Peer, bool) {
	var p dispatch.Peer
	var ok bool
	e.read(func(s *dispatch.State) { p, ok = dispatch.PeerOf(s, origin) })
	return p, ok
}

// FederationPeers returns the peers to those who may read the federation's
// status (dispatch.FederationPeers decides).
func (e *Engine) FederationPeers(a dispatch.Actor) ([]dispatch.Peer, error) {
	var out []dispatch.Peer
	var err error
	e.read(func(s *dispatch.State) { out, err = dispatch.FederationPeers(s, a) })
	return out, err
}
