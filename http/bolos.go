package http

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/store"
)

// MaxPhotoSize bounds a photo's bytes: a BOLO's photo is a picture for a
// phone's screen, and a command's body is bounded the same.
const MaxPhotoSize = MaxBodySize

// photoTypes are the media types a photo may have, as the bytes themselves
// show them (http.DetectContentType, the WHATWG MIME Sniffing Standard).
var photoTypes = []string{"image/jpeg", "image/png", "image/gif", "image/webp"}

// boloBody is the body of POST /api/v1/bolos.
type boloBody struct {
	Agency      string         `json:"agency"`
	Kind        string         `json:"kind"`
	Description string         `json:"description"`
	Plate       string         `json:"plate"`
	Photos      []string       `json:"photos"`
	Priority    int            `json:"priority"`
	Area        dispatch.Scope `json:"area"`
	Expires     time.Time      `json:"expires"`
}

// handleIssueBOLO issues a BOLO (dispatch.IssueBOLO). Each photo must have
// been uploaded first (POST /api/v1/photos): the log names it by its hash.
func (s *Server) handleIssueBOLO(w http.ResponseWriter, r *http.Request) {
	var body boloBody
	if err := decode(w, r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	for _, p := range body.Photos {
		h, err := hex.DecodeString(p)
		if err != nil || len(h) != sha256.Size {
			continue // the domain says what is wrong with it
		}
		if _, err := s.photos.Photo(r.Context(), h); errors.Is(err, store.ErrNotFound) {
			s.writeError(w, r, dispatch.Errorf(dispatch.EINVALID, "photo %s is not stored; upload it first (POST /api/v1/photos)", p))
			return
		} else if err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	res, err := s.engine.Execute(r.Context(), actorOf(r), dispatch.IssueBOLO{
		Agency: body.Agency, Kind: body.Kind, Description: body.Description, Plate: body.Plate,
		Photos: body.Photos, Priority: body.Priority, Area: body.Area, Expires: body.Expires,
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id := res.Events[0].Subject["bolo"]
	b, err := s.engine.BOLO(actorOf(r), id)
	s.createdAs(w, r, res, "/api/v1/bolos?id="+id, b, err)
}

// handleListBOLOs answers a page of the BOLOs of the caller's agency in
// force now, newest issued first (engine.BOLOPage; paged as the incident
// list is, http/pages.go): ?q= searches them (a plate in any spacing, or
// words of the description), ?unit= keeps those whose area takes in the
// unit's last known position (the unit view; a unit of the caller's
// agency, 404 otherwise; a unit with no position gets the agency-wide ones
// only), ?all=true adds the expired and cancelled, from the archive too
// once they have left memory, ?id= one.
func (s *Server) handleListBOLOs(w http.ResponseWriter, r *http.Request) {
	q, unit, err := boloQuery(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	a := actorOf(r)
	if err := s.engine.OwnUnit(a, unit); err != nil {
		s.writeError(w, r, err)
		return
	}
	if unit != "" {
		q.Where = &dispatch.Location{}
		if p, ok := s.engine.Position(unit); ok {
			lat, lon := p.Lat, p.Lon
			*q.Where = s.engine.Resolve(dispatch.Location{Lat: &lat, Lon: &lon})
		}
	}
	page, err := s.engine.BOLOPage(r.Context(), a, q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	linkNext(w, r, page.Next)
	writeJSON(w, http.StatusOK, map[string]any{"bolos": page.BOLOs})
}

// handleCancelBOLO cancels a BOLO with a reason.
func (s *Server) handleCancelBOLO(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Reason string `json:"reason"`
	}
	if err := decode(w, r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	id := r.PathValue("id")
	res, err := s.engine.Execute(r.Context(), actorOf(r), dispatch.CancelBOLO{ID: id, Reason: body.Reason})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	b, err := s.engine.BOLO(actorOf(r), id)
	s.changedAs(w, r, res, b, err)
}

// handleUploadPhoto stores a photo's bytes under their SHA-256 and answers
// the hash, which a BOLO then names. The body is the image itself, at most
// MaxPhotoSize bytes, of one of photoTypes as its bytes show (the declared
// Content-Type must agree). Uploading the same bytes again answers the same
// hash.
func (s *Server) handleUploadPhoto(w http.ResponseWriter, r *http.Request) {
	declared, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !slices.Contains(photoTypes, declared) {
		s.writeError(w, r, &httpError{status: http.StatusUnsupportedMediaType, code: "unsupported_media_type",
			msg: "a photo is image/jpeg, image/png, image/gif or image/webp"})
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxPhotoSize))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		s.writeError(w, r, &httpError{status: http.StatusRequestEntityTooLarge, code: "too_large", msg: fmt.Sprintf("a photo is at most %d bytes", MaxPhotoSize)})
		return
	}
	if err != nil {
		s.writeError(w, r, badRequest("the photo could not be read"))
		return
	}
	if len(data) == 0 {
		s.writeError(w, r, badRequest("the body is empty; the photo's bytes are required"))
		return
	}
	if sniffed := http.DetectContentType(data); sniffed != declared {
		s.writeError(w, r, &httpError{status: http.StatusUnsupportedMediaType, code: "unsupported_media_type",
			msg: fmt.Sprintf("the body is declared %s but its bytes are %s", declared, sniffed)})
		return
	}
	sum := sha256.Sum256(data)
	if err := s.photos.PutPhoto(r.Context(), store.Photo{Hash: sum[:], Type: declared, Data: data, Created: s.engine.Now()}); err != nil {
		s.writeError(w, r, err)
		return
	}
	hash := hex.EncodeToString(sum[:])
	w.Header().Set("Location", "/api/v1/photos/"+hash)
	writeJSON(w, http.StatusCreated, map[string]any{"hash": hash, "type": declared, "size": len(data)})
}

// handleGetPhoto answers a photo's bytes. A caller sees a photo only
// through a BOLO of an agency they see (invariant 6): another photo is not
// found, even if its hash is known (hashes are in the public log).
func (s *Server) handleGetPhoto(w http.ResponseWriter, r *http.Request) {
	hash := r.PathValue("hash")
	h, err := hex.DecodeString(hash)
	notFound := dispatch.Errorf(dispatch.ENOTFOUND, "photo %s does not exist", hash)
	if err != nil || len(h) != sha256.Size {
		s.writeError(w, r, notFound)
		return
	}
	if !s.engine.PhotoVisible(actorOf(r), hash) {
		s.writeError(w, r, notFound)
		return
	}
	p, err := s.photos.Photo(r.Context(), h)
	if errors.Is(err, store.ErrNotFound) {
		s.writeError(w, r, notFound)
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", p.Type)
	w.Header().Set("Content-Length", strconv.Itoa(len(p.Data)))
	w.Header().Set("Cache-Control", "private, max-age=86400, immutable")
	w.Header().Set("ETag", `"`+hash+`"`)
	w.Write(p.Data)
}
