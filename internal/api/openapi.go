package api

import (
	_ "embed"
	"net/http"
)

// openAPIDocument is the OpenAPI 3.1 description of every route, kept by
// hand beside the handlers. The package's tests check it against the route
// table and every answer the end-to-end tests get (docs/api.md).
//
//go:embed openapi.json
var openAPIDocument []byte

// openAPIRoutes publish the document, for anyone.
func (s *Server) openAPIRoutes() []route {
	return []route{
		{"GET /api/v1/openapi.json", s.openAPI},
	}
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(openAPIDocument)
}
