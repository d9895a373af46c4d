package api

// Patterns lists the patterns of every route, for tests that sweep them.
func (s *Server) Patterns() []string {
	var list []string
	for _, rt := range s.routes() {
		list = append(list, rt.pattern)
	}
	return list
}
