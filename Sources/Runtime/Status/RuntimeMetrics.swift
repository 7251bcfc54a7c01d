import Foundation
import Metrics
import Prometheus

/// The runtime's metrics through swift-metrics, kept in its own Prometheus registry (not the process-wide
/// bootstrap, so several runtimes in one test process do not share counters).
public final class RuntimeMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    let events: Metrics.Counter
    let commands: Metrics.Counter
    let ticks: Metrics.Counter
    let orders: Metrics.Counter
    let rejects: Metrics.Counter
    let commit: Metrics.Timer
    let dayPnL: Metrics.Gauge
    let breaker: Metrics.Gauge
    let feedStale: Metrics.Gauge

    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
            .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(50),
        ]
        events = Metrics.Counter(label: "scalper_events_total", factory: factory)
        commands = Metrics.Counter(label: "scalper_commands_total", factory: factory)
        ticks = Metrics.Counter(label: "scalper_ticks_total", factory: factory)
        orders = Metrics.Counter(label: "scalper_orders_total", factory: factory)
        rejects = Metrics.Counter(label: "scalper_order_rejects_total", factory: factory)
        commit = Metrics.Timer(label: "scalper_journal_commit_seconds", factory: factory)
        dayPnL = Metrics.Gauge(label: "scalper_day_pnl_rupees", factory: factory)
        breaker = Metrics.Gauge(label: "scalper_circuit_breaker_tripped", factory: factory)
        feedStale = Metrics.Gauge(label: "scalper_feed_stale", factory: factory)
    }

    /// The Prometheus text exposition.
    public func exposition() -> String { registry.emitToString() }
}
