package dashboard

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/chengyun/chengyun/domain"
)

// Metrics are the store-level Prometheus series every Chengyun process exports.
type Metrics struct {
	Registry        *prometheus.Registry
	appendLatency   *prometheus.HistogramVec
	eventsAppended  prometheus.Counter
	subscriptionLag *prometheus.GaugeVec
	commands        *prometheus.HistogramVec
}

// NewMetrics registers the series on a fresh registry (with Go and process collectors).
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		appendLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "chengyun_append_seconds",
			Help:    "Time from an append call to its durable acknowledgement, by result code.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16),
		}, []string{"result"}),
		eventsAppended: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chengyun_events_appended_total",
			Help: "Events durably appended by this process.",
		}),
		subscriptionLag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "chengyun_subscription_lag_events",
			Help: "Events in the log that a subscriber has not yet received.",
		}, []string{"subscriber"}),
		commands: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "chengyun_command_seconds",
			Help:    "Time to run one case command over HTTP, by command and result code (ok, invalid, conflict, …).",
			Buckets: prometheus.ExponentialBuckets(0.0002, 2, 14),
		}, []string{"command", "result"}),
	}
	m.Registry.MustRegister(m.appendLatency, m.eventsAppended, m.subscriptionLag, m.commands,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	m.appendLatency.WithLabelValues("ok") // series exist from the start, before the first append
	return m
}

// ObserveCommand records one command's duration and result.
func (m *Metrics) ObserveCommand(command string, err error, d time.Duration) {
	result := "ok"
	if err != nil {
		result = string(domain.CodeOf(err))
	}
	m.commands.WithLabelValues(command, result).Observe(d.Seconds())
}

// SetLag records how far the named subscriber is behind the log's head.
func (m *Metrics) SetLag(subscriber string, events uint64) {
	m.subscriptionLag.WithLabelValues(subscriber).Set(float64(events))
}

// Instrument wraps a store so that its appends are timed and counted.
func (m *Metrics) Instrument(s domain.EventStore) domain.EventStore {
	return &instrumented{EventStore: s, m: m}
}

type instrumented struct {
	domain.EventStore
	m *Metrics
}

func (i *instrumented) Append(ctx context.Context, stream string, ev domain.ExpectedVersion, events []domain.EventData) (domain.AppendResult, error) {
	start := time.Now()
	res, err := i.EventStore.Append(ctx, stream, ev, events)
	result := "ok"
	if err != nil {
		result = string(domain.CodeOf(err))
	} else {
		i.m.eventsAppended.Add(float64(len(events)))
	}
	i.m.appendLatency.WithLabelValues(result).Observe(time.Since(start).Seconds())
	return res, err
}
