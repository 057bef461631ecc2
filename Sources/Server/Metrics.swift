#if canImport(Glibc)
import Glibc
#endif
import Raster

/// Counters and histograms exposed at `GET /metrics` in the Prometheus text format (version 0.0.4).
public final class Metrics: @unchecked Sendable {
    /// Histogram upper bounds in seconds.
    static let bucketBounds: [Double] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    struct Histogram {
        var counts = [Int](repeating: 0, count: Metrics.bucketBounds.count)
        var sum = 0.0
        var total = 0
        mutating func observe(_ seconds: Double) {
            for (i, bound) in Metrics.bucketBounds.enumerated() where seconds <= bound { counts[i] += 1 }
            sum += seconds
            total += 1
        }
    }

    private let lock = ConditionLock()
    private var requests: [String: Int] = [:]          // "status|outcome"
    private var skipReasons: [String: Int] = [:]
    private var originBytes = 0
    private var responseBytes = 0
    private var savedBytes = 0
    private var processing = Histogram()
    private var originFetch = Histogram()
    private var cacheHits = 0
    private var cacheMisses = 0
    private var coalescedRequests = 0
    private var originFetches = 0
    private var openConnections = 0
    private var refusedConnections = 0
    /// Stopped jobs by (reason, stage): [abandoned queued, abandoned running, deadline queued, deadline running].
    private var jobStops = [0, 0, 0, 0]

    /// Gauges read at scrape time (queue depth, busy workers, cache size, in-flight keys).
    public var gauges: @Sendable () -> [(name: String, help: String, value: Double)] = { [] }

    public init() {}

    public func recordRequest(status: Int, outcome: String, responseBodyBytes: Int) {
        lock.withLock {
            requests["\(status)|\(outcome)", default: 0] += 1
            responseBytes += responseBodyBytes
        }
    }

    public func recordSkip(_ reason: String) {
        // Some reasons carry numbers (qualities, offsets in decoder errors): fold digit runs to "N" and cap the
        // length so the label set stays bounded.
        var label = ""
        var inNumber = false
        for character in reason.prefix(120) {
            let digit = character.isASCII && character.isNumber
            if !digit { label.append(character) } else if !inNumber { label.append("N") }
            inNumber = digit
        }
        lock.withLock { skipReasons[label, default: 0] += 1 }
    }

    public func recordOriginFetch(seconds: Double, bytes: Int) {
        lock.withLock { originFetch.observe(seconds); originBytes += bytes; originFetches += 1 }
    }

    public func recordProcessing(seconds: Double, savedBytes saved: Int) {
        lock.withLock { processing.observe(seconds); savedBytes += max(0, saved) }
    }

    /// A job stopped before its end: every client gone (`abandoned`) or past `timeouts.processingMs`; `started`
    /// tells whether a worker had begun it (else it never ran).
    public func recordJobStop(_ stop: JobStop, started: Bool) {
        lock.withLock { jobStops[(stop == .abandoned ? 0 : 2) + (started ? 1 : 0)] += 1 }
    }

    public func recordCache(hit: Bool) { lock.withLock { if hit { cacheHits += 1 } else { cacheMisses += 1 } } }
    public func recordCoalesced() { lock.withLock { coalescedRequests += 1 } }
    public func connectionOpened() { lock.withLock { openConnections += 1 } }
    public func connectionClosed() { lock.withLock { openConnections -= 1 } }
    public func connectionRefused() { lock.withLock { refusedConnections += 1 } }

    public var originFetchCount: Int { lock.withLock { originFetches } }

