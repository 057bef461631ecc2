#if canImport(Glibc)
import Glibc
#endif

/// What the origin answered: the whole body is read (and de-chunked) before anything is sent on.
public struct OriginResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Seconds from starting the request to the last body byte (X-Img-Origin-Download-Time).
    public var seconds: Double
}

/// Why there is no origin response to relay (SPEC §3 hard errors).
public enum OriginFailure: Error, Sendable, Equatable {
    /// Connection refused, reset, or the origin broke the protocol → 502.
    case unreachable(String)
    /// Connect or read took longer than configured → 504.
    case timedOut(String)
    /// Malformed status line/headers, truncated body → 502.
    case invalidResponse(String)
    /// Body over the configured maximum → 502.
    case tooLarge(Int)
    /// The file origin refused a path that leaves its root (answered 404 by the handler).
    case notFound

    public var httpStatus: Int {
        switch self {
        case .timedOut: return 504
        case .notFound: return 404
        default: return 502
        }
    }

    public var message: String {
        switch self {
        case .unreachable(let why): return "origin unreachable: \(why)"
        case .timedOut(let why): return "origin timed out: \(why)"
        case .invalidResponse(let why): return "invalid response from origin: \(why)"
        case .tooLarge(let limit): return "origin response larger than \(limit) bytes"
        case .notFound: return "not found"
        }
    }
}

/// Something originals can be fetched from: an HTTP server or a directory.
public protocol Origin: Sendable {
    /// `path` is the request path (percent-encoded, starting with "/"), `query` the origin query ("" when none),
    /// `headers` the request fields to relay.
    func fetch(path: String, query: String, headers: HTTPHeaders) -> Result<OriginResponse, OriginFailure>
}

/// HTTP/1.1 client for one configured `http://` origin, with a pool of keep-alive connections. The host is fixed
/// at construction: nothing in a request can point it elsewhere (the request path is appended to the base path,
/// and request targets are origin-form only).
public final class HTTPOrigin: Origin, @unchecked Sendable {
    public let host: String
    public let port: Int
    public let basePath: String
    let connectTimeout: Double
    let readTimeout: Double
    let maxBodyBytes: Int
    let maxIdleConnections: Int
    private let lock = ConditionLock()
    private var idle: [(fd: Int32, since: Double)] = []
    private var addresses: [(family: Int32, address: [UInt8])] = []
    /// Idle pooled connections older than this are closed rather than reused (origins drop idle keep-alives).
    let idleLifetime: Double = 4

    public init(host: String, port: Int, basePath: String, connectTimeout: Double, readTimeout: Double,
                maxBodyBytes: Int, maxIdleConnections: Int = 32) {
        self.host = host; self.port = port; self.basePath = basePath
        self.connectTimeout = connectTimeout; self.readTimeout = readTimeout
        self.maxBodyBytes = maxBodyBytes; self.maxIdleConnections = maxIdleConnections
    }

    deinit { for entry in idle { close(entry.fd) } }

    public func fetch(path: String, query: String, headers: HTTPHeaders) -> Result<OriginResponse, OriginFailure> {
        let started = monotonicSeconds()
        var target = basePath + path
        if !query.isEmpty { target += "?" + query }
        var head = "GET \(target) HTTP/1.1\r\nHost: \(port == 80 ? host : "\(host):\(port)")\r\n"
        for field in headers.fields { head += "\(field.name): \(field.value)\r\n" }
        head += "\r\n"
        let request = Array(head.utf8)

        // A pooled connection may have been closed by the origin meanwhile: on a failure before the first
        // response byte, retry once on a fresh connection.
        for attempt in 0..<2 {
            let pooled = attempt == 0 ? takeIdle() : nil
            let fd: Int32
            if let pooled { fd = pooled } else {
                switch openConnection(deadline: started + connectTimeout) {
                case .success(let opened): fd = opened
                case .failure(let failure): return .failure(failure)
                }
            }
            let outcome = exchange(fd: fd, request: request, started: started)
            switch outcome {
            case .retry where pooled != nil:
                close(fd)
                continue
            case .retry:
                close(fd)
                return .failure(.unreachable("connection closed before a response"))
            case .failed(let failure):
                close(fd)
                return .failure(failure)
            case .done(let response, let reusable):
                if reusable { giveBack(fd) } else { close(fd) }
                return .success(response)
            }
        }
        return .failure(.unreachable("connection closed before a response"))
    }

    private enum Exchange {
        case done(OriginResponse, reusable: Bool)
        case retry
        case failed(OriginFailure)
    }

