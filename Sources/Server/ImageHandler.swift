import Pipeline
import Raster

/// Ties the parts together for one request (SPEC §3–§5): built-in endpoints, method check, rule match, then
/// either a plain proxy or cache → coalesced (origin fetch → worker-pool transform) → response headers.
public final class ImageHandler: @unchecked Sendable {
    public let config: ServerConfig
    let origin: any Origin
    let matcher: RuleMatcher
    public let cache: ResultCache
    public let metrics: Metrics
    let workers: WorkerPool
    let coalescer = Coalescer<Produced>()
    /// What a target and Accept value resolve to (path class, rule, variant key): pure functions of the two and
    /// the configuration, parsed once instead of on every cache hit.
    private let resolved = BoundedMemo<Resolved>(capacity: 8192)
    let accessLog: AccessLog
    let playground: Playground

    /// A response and how it came about (for metrics and the access log).
    struct Produced: Sendable {
        var response: HTTPResponse
        var outcome: String
        var skipReason: String?
        /// The pipeline's notes for the access log (e.g. what the colour stage did with an ICC profile).
        var notes: [String] = []
        /// Served from the result cache: the response already carries `X-Img-Server` and its serialized head.
        var fromCache = false
    }

    public init(config: ServerConfig, origin: any Origin, metrics: Metrics = Metrics()) {
        self.config = config
        self.origin = origin
        self.matcher = RuleMatcher(rules: config.rules)
        self.cache = ResultCache(budgetBytes: config.cacheBytes, timeToLive: config.cacheTTLSeconds)
        self.metrics = metrics
        self.workers = WorkerPool(workers: config.workerCount, queueCapacity: config.queueSize)
        self.accessLog = AccessLog(enabled: config.accessLog)
        var sampleNames: [String] = []
        if case .directory(let path) = config.origin { sampleNames = Playground.listImages(in: path) }
        self.playground = Playground(samples: sampleNames)
        let workers = self.workers, cache = self.cache, coalescer = self.coalescer
        metrics.gauges = {
            [("imagestack_worker_queue_depth", "Image jobs waiting for a CPU worker.", Double(workers.queueDepth)),
             ("imagestack_workers_busy", "CPU workers transforming an image now.", Double(workers.busyWorkers)),
             ("imagestack_workers", "CPU workers in the pool.", Double(workers.workerCount)),
             ("imagestack_worker_threads_in_use", "Threads the running image jobs may use (ThreadBudget).",
              Double(workers.threadsInUse)),
             ("imagestack_inflight_transforms", "Distinct origin objects being fetched or transformed now.", Double(coalescer.inFlight)),
             ("imagestack_cache_bytes", "Bytes held by the result cache.", Double(cache.byteCount)),
             ("imagestack_cache_entries", "Responses held by the result cache.", Double(cache.count))]
        }
    }

    /// Makes the origin named by the configuration; nil with a message when it cannot be used.
    public static func makeOrigin(_ config: ServerConfig) -> Result<any Origin, ConfigError> {
        switch config.origin {
        case .http(let host, let port, let basePath):
            return .success(HTTPOrigin(host: host, port: port, basePath: basePath, connectTimeout: config.originConnectTimeout,
                                       readTimeout: config.originReadTimeout, maxBodyBytes: config.maxOriginBodyBytes))
        case .directory(let path):
            guard let origin = FileOrigin(directory: path, maxBodyBytes: config.maxOriginBodyBytes) else {
                return .failure(ConfigError(field: "origin", message: "'\(path)' is not a readable directory"))
            }
            return .success(origin)
        }
    }

    public func shutdown() { workers.shutdown() }

    // MARK: - Entry point

    public func handle(_ request: HTTPRequest, _ context: HTTPRequestContext) -> HTTPResponse {
        let started = monotonicSeconds()
        return finish(request, context, route(request, context), started: started)
    }

    /// The answer when it needs no waiting — a cached result, `/health` — else nil. Called on the HTTP server's
    /// event-loop thread (`HTTPServer.quickHandler`): it only looks things up, never blocks.
    public func quickResponse(_ request: HTTPRequest, _ context: HTTPRequestContext) -> HTTPResponse? {
        guard request.method == "GET" || request.method == "HEAD" else { return nil }
        let started = monotonicSeconds()
        let produced: Produced
        if request.path == "/health" {
            produced = health()
        } else {
            guard case .image(_, let wanted) = resolve(request), let hit = cached(wanted.key) else { return nil }
            metrics.recordCache(hit: true)
            produced = hit
        }
        return finish(request, context, produced, started: started)
    }

