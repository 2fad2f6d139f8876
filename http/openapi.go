package http

import (
	_ "embed"
	"net/http"
)

// openAPI is the OpenAPI 3.1 document of the route table, written by hand
// and kept true by TestOpenAPI: every route is in it with its method, path
// and roles (x-roles), and nothing else is.
//
//go:embed openapi.json
var openAPI []byte

// handleOpenAPI serves the OpenAPI document.
func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(openAPI)
}