    private func exchange(fd: Int32, request: [UInt8], started: Double) -> Exchange {
        do {
            try SocketIO.writeAll(fd, request, deadline: monotonicSeconds() + readTimeout)
        } catch {
            return .retry
        }
        var reader = OriginResponseReader(fd: fd, readTimeout: readTimeout, maxBodyBytes: maxBodyBytes)
        do throws(OriginFailure) {
            guard let (status, version, headers) = try reader.readHead() else { return .retry }
            let (body, framed) = try reader.readBody(status: status, headers: headers)
            let keepAlive = framed && version == "HTTP/1.1"
                && !(headers["Connection"]?.lowercased().contains("close") ?? false)
            let response = OriginResponse(status: status, headers: headers, body: body,
                                          seconds: monotonicSeconds() - started)
            return .done(response, reusable: keepAlive && !reader.hasLeftover)
        } catch {
            return .failed(error)
        }
    }

    private func openConnection(deadline: Double) -> Result<Int32, OriginFailure> {
        var candidates = lock.withLock { addresses }
        if candidates.isEmpty {
            candidates = SocketIO.resolve(host: host, port: port)
            guard !candidates.isEmpty else { return .failure(.unreachable("cannot resolve \(host)")) }
            lock.withLock { addresses = candidates }
        }
        var lastError = "no address"
        for candidate in candidates {
            do {
                return .success(try SocketIO.connect(family: candidate.family, address: candidate.address, deadline: deadline))
            } catch .timedOut {
                return .failure(.timedOut("connect to \(host):\(port)"))
            } catch {
                if case .failed(let code) = error { lastError = String(cString: strerror(code)) }
            }
        }
        return .failure(.unreachable("connect to \(host):\(port): \(lastError)"))
    }

    private func takeIdle() -> Int32? {
        let now = monotonicSeconds()
        while true {
            let entry: (fd: Int32, since: Double)? = lock.withLock { idle.popLast() }
            guard let entry else { return nil }
            // Fresh, and not readable: an idle connection with data or EOF pending was closed by the origin.
            var pfd = pollfd(fd: entry.fd, events: Int16(POLLIN), revents: 0)
            if now - entry.since < idleLifetime && poll(&pfd, 1, 0) == 0 { return entry.fd }
            close(entry.fd)
        }
    }

    private func giveBack(_ fd: Int32) {
        let kept = lock.withLock { () -> Bool in
            guard idle.count < maxIdleConnections else { return false }
            idle.append((fd, monotonicSeconds()))
            return true
        }
        if !kept { close(fd) }
    }
}

/// Reads one HTTP/1.1 response from a socket: status line, headers, and a body framed by Content-Length,
/// chunked transfer coding (RFC 9112 §7.1), or the end of the connection.
struct OriginResponseReader {
    let fd: Int32
    let readTimeout: Double
    let maxBodyBytes: Int
    var buffer: [UInt8] = []
    var position = 0
    static let maxHeadBytes = 65536

    init(fd: Int32, readTimeout: Double, maxBodyBytes: Int) {
        self.fd = fd; self.readTimeout = readTimeout; self.maxBodyBytes = maxBodyBytes
    }

    var hasLeftover: Bool { position < buffer.count }

    /// Reads more bytes; false at end of stream.
    private mutating func fill() throws(OriginFailure) -> Bool {
        do {
            return try SocketIO.readSome(fd, into: &buffer, deadline: monotonicSeconds() + readTimeout) > 0
        } catch .timedOut {
            throw .timedOut("no data from origin for \(Int(readTimeout * 1000)) ms")
        } catch {
            throw .unreachable("connection reset while reading the response")
        }
    }