    /// Server name, conditional request, metrics and access log: what every answer gets.
    private func finish(_ request: HTTPRequest, _ context: HTTPRequestContext, _ produced: Produced, started: Double) -> HTTPResponse {
        var produced = produced
        if !produced.fromCache && produced.response.status != HTTPResponse.clientClosedStatus {
            produced.response.headers.set("X-Img-Server", config.serverName)
        }
        if produced.response.status == 200, let condition = request.headers["If-None-Match"],
           let etag = produced.response.headers["ETag"], ImageHandler.etag(etag, matchesAnyOf: condition) {
            produced.response = HTTPResponse(status: 304, headers: produced.response.headers)
        }
        let bytes = request.method == "HEAD" || produced.response.status == HTTPResponse.clientClosedStatus
            ? 0 : produced.response.body.count
        record(request: request, peer: context.peer, produced: produced, bodyBytes: bytes, started: started)
        return produced.response
    }

    /// `handle` for callers without a connection (tests, tools): the client never goes away.
    public func handle(_ request: HTTPRequest, peer: String) -> HTTPResponse {
        handle(request, HTTPRequestContext(peer: peer))
    }

    /// Metrics and access log for a request answered by the HTTP layer itself (parse errors, timeouts).
    public func recordProtocolResponse(peer: String, method: String, target: String, response: HTTPResponse, milliseconds: Double) {
        metrics.recordRequest(status: response.status, outcome: "error", responseBodyBytes: response.body.count)
        accessLog.log(client: peer, method: method, target: target, status: response.status, bytes: response.body.count,
                      contentType: response.headers["Content-Type"], milliseconds: milliseconds, outcome: "error", skipReason: nil)
    }

    private func record(request: HTTPRequest, peer: String, produced: Produced, bodyBytes: Int, started: Double) {
        metrics.recordRequest(status: produced.response.status, outcome: produced.outcome, responseBodyBytes: bodyBytes)
        accessLog.log(client: peer, method: request.method, target: request.target, status: produced.response.status,
                      bytes: bodyBytes, contentType: produced.response.headers["Content-Type"],
                      milliseconds: (monotonicSeconds() - started) * 1000, outcome: produced.outcome,
                      skipReason: produced.skipReason, notes: produced.notes)
    }

    private func route(_ request: HTTPRequest, _ context: HTTPRequestContext) -> Produced {
        let peer = context.peer
        switch request.path {
        case "/health":
            return health()
        case "/metrics":
            return Produced(response: textResponse(metrics.render(), type: "text/plain; version=0.0.4; charset=utf-8"), outcome: "internal")
        case "/_playground", "/_playground/":
            return Produced(response: textResponse(playground.page, type: "text/html; charset=utf-8"), outcome: "internal")
        case "/_playground/samples.json":
            return Produced(response: textResponse(playground.samplesJSON, type: "application/json"), outcome: "internal")
        default:
            break
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            var response = HTTPResponse.jsonError(405, "method \(request.method) is not allowed; use GET or HEAD")
            response.headers.add("Allow", "GET, HEAD")
            return Produced(response: response, outcome: "error")
        }
        switch resolve(request) {
        case .unsafe: return Produced(response: HTTPResponse.jsonError(404, "not found"), outcome: "error")
        case .noRule: return proxy(request, peer: peer)
        case .image(let rule, let wanted): return transform(request, rule: rule, wanted, context)
        }
    }

    /// What a request's path is: unsafe, outside every rule (proxied), or an image under a rule with the variant
    /// it asks for.
    private enum Resolved { case unsafe, noRule, image(RuleSettings, Variant) }

    /// Dot segments, NUL bytes and bad escapes never reach any origin (an http origin's base path must not be
    /// escapable either): answered like a missing file. Otherwise the first matching rule, or none (proxy).
    private func resolve(_ request: HTTPRequest) -> Resolved {
        let accept = request.headers["Accept"]
        return resolved.value(request.target + "\u{0}" + (accept ?? "\u{0}")) {
            guard let decoded = percentDecode(request.path), !ImageHandler.hasUnsafeSegments(decoded) else { return .unsafe }
            guard let rule = matcher.match(decodedPath: String(decoding: decoded, as: UTF8.self)) else { return .noRule }
            return .image(rule, variant(of: request, rule: rule))
        }
    }