    public func render() -> String {
        var out = ""
        func family(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        func histogram(_ name: String, _ help: String, _ h: Histogram) {
            family(name, "histogram", help)
            for (i, bound) in Metrics.bucketBounds.enumerated() {
                out += "\(name)_bucket{le=\"\(formatNumber(bound))\"} \(h.counts[i])\n"
            }
            out += "\(name)_bucket{le=\"+Inf\"} \(h.total)\n\(name)_sum \(formatNumber(h.sum))\n\(name)_count \(h.total)\n"
        }
        let extra = gauges()
        lock.withLock {
            family("imagestack_requests_total", "counter", "Requests answered, by HTTP status and outcome.")
            for (key, count) in requests.sorted(by: { $0.key < $1.key }) {
                let parts = key.split(separator: "|", maxSplits: 1).map(String.init)
                out += "imagestack_requests_total{status=\"\(parts[0])\",outcome=\"\(parts.count > 1 ? parts[1] : "")\"} \(count)\n"
            }
            family("imagestack_skips_total", "counter", "Originals served instead of a transformed image, by Img-Skip-Reason.")
            for (reason, count) in skipReasons.sorted(by: { $0.key < $1.key }) {
                out += "imagestack_skips_total{reason=\"\(labelEscaped(reason))\"} \(count)\n"
            }
            let counters: [(String, String, String, Int)] = [
                ("imagestack_origin_bytes_total", "counter", "Body bytes received from the origin.", originBytes),
                ("imagestack_response_bytes_total", "counter", "Body bytes sent to clients.", responseBytes),
                ("imagestack_saved_bytes_total", "counter",
                 "Original bytes minus transformed bytes, summed over transformed images.", savedBytes),
                ("imagestack_origin_fetches_total", "counter", "Requests made to the origin.", originFetches),
                ("imagestack_cache_hits_total", "counter", "Responses served from the result cache.", cacheHits),
                ("imagestack_cache_misses_total", "counter", "Result cache lookups that missed.", cacheMisses),
                ("imagestack_coalesced_requests_total", "counter",
                 "Requests that joined an identical in-flight request.", coalescedRequests),
                ("imagestack_open_connections", "gauge", "Client connections currently open.", openConnections),
                ("imagestack_refused_connections_total", "counter",
                 "Connections refused (503) because the connection limit was reached.", refusedConnections),
            ]
            for (name, type, help, value) in counters {
                family(name, type, help)
                out += "\(name) \(value)\n"
            }
            family("imagestack_jobs_cancelled_total", "counter",
                   "Image jobs stopped before their end, by reason (client_gone: every waiting client left; deadline: timeouts.processingMs passed) and stage (queued: never started; running: stopped at a checkpoint).")
            for (i, labels) in ["reason=\"client_gone\",stage=\"queued\"", "reason=\"client_gone\",stage=\"running\"",
                                "reason=\"deadline\",stage=\"queued\"", "reason=\"deadline\",stage=\"running\""].enumerated() {
                out += "imagestack_jobs_cancelled_total{\(labels)} \(jobStops[i])\n"
            }
            histogram("imagestack_origin_fetch_seconds", "Time to fetch an original from the origin.", originFetch)
            histogram("imagestack_processing_seconds", "Time to decode, transform and encode an image.", processing)
        }
        for gauge in extra {
            out += "# HELP \(gauge.name) \(gauge.help)\n# TYPE \(gauge.name) gauge\n\(gauge.name) \(formatNumber(gauge.value))\n"
        }
        return out
    }
}

func labelEscaped(_ text: String) -> String {
    var out = ""
    for c in text {
        switch c {
        case "\\": out += "\\\\"
        case "\"": out += "\\\""
        case "\n": out += "\\n"
        default: out.append(c)
        }
    }
    return out
}

func formatNumber(_ value: Double) -> String {
    if value == value.rounded() && abs(value) < 1e15 { return String(Int(value)) }
    return String(value)
}

/// One line per request on stderr: time, client, method and target, status, body bytes, Content-Type, duration,
/// outcome, skip reason, then the pipeline's notes (e.g. `colour: converted to sRGB from Adobe RGB (1998)`).
public struct AccessLog: Sendable {
    public var enabled: Bool
    public init(enabled: Bool) { self.enabled = enabled }

    public func log(client: String, method: String, target: String, status: Int, bytes: Int, contentType: String?,
                    milliseconds: Double, outcome: String, skipReason: String?, notes: [String] = []) {
        guard enabled else { return }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let stamp = "\(parts.tm_year + 1900)-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))T\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec))Z"
        let shownTarget = target.count > 300 ? String(target.prefix(300)) + "…" : target
        var line = "\(stamp) \(client) \"\(method) \(shownTarget)\" \(status) \(bytes) \(contentType ?? "-") \(format3(milliseconds))ms \(outcome)"
        if let skipReason { line += " \"\(skipReason)\"" }
        for note in notes { line += " [\(note.count > 300 ? String(note.prefix(300)) + "…" : note)]" }
        line += "\n"
        fputs(line, stderr)
    }

    private func pad(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
}

/// Milliseconds with one decimal, for headers and logs.
func format3(_ milliseconds: Double) -> String {
    let tenths = Int((milliseconds * 10).rounded())
    return "\(tenths / 10).\(tenths % 10)"
}
