package api

// Patterns lists the patterns of every route, for tests that sweep them.
func (s *Server) Patterns() []string {
	var list []string
	for _, rt := range s.routes() {
		list = append(list, rt.pattern)
	}
	return list
}

// Registered lists the patterns New registered: the route table, and the
// development clock's route on a server that has one.
func (s *Server) Registered() []string {
	return append([]string(nil), s.registered...)
}

// OpenAPIDocument is the OpenAPI document the server publishes.
var OpenAPIDocument = openAPIDocument
