package metrics_test

import (
	"context"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/seatkeeper/seatkeeper/internal/metrics"
	"github.com/seatkeeper/seatkeeper/internal/metrics/metricstest"
)

var quiet = slog.New(slog.DiscardHandler)

type copiedKey struct{}

// copying passes on a copy of the request, as middleware that adds to the
// context does; the pattern the mux sets on the copy never reaches back.
func copying(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), copiedKey{}, true)))
	})
}

func TestInstrumentLabelsByRoutePattern(t *testing.T) {
	t.Parallel()
	m := metrics.New(quiet)

	inner := http.NewServeMux()
	inner.Handle("GET /things/{id}", metrics.Routed(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "a thing") })))
	inner.Handle("POST /things", metrics.Routed(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusCreated) })))
	inner.Handle("GET /boom", metrics.Routed(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) })))
	root := http.NewServeMux()
	root.Handle("GET /metrics", metrics.Routed(m.Handler()))
	root.Handle("/", copying(inner))

	srv := httptest.NewUnstartedServer(m.Instrument(root))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Start()
	t.Cleanup(srv.Close)

	send := func(method, path string) {
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}
	send("GET", "/things/1")
	send("GET", "/things/2?secret=x")
	send("POST", "/things")
	send("GET", "/no/such/path/sk_secret")
	send("DELETE", "/things/1")
	send("GET", "/boom")

	s := metricstest.Get(t, srv.URL+"/metrics")
	want := []struct {
		route, code string
		n           float64
	}{
		{"GET /things/{id}", "200", 2},
		{"POST /things", "201", 1},
		{metrics.Unmatched, "404", 1},
		{metrics.Unmatched, "405", 1},
		{"GET /boom", "500", 1},
	}
	for _, w := range want {
		got, _ := s.Value("seatkeeper_http_requests_total", "route", w.route, "code", w.code)
		if got != w.n {
			t.Errorf("requests to %s answered %s: %v, want %v", w.route, w.code, got, w.n)
		}
		got, _ = s.Value("seatkeeper_http_request_duration_seconds_count",
			"route", w.route, "code", w.code)
		if got != w.n {
			t.Errorf("timed requests to %s answered %s: %v, want %v", w.route, w.code, got,
				w.n)
		}
	}
	for series := range s {
		if strings.Contains(series, "sk_secret") || strings.Contains(series, "/things/1") {
			t.Errorf("a raw path became a label: %s", series)
		}
	}
}

func TestNilMetricsCountNothing(t *testing.T) {
	t.Parallel()
	var m *metrics.Metrics
	m.Checkout("team")
	m.SeatsChanged(3)
	m.LicensesAssigned(1)
	m.InvitationSent(true)
	m.MailSent()
	m.MailFailed()
	m.Renewal(metrics.Renewed)
	m.PreparePlans(nil)
	if err := m.WatchStore(nil, nil); err != nil {
		t.Errorf("WatchStore on nil: %v", err)
	}

	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	})
	rec := httptest.NewRecorder()
	m.Instrument(h).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != http.StatusTeapot {
		t.Errorf("nil Metrics' Instrument answered %d, want the handler's 418", rec.Code)
	}
}
