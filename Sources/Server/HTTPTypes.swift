#if canImport(Glibc)
import Glibc
#endif

/// Ordered HTTP header fields; names compare case-insensitively (RFC 9110 §5.1).
public struct HTTPHeaders: Sendable, Equatable {
    public private(set) var fields: [(name: String, value: String)] = []

    public init(_ fields: [(String, String)] = []) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    public subscript(name: String) -> String? {
        fields.first { HTTPHeaders.sameName($0.name, name) }?.value
    }

    /// ASCII case-insensitive name comparison without allocating (field names are tokens, RFC 9110 §5.1).
    static func sameName(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                guard x.count == y.count else { return false }
                for i in 0..<x.count where x[i] != y[i] {
                    let lx = x[i] | 0x20, ly = y[i] | 0x20
                    if lx != ly || lx < UInt8(ascii: "a") || lx > UInt8(ascii: "z") { return false }
                }
                return true
            }
        }
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    public mutating func add(_ name: String, _ value: String) { fields.append((name: name, value: value)) }

    /// Replaces every field called `name` with one field.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        fields.append((name: name, value: value))
    }

    public mutating func remove(_ name: String) {
        fields.removeAll { HTTPHeaders.sameName($0.name, name) }
    }

    public static func == (a: HTTPHeaders, b: HTTPHeaders) -> Bool {
        a.fields.map { "\($0.name):\($0.value)" } == b.fields.map { "\($0.name):\($0.value)" }
    }
}

/// A parsed request (origin-form target split into path and raw query).
public struct HTTPRequest: Sendable {
    public var method: String
    /// The request target as sent.
    public var target: String
    /// Path part of the target, still percent-encoded.
    public var path: String
    /// Query without "?", still percent-encoded ("" when none).
    public var query: String
    /// "HTTP/1.1" or "HTTP/1.0".
    public var version: String
    public var headers: HTTPHeaders
    public var body: [UInt8]

    /// HTTP/1.1 keeps the connection unless "Connection: close"; 1.0 only with "Connection: keep-alive".
    public var wantsKeepAlive: Bool {
        let options = headers["Connection"].map { $0.split(separator: ",").map { String($0).trimmingOWS() } } ?? []
        if version == "HTTP/1.0" { return options.contains { HTTPHeaders.sameName($0, "keep-alive") } }
        return !options.contains { HTTPHeaders.sameName($0, "close") }
    }
}

/// What a handler knows about where a request came from besides the request itself.
public struct HTTPRequestContext: Sendable {
    /// The client's address, for logs and X-Forwarded-For.
    public var peer: String
    /// Whether the client is still connected (the event loop watches for its hang-up while the request runs).
    public var client: ClientPresence
    public init(peer: String, client: ClientPresence = .attached) { self.peer = peer; self.client = client }
}

