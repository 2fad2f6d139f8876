package http

import (
	"net/http"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// Peers (issue 17, docs/federation.md): the partner installations, kept by
// an installation administrator through the log (dispatch/peer.go).

func (s *Server) handleListPeers(w http.ResponseWriter, r *http.Request) {
	out, err := s.engine.Peers(actorOf(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"peers": out})
}

func (s *Server) handleAddPeer(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name   string `json:"name"`
		URL    string `json:"url"`
		Origin string `json:"origin"`
		Key    string `json:"key"`
		// WitnessKey, optional, is the peer's witness's cosignature/v1
		// verifier key, what its GET /witness/key serves.
		WitnessKey string `json:"witness_key"`
	}
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.engine.Execute(r.Context(), actorOf(r), dispatch.AddPeer{Name: req.Name, URL: req.URL, Origin: req.Origin, Key: req.Key, WitnessKey: req.WitnessKey})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, ok := s.engine.PeerOf(req.Origin)
	if !ok {
		s.writeError(w, r, dispatch.Errorf(dispatch.ENOTFOUND, "peer %s is not known after it was added", req.Name))
		return
	}
	created(w, res, "/api/v1/peers/"+p.Name, p)
}

func (s *Server) handleRemovePeer(w http.ResponseWriter, r *http.Request) {
	res, err := s.engine.Execute(r.Context(), actorOf(r), dispatch.RemovePeer{Name: r.PathValue("name")})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	setSeq(w, res)
	w.WriteHeader(http.StatusNoContent)
}