    /// Nil when the connection closed before any byte (a stale pooled connection).
    mutating func readHead(interimResponses: Int = 0) throws(OriginFailure) -> (Int, String, HTTPHeaders)? {
        var headEnd = -1
        var searchFrom = 0
        while true {
            if let end = Self.headEnd(in: buffer, from: searchFrom) { headEnd = end; break }
            searchFrom = max(0, buffer.count - 3)
            if buffer.count > Self.maxHeadBytes { throw .invalidResponse("response head larger than \(Self.maxHeadBytes) bytes") }
            let gotMore: Bool
            do { gotMore = try fill() } catch .unreachable(let why) {
                if buffer.isEmpty { return nil }
                throw .unreachable(why)
            }
            if !gotMore {
                if buffer.isEmpty { return nil }
                throw .invalidResponse("connection closed inside the response head")
            }
        }
        // Split on LF bytes: as Swift Characters "\r\n" is one grapheme and would not split on "\n".
        var lines = buffer[0..<headEnd].split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map {
            String(decoding: $0.last == UInt8(ascii: "\r") ? $0.dropLast() : $0, as: UTF8.self)
        }
        while lines.last == "" { lines.removeLast() }
        guard let statusLine = lines.first else { throw .invalidResponse("empty status line") }
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0] == "HTTP/1.1" || parts[0] == "HTTP/1.0", parts[1].count == 3,
              let status = Int(parts[1]), (100...599).contains(status) else {
            throw .invalidResponse("malformed status line")
        }
        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex,
                  line[..<colon].utf8.allSatisfy(isTokenByte) else {
                throw .invalidResponse("malformed header line")
            }
            headers.add(String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingOWS())
        }
        position = headEnd
        // 1xx interim responses precede the real one.
        if (100..<200).contains(status) {
            guard interimResponses < 8 else { throw .invalidResponse("too many 1xx responses") }
            buffer.removeFirst(headEnd)
            position = 0
            return try readHead(interimResponses: interimResponses + 1)
        }
        return (status, String(parts[0]), headers)
    }

    /// Index just past the blank line ending a head ("\n\n" or "\n\r\n"), searching from `from`.
    static func headEnd(in buffer: [UInt8], from: Int) -> Int? {
        let lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var i = from
        while i < buffer.count {
            if buffer[i] == lf {
                if i + 1 < buffer.count && buffer[i + 1] == lf { return i + 2 }
                if i + 2 < buffer.count && buffer[i + 1] == cr && buffer[i + 2] == lf { return i + 3 }
            }
            i += 1
        }
        return nil
    }

    /// The body and whether it was framed (length known, so the connection can be reused).
    mutating func readBody(status: Int, headers: HTTPHeaders) throws(OriginFailure) -> ([UInt8], Bool) {
        if status == 204 || status == 304 { return ([], true) }
        if let coding = headers["Transfer-Encoding"]?.lowercased() {
            guard coding.split(separator: ",").last?.trimmingCharacters() == "chunked" else {
                throw .invalidResponse("unsupported Transfer-Encoding \(coding)")
            }
            return (try readChunked(), true)
        }
        if let lengthText = headers["Content-Length"] {
            guard let length = Int(lengthText), length >= 0 else { throw .invalidResponse("invalid Content-Length") }
            guard length <= maxBodyBytes else { throw .tooLarge(maxBodyBytes) }
            while buffer.count - position < length {
                guard try fill() else {
                    throw .invalidResponse("body truncated: \(buffer.count - position) of \(length) bytes")
                }
            }
            let body = Array(buffer[position..<position + length])
            position += length
            return (body, true)
        }
        while try fill() {
            if buffer.count - position > maxBodyBytes { throw .tooLarge(maxBodyBytes) }
        }
        let body = Array(buffer[position...])
        position = buffer.count
        return (body, false)
    }

    private mutating func readLine() throws(OriginFailure) -> String {
        while true {
            if let lf = buffer[position...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = lf
                if end > position && buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = String(decoding: buffer[position..<end], as: UTF8.self)
                position = lf + 1
                return line
            }
            if buffer.count - position > 8192 { throw .invalidResponse("chunk line too long") }
            guard try fill() else { throw .invalidResponse("connection closed inside a chunked body") }
        }
    }

    private mutating func readChunked() throws(OriginFailure) -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let line = try readLine()
            let sizeText = line.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters() } ?? ""
            guard !sizeText.isEmpty, sizeText.count <= 15, let size = Int(sizeText, radix: 16), size >= 0 else {
                throw .invalidResponse("malformed chunk size")
            }
            if size == 0 {
                // Trailer fields until the empty line.
                while try !readLine().isEmpty {}
                return body
            }
            guard body.count + size <= maxBodyBytes else { throw .tooLarge(maxBodyBytes) }
            while buffer.count - position < size + 2 {
                guard try fill() else { throw .invalidResponse("connection closed inside a chunked body") }
            }
            body.append(contentsOf: buffer[position..<position + size])
            position += size
            guard buffer[position] == UInt8(ascii: "\r"), buffer[position + 1] == UInt8(ascii: "\n") else {
                throw .invalidResponse("chunk not followed by CRLF")
            }
            position += 2
            if position > 1 << 20 { buffer.removeFirst(position); position = 0 }
        }
    }
}

extension Substring {
    func trimmingCharacters() -> String { String(self).trimmingOWS() }
}
