// Package metrics holds Seatkeeper's Prometheus instruments in a registry of
// their own, never the global default one: the requests served, by route
// pattern and status; the database's connection pool and the background
// work waiting in it, read when scraped; and the product's counters, which
// the services move once each change has committed.
//
// Every method works on a nil *Metrics and then does nothing, so a service
// built without metrics (in a test, a maintenance command) needs no check.
package metrics

import (
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	sk "github.com/seatkeeper/seatkeeper"
)

// namespace prefixes the name of every Seatkeeper metric.
const namespace = "seatkeeper"

// The outcomes of a step of the renewal work, the outcome label of
// seatkeeper_renewals_total.
const (
	Renewed          = "renewed"           // a new period began and was paid
	RenewalFailed    = "payment_failed"    // a new period began, its charge failed
	Ended            = "ended"             // cancelled, it ended at period end
	RetryPaid        = "retry_paid"        // a retry paid the open invoice
	RetryFailed      = "retry_failed"      // a retry failed; another is scheduled
	RetriesExhausted = "retries_exhausted" // the last retry failed; it ended
)

// Metrics is the registry and the instruments that Seatkeeper reports.
type Metrics struct {
	registry *prometheus.Registry
	logger   *slog.Logger

	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec

	checkouts        *prometheus.CounterVec
	seatChanges      *prometheus.CounterVec
	licensesAssigned prometheus.Counter
	invitationsSent  *prometheus.CounterVec

	mailSent      prometheus.Counter
	mailFailed    prometheus.Counter
	renewals      *prometheus.CounterVec
	chargesFailed prometheus.Counter
}

// New returns instruments in a new registry, which also holds the Go
// runtime's and the process's standard metrics. Errors met while scraping
// are logged to logger.
func New(logger *slog.Logger) *Metrics {
	m := &Metrics{registry: prometheus.NewRegistry(), logger: logger}
	if m.logger == nil {
		m.logger = slog.Default()
	}
	m.requests = m.counterVec("http_requests_total",
		"HTTP requests served, by route pattern and status code.", "route", "code")
	m.duration = m.histogramVec("http_request_duration_seconds",
		"Time to serve an HTTP request, by route pattern and status code.", "route", "code")
	m.product()
	m.background()
	m.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		buildInfo(),
	)
	return m
}

// product makes the counters of committed changes.
func (m *Metrics) product() {
	m.checkouts = m.counterVec("checkouts_total",
		"Checkouts completed, by plan.", "plan")
	m.seatChanges = m.counterVec("seat_changes_total",
		"Seat count changes of subscriptions, by direction (up, down).", "direction")
	m.licensesAssigned = m.counter("licenses_assigned_total",
		"Licenses assigned to a person or a pending email address.")
	m.invitationsSent = m.counterVec("invitations_sent_total",
		"Invitations mailed, by kind (new, resent).", "kind")
	for _, d := range []string{"up", "down"} {
		m.seatChanges.WithLabelValues(d)
	}
	for _, k := range []string{"new", "resent"} {
		m.invitationsSent.WithLabelValues(k)
	}
}

// background makes the counters of the work done behind requests.
func (m *Metrics) background() {
	m.mailSent = m.counter("mail_sent_total",
		"Messages the mail transport accepted.")
	m.mailFailed = m.counter("mail_failed_attempts_total",
		"Delivery attempts the mail transport refused; each is retried later.")
	m.renewals = m.counterVec("renewals_total",
		"Steps of the renewal work (renewals, retries, ends), by outcome.", "outcome")
	m.chargesFailed = m.counter("renewal_charges_failed_total",
		"Charges for renewals and their retries that the payment provider refused.")
	for _, o := range []string{Renewed, RenewalFailed, Ended, RetryPaid, RetryFailed,
		RetriesExhausted} {
		m.renewals.WithLabelValues(o)
	}
}

