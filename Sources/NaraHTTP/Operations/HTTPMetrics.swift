import Foundation
import Prometheus

/// Per-route request counts and latency histograms in Prometheus text format, on a registry
/// owned by the app (not the process-global metrics system, so tests can build many apps).
// The registry is thread-safe; the descriptors are immutable values.
public final class HTTPMetrics: @unchecked Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let requestsDescriptor = MetricNameDescriptor(namespace: "nara", subsystem: "http", metricName: "requests", unitName: "total",
                                                          helpText: "HTTP requests by method, route template and status")
    private let durationDescriptor = MetricNameDescriptor(namespace: "nara", subsystem: "http", metricName: "request_duration", unitName: "seconds",
                                                          helpText: "HTTP request latency by method and route template")
    private let buckets: [Duration] = [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                                       .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
                                       .milliseconds(2500), .seconds(5)]

    public init() {}

    public func record(method: String, route: String, status: Int, duration: Duration) {
        registry.makeCounter(descriptor: requestsDescriptor, labels: [("method", method), ("route", route), ("status", String(status))]).increment()
        registry.makeDurationHistogram(descriptor: durationDescriptor, labels: [("method", method), ("route", route)], buckets: buckets)
            .record(duration)
    }

    public func exposition() -> String { registry.emitToString() }
}
