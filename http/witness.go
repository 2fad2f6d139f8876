package http

import (
	"context"
	"errors"
	"net/http"

	"github.com/tenfour-cad/tenfour/store"
	"github.com/tenfour-cad/tenfour/witness"
)

// Cosigned reads this log's checkpoints with the cosignatures its
// witnesses returned (witness.Client keeps them). store/sqlite and
// store/postgres implement it.
type Cosigned interface {
	LatestCosigned(ctx context.Context) (store.Cosigned, error)
}

// SetWitness makes the server a witness (C2SP tlog-witness, under
// /witness/) with w, and serves the cosigned checkpoints and the state of
// the witnessed logs that cosigned keeps (GET /witness/cosigned-checkpoint,
// GET /api/v1/federation). Set it before serving; without it the witness
// routes answer 404 and the federation's status has no witness state.
func (s *Server) SetWitness(w *witness.Witness, cosigned WitnessState) {
	s.witness, s.cosigned = w, cosigned
}

func (s *Server) handleAddCheckpoint(w http.ResponseWriter, r *http.Request) {
	if s.witness == nil {
		http.Error(w, "this installation is no witness", http.StatusNotFound)
		return
	}
	s.witness.HandleAddCheckpoint(w, r)
}

func (s *Server) handleWitnessKey(w http.ResponseWriter, r *http.Request) {
	if s.witness == nil {
		http.Error(w, "this installation is no witness", http.StatusNotFound)
		return
	}
	logHeaders(w)
	s.witness.HandleKey(w, r)
}

func (s *Server) handleWitnessHeld(w http.ResponseWriter, r *http.Request) {
	if s.witness == nil {
		http.Error(w, "this installation is no witness", http.StatusNotFound)
		return
	}
	logHeaders(w)
	s.witness.HandleHeld(w, r)
}

// handleCosignedCheckpoint serves the newest of this log's checkpoints
// that witnesses cosigned: the signed note with their cosignature lines. A
// client that does not know a witness's key skips its line (C2SP
// signed-note). It may be older than GET /log/checkpoint, which is signed
// before witnesses see it.
func (s *Server) handleCosignedCheckpoint(w http.ResponseWriter, r *http.Request) {
	logHeaders(w)
	if s.cosigned == nil {
		http.Error(w, "no checkpoint was cosigned yet", http.StatusNotFound)
		return
	}
	c, err := s.cosigned.LatestCosigned(r.Context())
	if errors.Is(err, store.ErrNotFound) {
		http.Error(w, "no checkpoint was cosigned yet", http.StatusNotFound)
		return
	}
	if err != nil {
		s.logger.Error("read the cosigned checkpoint", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(c.Note)
}