func buildInfo() prometheus.Collector {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace:   namespace,
		Name:        "build_info",
		Help:        "Always 1; the version label names the running release.",
		ConstLabels: prometheus.Labels{"version": sk.Version},
	})
	g.Set(1)
	return g
}

func (m *Metrics) counter(name, help string) prometheus.Counter {
	c := prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: namespace, Name: name, Help: help})
	m.registry.MustRegister(c)
	return c
}

func (m *Metrics) counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: name, Help: help}, labels)
	m.registry.MustRegister(c)
	return c
}

// latencyBuckets reach down to a millisecond, where the online license
// check answers, and up to ten seconds.
var latencyBuckets = []float64{
	.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10,
}

func (m *Metrics) histogramVec(name, help string,
	labels ...string) *prometheus.HistogramVec {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: namespace, Name: name, Help: help, Buckets: latencyBuckets}, labels)
	m.registry.MustRegister(h)
	return h
}

// Handler serves the metrics in the Prometheus exposition formats. A
// collector that fails (the database did not answer in time) is logged and
// left out; the rest are still served.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		ErrorLog:      errorLog{m.logger},
		ErrorHandling: promhttp.ContinueOnError,
		Timeout:       10 * time.Second,
	})
}

// errorLog writes promhttp's errors to slog.
type errorLog struct{ logger *slog.Logger }

func (l errorLog) Println(v ...any) {
	l.logger.Warn("collecting metrics", "error", fmt.Sprint(v...))
}

// observe records one request.
func (m *Metrics) observe(route string, status int, d time.Duration) {
	code := strconv.Itoa(status)
	m.requests.WithLabelValues(route, code).Inc()
	m.duration.WithLabelValues(route, code).Observe(d.Seconds())
}

// PreparePlans makes the checkout counter of every plan, at zero, so that
// each is there to graph before its first sale.
func (m *Metrics) PreparePlans(plans []sk.Plan) {
	if m == nil {
		return
	}
	for _, p := range plans {
		m.checkouts.WithLabelValues(p.ID)
	}
}

// Checkout counts a committed checkout of the plan.
func (m *Metrics) Checkout(plan string) {
	if m == nil {
		return
	}
	m.checkouts.WithLabelValues(plan).Inc()
}

// SeatsChanged counts a committed change of a subscription's seats by delta;
// a delta of zero changed nothing and is not counted.
func (m *Metrics) SeatsChanged(delta int) {
	switch {
	case m == nil || delta == 0:
	case delta > 0:
		m.seatChanges.WithLabelValues("up").Inc()
	default:
		m.seatChanges.WithLabelValues("down").Inc()
	}
}

// LicensesAssigned counts n committed license assignments.
func (m *Metrics) LicensesAssigned(n int) {
	if m == nil {
		return
	}
	m.licensesAssigned.Add(float64(n))
}

// InvitationSent counts a committed invitation, new or resent.
func (m *Metrics) InvitationSent(resent bool) {
	if m == nil {
		return
	}
	kind := "new"
	if resent {
		kind = "resent"
	}
	m.invitationsSent.WithLabelValues(kind).Inc()
}

// MailSent counts a message that the transport accepted.
func (m *Metrics) MailSent() {
	if m == nil {
		return
	}
	m.mailSent.Inc()
}

// MailFailed counts a delivery attempt that the transport refused.
func (m *Metrics) MailFailed() {
	if m == nil {
		return
	}
	m.mailFailed.Inc()
}

// Renewal counts a committed step of the renewal work with its outcome (one
// of Renewed, RenewalFailed, Ended, RetryPaid, RetryFailed,
// RetriesExhausted); the outcomes whose charge failed count as failed
// charges too.
func (m *Metrics) Renewal(outcome string) {
	if m == nil {
		return
	}
	m.renewals.WithLabelValues(outcome).Inc()
	switch outcome {
	case RenewalFailed, RetryFailed, RetriesExhausted:
		m.chargesFailed.Inc()
	}
}