    private func health() -> Produced {
        Produced(response: textResponse("{\"status\": \"ok\"}\n", type: "application/json"), outcome: "internal")
    }

    /// True when a decoded path holds a NUL byte, a backslash, or a "." / ".." segment.
    static func hasUnsafeSegments(_ decoded: [UInt8]) -> Bool {
        if decoded.contains(0) || decoded.contains(UInt8(ascii: "\\")) { return true }
        return decoded.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).contains {
            $0.elementsEqual([UInt8(ascii: ".")]) || $0.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")])
        }
    }

    private func textResponse(_ text: String, type: String) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add("Content-Type", type)
        headers.add("Cache-Control", "no-store")
        return HTTPResponse(status: 200, headers: headers, body: Array(text.utf8))
    }

    // MARK: - Proxy (no rule)

    /// Request fields relayed to the origin when proxying untouched: conditionals, cache directives, negotiation.
    static let proxiedRequestFields = ["If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since", "If-Range",
                                       "Range", "Cache-Control", "Pragma", "Accept", "Accept-Encoding", "Accept-Language",
                                       "User-Agent", "Referer", "Authorization", "Cookie"]

    private func proxy(_ request: HTTPRequest, peer: String) -> Produced {
        var headers = HTTPHeaders()
        for name in ImageHandler.proxiedRequestFields {
            if let value = request.headers[name] { headers.add(name, value) }
        }
        headers.add("X-Forwarded-For", peer)
        switch fetchOrigin(path: request.path, query: request.query, headers: headers) {
        case .failure(let failure):
            return Produced(response: HTTPResponse.jsonError(failure.httpStatus, failure.message), outcome: "error")
        case .success(let original):
            return Produced(response: HTTPResponse(status: original.status, headers: ImageHandler.relayable(original.headers),
                                                   body: original.body), outcome: "proxied")
        }
    }

    private func fetchOrigin(path: String, query: String, headers: HTTPHeaders) -> Result<OriginResponse, OriginFailure> {
        let started = monotonicSeconds()
        let result = origin.fetch(path: path, query: query, headers: headers)
        let bytes = (try? result.get().body.count) ?? 0
        metrics.recordOriginFetch(seconds: monotonicSeconds() - started, bytes: bytes)
        return result
    }

    /// Origin fields minus hop-by-hop ones (RFC 9110 §7.6.1) and the framing we recompute.
    static func relayable(_ headers: HTTPHeaders) -> HTTPHeaders {
        let hopByHop: Set<String> = ["connection", "keep-alive", "transfer-encoding", "content-length", "te", "trailer",
                                     "upgrade", "proxy-authenticate", "proxy-authorization", "proxy-connection"]
        var out = HTTPHeaders()
        for field in headers.fields where !hopByHop.contains(field.name.lowercased()) { out.add(field.name, field.value) }
        return out
    }

    // MARK: - Transform (a rule matched)

    /// The variant a request asks for: its parsed query, its Accept, and the cache and coalescing key — origin
    /// object (path + the query the origin sees), normalized image parameters, negotiated output format (SPEC §5).
    private struct Variant {
        var query: SplitQuery
        var accept: String?
        var key: String
    }

    private func variant(of request: HTTPRequest, rule: RuleSettings) -> Variant {
        let query = ImageProcessor.splitQuery(request.query)
        let accept = request.headers["Accept"]
        let format = ImageProcessor.negotiatedFormat(query: query, accept: accept, rule: rule)
        return Variant(query: query, accept: accept,
                       key: "\(request.path)?\(query.originQuery)\u{1}\(query.normalizedImageParameters)\u{1}\(format)")
    }

    private func cached(_ key: String) -> Produced? {
        guard let entry = cache.lookup(key) else { return nil }
        return Produced(response: entry.response, outcome: entry.outcome, skipReason: entry.skipReason, fromCache: true)
    }

    private func transform(_ request: HTTPRequest, rule: RuleSettings, _ wanted: Variant,
                           _ context: HTTPRequestContext) -> Produced {
        let query = wanted.query, accept = wanted.accept, key = wanted.key
        if let hit = cached(key) {
            metrics.recordCache(hit: true)
            return hit
        }
        metrics.recordCache(hit: false)
        // The flight's job stops when every client waiting for it has gone (SPEC §5).
        guard let (produced, shared) = coalescer.run(key, client: context.client, { control in
            produce(request: request, query: query, accept: accept, rule: rule, peer: context.peer, cacheKey: key,
                    control: control)
        }) else {
            return Produced(response: .clientGone, outcome: "abandoned")
        }
        if shared { metrics.recordCoalesced() }
        return produced
    }

    private func produce(request: HTTPRequest, query: SplitQuery, accept: String?, rule: RuleSettings, peer: String,
                         cacheKey: String, control: FlightControl) -> Produced {
        // Every client left while this request waited for a handler: nothing to fetch or make.
        if control.isAbandoned { return Produced(response: .clientGone, outcome: "abandoned") }
        var originHeaders = HTTPHeaders()
        originHeaders.add("User-Agent", "imagestack")
        originHeaders.add("Accept", "*/*")
        originHeaders.add("X-Forwarded-For", peer)
        let original: OriginResponse
        switch fetchOrigin(path: request.path, query: query.originQuery, headers: originHeaders) {
        case .failure(let failure):
            return Produced(response: HTTPResponse.jsonError(failure.httpStatus, failure.message), outcome: "error")
        case .success(let response):
            original = response
        }
        var relayedHeaders = ImageHandler.relayable(original.headers)

        // Non-200: relayed as is, redirects included (never followed) — SPEC §3.
        guard original.status == 200 else {
            let reason = SkipReason.originStatus(original.status).text
            relayedHeaders.set("Img-Skip-Reason", reason)
            metrics.recordSkip(reason)
            return Produced(response: HTTPResponse(status: original.status, headers: relayedHeaders, body: original.body),
                            outcome: "origin_status", skipReason: reason)
        }
        // An encoded body is not an image we can read: relay it untouched (SPEC §6).
        if let encoding = original.headers["Content-Encoding"], encoding.lowercased() != "identity" {
            let reason = SkipReason.contentEncoding(encoding.lowercased()).text
            relayedHeaders.set("Img-Skip-Reason", reason)
            metrics.recordSkip(reason)
            return Produced(response: HTTPResponse(status: 200, headers: relayedHeaders, body: original.body),
                            outcome: "skipped", skipReason: reason)
        }

        let limits = config.imageLimits
        let body = original.body
        let variesByAccept = !rule.formats.defaults.isEmpty || !query.imageParameters.isEmpty
        // One job per transform: its deadline runs from now (queue time counts), its thread count is decided
        // when a worker starts it (ThreadBudget), and the flight cancels it when nobody waits any more.
        let ticket = JobTicket(timeout: config.processingTimeout > 0 ? config.processingTimeout : nil)
        control.attach(ticket)
        let outcome: ProcessingOutcome
        switch workers.run(ticket, { ImageProcessor.process(original: body, query: query, accept: accept, rule: rule,
                                                             limits: limits) }) {
        case .refused:
            return skipped(.rateLimit, original: original, headers: relayedHeaders, variesByAccept: variesByAccept)
        case .stoppedBeforeStart(let stop):
            metrics.recordJobStop(stop, started: false)
            return stopped(stop, original: original, headers: relayedHeaders, variesByAccept: variesByAccept)
        case .finished(let finished):
            if let stop = finished.stoppedBy {
                metrics.recordJobStop(stop, started: true)
                return stopped(stop, original: original, headers: relayedHeaders, variesByAccept: finished.variesByAccept)
            }
            outcome = finished
        }
        metrics.recordProcessing(seconds: outcome.processingMilliseconds / 1000,
                                 savedBytes: outcome.skipReason == nil ? original.body.count - outcome.body.count : 0)
        var produced: Produced
        if let reason = outcome.skipReason {
            metrics.recordSkip(reason)
            produced = Produced(response: skipResponse(original: original, headers: relayedHeaders, reason: reason,
                                                       variesByAccept: outcome.variesByAccept),
                                outcome: "skipped", skipReason: reason)
        } else if outcome.isPassthrough {
            // Nothing to do (no image parameters, `quality` alone, a same-size resize): the original as a plain
            // proxy would relay it — no X-Img-Operations, no skip reason.
            produced = Produced(response: skipResponse(original: original, headers: relayedHeaders, reason: nil,
                                                       variesByAccept: outcome.variesByAccept),
                                outcome: "passthrough")
        } else {
            produced = Produced(response: transformedResponse(original: original, outcome: outcome), outcome: "transformed")
        }
        produced.notes = outcome.notes
        var entry = produced.response
        entry.headers.set("X-Img-Server", config.serverName)
        entry.serializeHead()
        cache.put(cacheKey, entry, outcome: produced.outcome, skipReason: produced.skipReason)
        return produced
    }

    /// A job that stopped before its end: abandoned → nobody to answer; deadline → the original with the
    /// processing-time skip reason (SPEC §5, §6). Neither is cached: a later request may find an idle server.
    private func stopped(_ stop: JobStop, original: OriginResponse, headers: HTTPHeaders, variesByAccept: Bool) -> Produced {
        switch stop {
        case .abandoned:
            return Produced(response: .clientGone, outcome: "abandoned")
        case .deadlineExceeded:
            return skipped(.processingTimeLimit, original: original, headers: headers, variesByAccept: variesByAccept)
        }
    }

    /// The original served for a reason decided here, not by the pipeline (overload, deadline), counted.
    private func skipped(_ reason: SkipReason, original: OriginResponse, headers: HTTPHeaders, variesByAccept: Bool) -> Produced {
        metrics.recordSkip(reason.text)
        return Produced(response: skipResponse(original: original, headers: headers, reason: reason.text,
                                               variesByAccept: variesByAccept),
                        outcome: "skipped", skipReason: reason.text)
    }

    /// The original with its origin headers, plus `Img-Skip-Reason` (SPEC §3 "Original served").
    /// With `reason` nil it is the untouched original of a request that asked for nothing to be done.
    private func skipResponse(original: OriginResponse, headers: HTTPHeaders, reason: String?, variesByAccept: Bool) -> HTTPResponse {
        var headers = headers
        if let reason { headers.set("Img-Skip-Reason", reason) }
        if variesByAccept { headers.set("Vary", ImageHandler.varyAddingAccept(headers["Vary"])) }
        if !headers.contains("ETag") { headers.set("ETag", ImageHandler.strongETag(original.body)) }
        return HTTPResponse(status: 200, headers: headers, body: original.body)
    }

    /// The transformed image with the X-Img-* headers (SPEC §3 "Success").
    private func transformedResponse(original: OriginResponse, outcome: ProcessingOutcome) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add("Content-Type", outcome.contentType)
        if let value = original.headers["Cache-Control"] { headers.add("Cache-Control", value) }
        if let value = original.headers["Last-Modified"] { headers.add("Last-Modified", value) }
        if let value = original.headers["Expires"] { headers.add("Expires", value) }
        if outcome.variesByAccept { headers.add("Vary", ImageHandler.varyAddingAccept(original.headers["Vary"])) }
        headers.add("ETag", ImageHandler.strongETag(outcome.body))
        headers.add("X-Img-Operations", outcome.operations.joined(separator: ","))
        headers.add("X-Img-Origin-Download-Time", String(Int((original.seconds * 1000).rounded())))
        headers.add("X-Img-Origin-Size", String(original.body.count))
        headers.add("X-Img-Processing-Time", String(Int(outcome.processingMilliseconds.rounded())))
        headers.add("X-Img-Saved-Bytes", String(original.body.count - outcome.body.count))
        return HTTPResponse(status: 200, headers: headers, body: outcome.body)
    }

    static func varyAddingAccept(_ existing: String?) -> String {
        guard let existing, !existing.isEmpty else { return "Accept" }
        let names = existing.split(separator: ",").map { $0.trimmingCharacters().lowercased() }
        return names.contains("accept") || names.contains("*") ? existing : existing + ", Accept"
    }

    /// A strong validator from the body bytes (64-bit FNV-1a; collisions only cost a needless 304 check miss).
    static func strongETag(_ body: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        body.withUnsafeBufferPointer { bytes in
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        }
        let hex = String(hash, radix: 16)
        return "\"" + String(repeating: "0", count: 16 - hex.count) + hex + "-\(body.count)\""
    }

    /// If-None-Match uses the weak comparison (RFC 9110 §13.1.2): "W/" prefixes are ignored; "*" matches any.
    static func etag(_ etag: String, matchesAnyOf condition: String) -> Bool {
        func opaque(_ tag: Substring) -> Substring {
            let trimmed = Substring(tag.trimmingCharacters())
            return trimmed.hasPrefix("W/") ? trimmed.dropFirst(2) : trimmed
        }
        let mine = opaque(Substring(etag))
        return condition.split(separator: ",").contains { candidate in
            candidate.trimmingCharacters() == "*" || opaque(candidate) == mine
        }
    }
}
