/// Ordered HTTP header fields; names compare case-insensitively (RFC 9110 §5.1).
public struct HTTPHeaders: Sendable, Equatable {
    public private(set) var fields: [(name: String, value: String)] = []

    public init(_ fields: [(String, String)] = []) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    public subscript(name: String) -> String? {
        let lower = name.lowercased()
        return fields.first { $0.name.lowercased() == lower }?.value
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    public mutating func add(_ name: String, _ value: String) { fields.append((name: name, value: value)) }

    /// Replaces every field called `name` with one field.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        fields.append((name: name, value: value))
    }

    public mutating func remove(_ name: String) {
        let lower = name.lowercased()
        fields.removeAll { $0.name.lowercased() == lower }
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
        let connection = headers["Connection"]?.lowercased() ?? ""
        if version == "HTTP/1.0" { return connection.contains("keep-alive") }
        return !connection.contains("close")
    }
}

/// A response about to be written.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status; self.headers = headers; self.body = body
    }

    /// A hard error with a small JSON body `{"error": "..."}` (SPEC §3).
    public static func jsonError(_ status: Int, _ message: String) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/json")
        headers.add("Cache-Control", "no-store")
        return HTTPResponse(status: status, headers: headers, body: Array("{\"error\": \"\(jsonEscaped(message))\"}\n".utf8))
    }
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

/// Serializes a status line, headers and (unless `omitBody`, for HEAD and 304) the body. Content-Length is always
/// written from the body so relayed and transformed responses cannot disagree with what is sent.
func serializeResponse(_ response: HTTPResponse, keepAlive: Bool, omitBody: Bool) -> [UInt8] {
    var head = "HTTP/1.1 \(response.status) \(reasonPhrase(response.status))\r\n"
    for field in response.headers.fields {
        let lower = field.name.lowercased()
        if lower == "content-length" || lower == "connection" || lower == "transfer-encoding" || lower == "keep-alive" {
            continue
        }
        head += "\(field.name): \(field.value)\r\n"
    }
    if response.status != 304 && !(100..<200).contains(response.status) && response.status != 204 {
        head += "Content-Length: \(response.body.count)\r\n"
    }
    head += keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n"
    var bytes = Array(head.utf8)
    if !omitBody && response.status != 304 { bytes.append(contentsOf: response.body) }
    return bytes
}
