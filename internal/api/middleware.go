package api

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
)

type ctxKey int

const loggerKey ctxKey = iota

// requestLogger returns the logger of r, which names its request ID.
func requestLogger(r *http.Request) *slog.Logger {
	if l, ok := r.Context().Value(loggerKey).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

// statusWriter remembers the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
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
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Observe is observe for handlers beside the API, such as the dashboard, so
// that their requests are logged and recovered alike.
func Observe(logger *slog.Logger, next http.Handler) http.Handler {
	return observe(logger, next)
}

// observe gives each request an ID (answered in the X-Request-Id header and
// named in every log line about it), turns a panic into a 500 problem, and
// logs one line when the request is done.
func observe(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := rand.Text()[:20]
		log := logger.With("request_id", id)
		w.Header().Set("X-Request-Id", id)
		r = r.WithContext(context.WithValue(r.Context(), loggerKey, log))
		sw := &statusWriter{ResponseWriter: w}

		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				err := fmt.Errorf("panic: %v\n%s", v, debug.Stack())
				if sw.status == 0 {
					writeError(sw, r, err)
				} else {
					log.ErrorContext(r.Context(), "panic after response began", "error", err)
				}
			}
			log.LogAttrs(r.Context(), levelFor(sw.status), "request",
				slog.String("method", r.Method),
				slog.String("route", routeOf(r)),
				slog.Int("status", sw.status),
				slog.Duration("duration", time.Since(start)),
				slog.Int("bytes", sw.bytes),
			)
		}()
		next.ServeHTTP(sw, r)
	})
}

// routeOf names the route pattern that served r, never the raw path, which
// may carry IDs or secrets.
func routeOf(r *http.Request) string {
	if r.Pattern != "" {
		return r.Pattern
	}
	return "unmatched"
}

func levelFor(status int) slog.Level {
	if status >= 500 {
		return slog.LevelError
	}
	return slog.LevelInfo
}

// secure sets the headers every response carries.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// notFound answers requests that no route matched with a problem document.
func notFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, r, sk.Errorf(sk.ENOTFOUND, "There is nothing at %s.", r.URL.Path))
}
