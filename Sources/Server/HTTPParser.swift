/// Incremental HTTP/1.1 request parser (RFC 9112) over the bytes a connection has buffered so far. Size limits are
/// checked before waiting for more bytes, so an oversized request line or header section is answered (414/431)
/// as soon as it crosses the limit, without buffering it whole.
public struct HTTPRequestParser: Sendable {
    public struct Limits: Sendable, Equatable {
        public var maxRequestLineBytes: Int
        public var maxHeaderBytes: Int
        public var maxBodyBytes: Int
        public static let `default` = Limits(maxRequestLineBytes: 8192, maxHeaderBytes: 16384, maxBodyBytes: 1 << 20)
        public init(maxRequestLineBytes: Int, maxHeaderBytes: Int, maxBodyBytes: Int) {
            self.maxRequestLineBytes = maxRequestLineBytes; self.maxHeaderBytes = maxHeaderBytes
            self.maxBodyBytes = maxBodyBytes
        }
    }

    public enum Result: Sendable {
        /// More bytes are needed.
        case incomplete
        /// A whole request; `consumed` bytes of the buffer belong to it (the rest may be a pipelined request).
        case complete(HTTPRequest, consumed: Int)
        /// The request is invalid; answer `status` and close the connection.
        case failure(status: Int, message: String)
    }

    public var limits: Limits
    public init(limits: Limits = .default) { self.limits = limits }

    public func parse(_ buffer: [UInt8]) -> Result {
        buffer.withUnsafeBufferPointer { parse($0) }
    }

    public func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result {
        let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        // RFC 9112 §2.2: a server should ignore at least one empty line before the request line.
        var start = 0
        while start < bytes.count && (bytes[start] == cr || bytes[start] == lf) && start < 4 { start += 1 }

        guard let lineEnd = firstIndex(of: lf, in: bytes, from: start, limit: start + limits.maxRequestLineBytes + 2) else {
            if bytes.count - start > limits.maxRequestLineBytes {
                return .failure(status: 414, message: "request line longer than \(limits.maxRequestLineBytes) bytes")
            }
            return .incomplete
        }
        var requestLineLength = lineEnd - start
        if requestLineLength > 0 && bytes[lineEnd - 1] == cr { requestLineLength -= 1 }
        if requestLineLength > limits.maxRequestLineBytes {
            return .failure(status: 414, message: "request line longer than \(limits.maxRequestLineBytes) bytes")
        }

        // Find the empty line ending the header section, bounded by the header limit.
        let headerStart = lineEnd + 1
        let headerLimit = headerStart + limits.maxHeaderBytes
        var position = headerStart
        var headerEnd = -1      // index of the first byte after the blank line
        var lines: [(Int, Int)] = []
        while true {
            guard let end = firstIndex(of: lf, in: bytes, from: position, limit: headerLimit + 2) else {
                if bytes.count >= headerLimit {
                    return .failure(status: 431, message: "header section larger than \(limits.maxHeaderBytes) bytes")
                }
                return .incomplete
            }
            var contentEnd = end
            if contentEnd > position && bytes[contentEnd - 1] == cr { contentEnd -= 1 }
            if contentEnd == position { headerEnd = end + 1; break }
            if end + 1 - headerStart > limits.maxHeaderBytes {
                return .failure(status: 431, message: "header section larger than \(limits.maxHeaderBytes) bytes")
            }
            lines.append((position, contentEnd))
            position = end + 1
        }

        // Request line: method SP request-target SP HTTP-version.
        let requestLine = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<start + requestLineLength]), as: UTF8.self)
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else {
            return .failure(status: 400, message: "malformed request line")
        }
        let method = String(parts[0]), target = String(parts[1]), version = String(parts[2])
        guard method.utf8.allSatisfy(isTokenByte) else { return .failure(status: 400, message: "malformed method") }
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
            if version.hasPrefix("HTTP/") { return .failure(status: 505, message: "unsupported HTTP version") }
            return .failure(status: 400, message: "malformed request line")
        }
        // Only origin-form targets (RFC 9112 §3.2.1): an absolute URL in the request line could otherwise be read
        // as a request to fetch from elsewhere. The origin is fixed by the configuration, never by the request.
        guard target.hasPrefix("/") else {
            return .failure(status: 400, message: "request target must be an absolute path")
        }
        guard target.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return .failure(status: 400, message: "request target contains invalid characters")
        }

        var headers = HTTPHeaders()
        for (lineStart, lineEnd) in lines {
            let line = UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd])
            if line.first == UInt8(ascii: " ") || line.first == UInt8(ascii: "\t") {
                return .failure(status: 400, message: "obsolete header line folding")
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0 else {
                return .failure(status: 400, message: "malformed header line")
            }
            let nameBytes = UnsafeBufferPointer(rebasing: line[0..<colon])
            guard nameBytes.allSatisfy(isTokenByte) else {
                return .failure(status: 400, message: "malformed header name")
            }
            let valueBytes = UnsafeBufferPointer(rebasing: line[(colon + 1)...])
            if valueBytes.contains(0) || valueBytes.contains(cr) {
                return .failure(status: 400, message: "invalid character in header value")
            }
            let name = String(decoding: nameBytes, as: UTF8.self)
            let value = String(decoding: valueBytes, as: UTF8.self).trimmingOWS()
            headers.add(name, value)
        }

        // RFC 9112 §3.2: 400 for an HTTP/1.1 request without Host, and for any request with more than one Host
        // field line or an invalid Host value. HTTP/1.0 predates Host and may omit it.
        let hosts = headers.fields.filter { HTTPHeaders.sameName($0.name, "Host") }
        if hosts.count > 1 { return .failure(status: 400, message: "more than one Host header field") }
        if hosts.isEmpty && version == "HTTP/1.1" { return .failure(status: 400, message: "missing Host header field") }
        if let host = hosts.first, !HostField.isValid(host.value) {
            return .failure(status: 400, message: "invalid Host header field")
        }
        if headers.contains("Transfer-Encoding") {
            return .failure(status: 501, message: "request bodies with Transfer-Encoding are not supported")
        }
        var bodyLength = 0
        let lengths = headers.fields.filter { HTTPHeaders.sameName($0.name, "Content-Length") }.map(\.value)
        if let first = lengths.first {
            guard lengths.allSatisfy({ $0 == first }), !first.isEmpty, first.utf8.count <= 18,
                  first.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                  let length = Int(first) else {
                return .failure(status: 400, message: "invalid Content-Length")
            }
            guard length <= limits.maxBodyBytes else {
                return .failure(status: 413, message: "request body larger than \(limits.maxBodyBytes) bytes")
            }
            bodyLength = length
        }
        guard bytes.count - headerEnd >= bodyLength else { return .incomplete }
        let body = Array(UnsafeBufferPointer(rebasing: bytes[headerEnd..<headerEnd + bodyLength]))

        var pathAndQuery = Substring(target)
        if let hash = pathAndQuery.firstIndex(of: "#") { pathAndQuery = pathAndQuery[..<hash] }
        var path = String(pathAndQuery), query = ""
        if let mark = pathAndQuery.firstIndex(of: "?") {
            path = String(pathAndQuery[..<mark])
            query = String(pathAndQuery[pathAndQuery.index(after: mark)...])
        }
        let request = HTTPRequest(method: method, target: target, path: path, query: query, version: version,
                                  headers: headers, body: body)
        return .complete(request, consumed: headerEnd + bodyLength)
    }

    private func firstIndex(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from: Int, limit: Int) -> Int? {
        var i = from
        let end = min(bytes.count, limit)
        while i < end {
            if bytes[i] == byte { return i }
            i += 1
        }
        return nil
    }
}

