package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// queueTimeout bounds the queries that read the background queues at scrape
// time; a database slower than that leaves those gauges out of the scrape.
const queueTimeout = 2 * time.Second

// WatchStore registers the collectors that read db when scraped: its
// connection pool, and the mail and renewals waiting in it, due by clock.
// It fails if the registry watches a store already.
func (m *Metrics) WatchStore(db *store.DB, clock sk.Clock) error {
	if m == nil {
		return nil
	}
	if err := m.registry.Register(newPoolCollector(db)); err != nil {
		return err
	}
	return m.registry.Register(newQueueCollector(db, clock))
}

// poolCollector reports the connection pool of a store.
type poolCollector struct {
	db *store.DB

	maxOpen, open, inUse, idle *prometheus.Desc
	waits, waited, closed      *prometheus.Desc
}

func newPoolCollector(db *store.DB) *poolCollector {
	desc := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(namespace+"_db_"+name, help, labels, nil)
	}
	return &poolCollector{
		db:      db,
		maxOpen: desc("connections_max_open", "Most connections the pool may open."),
		open:    desc("connections_open", "Connections open, in use or idle."),
		inUse:   desc("connections_in_use", "Connections in use."),
		idle:    desc("connections_idle", "Connections idle in the pool."),
		waits: desc("connection_waits_total",
			"Times a caller waited for a free connection."),
		waited: desc("connection_wait_seconds_total",
			"Total time callers waited for a free connection."),
		closed: desc("connections_closed_total",
			"Connections the pool closed, by reason (max_idle, max_idle_time, "+
				"max_lifetime).", "reason"),
	}
}

// Describe implements prometheus.Collector.
func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.maxOpen, c.open, c.inUse, c.idle, c.waits,
		c.waited, c.closed} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.db.Stats()
	gauge := func(d *prometheus.Desc, v int) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v))
	}
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	gauge(c.maxOpen, s.MaxOpenConnections)
	gauge(c.open, s.OpenConnections)
	gauge(c.inUse, s.InUse)
	gauge(c.idle, s.Idle)
	counter(c.waits, float64(s.WaitCount))
	counter(c.waited, s.WaitDuration.Seconds())
	counter(c.closed, float64(s.MaxIdleClosed), "max_idle")
	counter(c.closed, float64(s.MaxIdleTimeClosed), "max_idle_time")
	counter(c.closed, float64(s.MaxLifetimeClosed), "max_lifetime")
}

// queueCollector reports the background work waiting in a store. The
// numbers are the database's, the same from every server that shares it.
type queueCollector struct {
	db    *store.DB
	clock sk.Clock

	mailUnsent, mailDue, mailFailing *prometheus.Desc
	subsDue, subsPastDue             *prometheus.Desc
}

func newQueueCollector(db *store.DB, clock sk.Clock) *queueCollector {
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(namespace+"_"+name, help, nil, nil)
	}
	return &queueCollector{
		db:    db,
		clock: clock,
		mailUnsent: desc("mail_unsent",
			"Messages in the outbox not yet delivered."),
		mailDue: desc("mail_due",
			"Undelivered messages due for an attempt now (not leased, not waiting "+
				"to retry)."),
		mailFailing: desc("mail_failing",
			"Undelivered messages whose last attempt failed."),
		subsDue: desc("subscriptions_due",
			"Subscriptions due now for renewal, their end, or a payment retry."),
		subsPastDue: desc("subscriptions_past_due",
			"Subscriptions past due: a renewal charge failed and retries remain."),
	}
}

// Describe implements prometheus.Collector.
func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.mailUnsent, c.mailDue, c.mailFailing, c.subsDue,
		c.subsPastDue} {
		ch <- d
	}
}

// Collect implements prometheus.Collector. It reads the store once per
// scrape, within queueTimeout.
func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), queueTimeout)
	defer cancel()
	q, err := c.db.Queues(ctx, c.clock.Now())
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.mailUnsent, err)
		return
	}

	gauge := func(d *prometheus.Desc, v int) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v))
	}
	gauge(c.mailUnsent, q.MailUnsent)
	gauge(c.mailDue, q.MailDue)
	gauge(c.mailFailing, q.MailFailing)
	gauge(c.subsDue, q.SubscriptionsDue)
	gauge(c.subsPastDue, q.SubscriptionsPastDue)
}