/// A response about to be written.
public struct HTTPResponse: Sendable {
    public var status: Int { didSet { head = nil } }
    public var headers: HTTPHeaders { didSet { head = nil } }
    public var body: [UInt8]
    /// The status line and header fields as sent, `Content-Length` included — everything but the per-request
    /// lines (`Date`, `Connection`) and the blank line. Made once by `serializeHead()` and kept by cached
    /// responses, so a cache hit goes out as a few buffers (head, date and connection lines, body) with no bytes
    /// built or copied. Cleared when the status or headers change.
    public private(set) var head: [UInt8]?

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status; self.headers = headers; self.body = body
    }

    /// The body length `head` was made for (its Content-Length).
    private var headBodyCount = -1

    /// Serializes the head now (cache entries do, so that hits reuse it).
    public mutating func serializeHead() {
        head = HTTPResponse.serializedHead(status: status, headers: headers, bodyCount: body.count)
        headBodyCount = body.count
    }

    /// The head to send: the stored one when it still describes this body, else made now.
    var headForSending: [UInt8] {
        if let head, headBodyCount == body.count { return head }
        return HTTPResponse.serializedHead(status: status, headers: headers, bodyCount: body.count)
    }

    /// Whether the response carries a body (RFC 9110 §6.4.1: never for 1xx, 204, 304).
    var allowsBody: Bool { status != 304 && status != 204 && !(100..<200).contains(status) }

    /// Fields the writer always decides itself: framing and connection handling (RFC 9112 §6, §9.6) and `Date`
    /// (RFC 9110 §6.6.1, written per response from the clock).
    static let writerFields: Set<String> = ["content-length", "connection", "transfer-encoding", "keep-alive", "date"]

    static func serializedHead(status: Int, headers: HTTPHeaders, bodyCount: Int) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(reasonPhrase(status))\r\n"
        for field in headers.fields where !writerFields.contains(field.name.lowercased()) {
            head += "\(field.name): \(field.value)\r\n"
        }
        if status != 304 && status != 204 && !(100..<200).contains(status) {
            head += "Content-Length: \(bodyCount)\r\n"
        }
        return Array(head.utf8)
    }

    /// A hard error with a small JSON body `{"error": "..."}` (SPEC §3).
    public static func jsonError(_ status: Int, _ message: String) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/json")
        headers.add("Cache-Control", "no-store")
        return HTTPResponse(status: status, headers: headers, body: Array("{\"error\": \"\(jsonEscaped(message))\"}\n".utf8))
    }

    /// Status of a request whose client went away before its answer was ready (nginx's 499 "client closed
    /// request"): never written, only logged and counted.
    public static let clientClosedStatus = 499

    /// The answer to a request nobody waits for any more: the server writes nothing and closes the connection.
    public static var clientGone: HTTPResponse { HTTPResponse(status: clientClosedStatus) }
}

/// Escapes a string for a JSON string literal (also used by `imagestack info`).
public func jsonEscaped(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out
}

/// Reason phrases for the statuses this server writes or relays.
func reasonPhrase(_ status: Int) -> String {
    switch status {
    case 200: return "OK"
    case 204: return "No Content"
    case 206: return "Partial Content"
    case 301: return "Moved Permanently"
    case 302: return "Found"
    case 303: return "See Other"
    case 304: return "Not Modified"
    case 307: return "Temporary Redirect"
    case 308: return "Permanent Redirect"
    case 400: return "Bad Request"
    case 403: return "Forbidden"
    case 404: return "Not Found"
    case 405: return "Method Not Allowed"
    case 408: return "Request Timeout"
    case 413: return "Content Too Large"
    case 414: return "URI Too Long"
    case 431: return "Request Header Fields Too Large"
    case 500: return "Internal Server Error"
    case 501: return "Not Implemented"
    case 502: return "Bad Gateway"
    case 503: return "Service Unavailable"
    case 504: return "Gateway Timeout"
    case 505: return "HTTP Version Not Supported"
    default: return "Status \(status)"
    }
}

/// The per-response lines: `Date` from the clock (the text is remade once a second) and the connection field
/// ending the head.
enum ResponseLines {
    static let keepAlive = Array("Connection: keep-alive\r\n\r\n".utf8)
    static let close = Array("Connection: close\r\n\r\n".utf8)

    private static let dateLock = ConditionLock()
    nonisolated(unsafe) private static var dateSecond = -1
    nonisolated(unsafe) private static var dateLine: [UInt8] = []

    /// `Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n` (IMF-fixdate, RFC 9110 §5.6.7) for the current second.
    static func date() -> [UInt8] {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let second = now.tv_sec
        return dateLock.withLock {
            if second != dateSecond {
                dateLine = Array("Date: \(httpDate(second))\r\n".utf8)
                dateSecond = second
            }
            return dateLine
        }
    }
}

/// Serializes a whole response into one array (for the rare answers sent with a single non-blocking send, e.g.
/// 503 over the connection limit); normal responses go out with `SocketIO.writeAll(_:parts:)`, uncopied.
func serializeResponse(_ response: HTTPResponse, keepAlive: Bool, omitBody: Bool) -> [UInt8] {
    var bytes = response.headForSending
    bytes += ResponseLines.date()
    bytes += keepAlive ? ResponseLines.keepAlive : ResponseLines.close
    if !omitBody && response.allowsBody { bytes += response.body }
    return bytes
}