/// The Host field value: `uri-host [ ":" port ]` (RFC 9110 §7.2, RFC 3986 §3.2.2–3.2.3), possibly empty.
enum HostField {
    static func isValid(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        var i = 0
        if bytes.first == UInt8(ascii: "[") {
            // IP-literal: IPv6address or IPvFuture between brackets.
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")), close > 1 else { return false }
            guard bytes[1..<close].allSatisfy({ isHex($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".")
                || $0 == UInt8(ascii: "v") || $0 == UInt8(ascii: "V") || isUnreserved($0) || isSubDelim($0) }) else { return false }
            i = close + 1
            guard i == bytes.count || bytes[i] == UInt8(ascii: ":") else { return false }
        } else {
            // reg-name or IPv4address: unreserved, pct-encoded, sub-delims.
            while i < bytes.count && bytes[i] != UInt8(ascii: ":") {
                let b = bytes[i]
                if b == UInt8(ascii: "%") {
                    guard i + 2 < bytes.count, isHex(bytes[i + 1]), isHex(bytes[i + 2]) else { return false }
                    i += 3
                    continue
                }
                guard isUnreserved(b) || isSubDelim(b) else { return false }
                i += 1
            }
        }
        if i < bytes.count {
            // ":" port, port = *DIGIT.
            return bytes[(i + 1)...].allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        }
        return true
    }

    private static func isHex(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || (b | 0x20 >= UInt8(ascii: "a") && b | 0x20 <= UInt8(ascii: "f"))
    }
    private static func isUnreserved(_ b: UInt8) -> Bool {
        (b | 0x20 >= UInt8(ascii: "a") && b | 0x20 <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
            || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "~")
    }
    private static func isSubDelim(_ b: UInt8) -> Bool {
        Array("!$&'()*+,;=".utf8).contains(b)
    }
}

/// RFC 9110 §5.6.2 tchar.
@inline(__always) func isTokenByte(_ b: UInt8) -> Bool {
    switch b {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
        return true
    default:
        return Array("!#$%&'*+-.^_`|~".utf8).contains(b)
    }
}

extension String {
    /// Drops optional whitespace (SP / HTAB) at both ends.
    func trimmingOWS() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
