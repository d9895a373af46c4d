package metrics

import (
	"context"
	"net/http"
	"time"
)

// Unmatched is the route label of requests that no route served: unknown
// paths, wrong methods, requests refused before routing. Raw paths are
// never labels; they carry IDs and secrets and have no bound.
const Unmatched = "unmatched"

// routeKey is the context key of a request's *route.
type routeKey struct{}

// route is where the handler of a matched route leaves its pattern for
// Instrument, which wraps the request from outside the mux and so never
// sees the request value that the mux gives the route.
type route struct{ pattern string }

// Instrument counts and times every request that next serves, by the route
// pattern that served it and the status answered. Patterns are learnt from
// the handlers wrapped in Routed; a request that reaches none is Unmatched.
//
// The route is passed up through the context because the mux sets
// Request.Pattern on the request it hands the route, which a wrapper
// outside the mux (and any middleware that copies the request on the way
// in) does not see.
func (m *Metrics) Instrument(next http.Handler) http.Handler {
	if m == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rt := &route{}
		r = r.WithContext(context.WithValue(r.Context(), routeKey{}, rt))
		sw := &statusWriter{ResponseWriter: w}

		finished := false
		defer func() {
			m.observe(rt.label(), sw.code(finished), time.Since(start))
		}()
		next.ServeHTTP(sw, r)
		finished = true
	})
}

// Routed wraps the handler of a route, registered on a ServeMux, so that
// Instrument labels the request with the route's pattern. Where routes are
// nested (a mux mounted under a route of another), the innermost wins.
func Routed(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt, ok := r.Context().Value(routeKey{}).(*route); ok {
			rt.pattern = r.Pattern
		}
		h.ServeHTTP(w, r)
	})
}

func (rt *route) label() string {
	if rt.pattern == "" {
		return Unmatched
	}
	return rt.pattern
}

// statusWriter remembers the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// code is the status the client got: what the handler wrote, 200 when it
// wrote nothing and returned, 500 when it panicked before writing.
func (w *statusWriter) code(finished bool) int {
	switch {
	case w.status != 0:
		return w.status
	case finished:
		return http.StatusOK
	}
	return http.StatusInternalServerError
}
