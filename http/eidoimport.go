package http

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/eido"
	"github.com/tenfour-cad/tenfour/engine"
)

// An importAnswer is the answer to POST /api/v1/eido.
type importAnswer struct {
	Incident string `json:"incident"`
	URL      string `json:"url"`
	// Outcome is created, updated or unchanged (engine.Import*).
	Outcome string `json:"outcome"`
	// Unrepresented are the JSON Pointers of the parts of the EIDO tenfour
	// keeps only in the original (committed in the log, private).
	Unrepresented      []string                     `json:"unrepresented"`
	PossibleDuplicates []dispatch.PossibleDuplicate `json:"possible_duplicates,omitempty"`
}

// handleImportEIDO imports another system's incident from the NENA EIDO
// that is the body (eido.DecodeImport) into the caller's agency, or the
// agency ?agency names for an installation administrator, through the
// engine (engine.Import): 201 when it creates the incident, 200 when it
// updates it or finds it unchanged. A body that is not JSON within the
// limits answers 400, 413 beyond eido.MaxDocument bytes; JSON that is not
// an EIDO tenfour can import answers 422; both name the JSON Pointer of
// the first fault (Problem.Pointer). Nothing is recorded on any error.
func (s *Server) handleImportEIDO(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			s.writeError(w, r, &httpError{status: http.StatusUnsupportedMediaType, code: "unsupported_media_type", msg: "the body must be application/json"})
			return
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, eido.MaxDocument))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.writeError(w, r, &httpError{status: http.StatusRequestEntityTooLarge, code: "too_large", msg: fmt.Sprintf("an EIDO is at most %d bytes", eido.MaxDocument)})
			return
		}
		s.writeError(w, r, badRequest("the body could not be read"))
		return
	}
	a := actorOf(r)
	agency := a.Agency
	if q := r.URL.Query().Get("agency"); q != "" {
		if a.Agency != "" && q != a.Agency {
			s.writeError(w, r, dispatch.Errorf(dispatch.EFORBIDDEN, "%s of %s may not import into agency %s", a.User, a.Agency, q))
			return
		}
		agency = q
	}
	if agency == "" {
		s.writeError(w, r, badRequest("an installation administrator names the receiving agency: ?agency=ID"))
		return
	}
	cmd, err := eido.DecodeImport(body)
	if ie, ok := eido.IsInvalid(err); ok {
		status, code := http.StatusUnprocessableEntity, "invalid_eido"
		if errors.Is(err, eido.ErrMalformed) {
			status, code = http.StatusBadRequest, "bad_request"
		}
		writePointerProblem(w, r, status, code, ie.Error(), ie.Pointer)
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cmd.Agency = agency
	res, err := s.engine.Import(r.Context(), a, cmd)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := importAnswer{Incident: res.Incident, URL: "/api/v1/incidents/" + res.Incident, Outcome: res.Outcome,
		Unrepresented: cmd.Unrepresented, PossibleDuplicates: res.PossibleDuplicates}
	if out.Unrepresented == nil {
		out.Unrepresented = []string{}
	}
	if res.Outcome == engine.ImportCreated {
		created(w, res.Result, out.URL, out)
		return
	}
	changed(w, res.Result, out)
}

// writePointerProblem answers a problem that names the JSON Pointer of the
// fault in the body.
func writePointerProblem(w http.ResponseWriter, r *http.Request, status int, code, detail, pointer string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(Problem{
		Type: "about:blank", Title: http.StatusText(status), Status: status,
		Detail: detail, Instance: r.URL.Path, Code: code, Pointer: &pointer,
	})
}
