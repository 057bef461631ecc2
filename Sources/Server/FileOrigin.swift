#if canImport(Glibc)
import Glibc
#endif
import Formats

/// Originals from a local directory. There is no way out of the root: the path is percent-decoded once, then any
/// NUL byte, backslash, "." or ".." segment is refused, and the resolved real path (symlinks followed) must stay
/// inside the resolved root. Refused and missing paths are both 404, so the answer does not reveal which.
public final class FileOrigin: Origin, @unchecked Sendable {
    public let root: String
    let maxBodyBytes: Int

    /// Nil when `directory` does not exist or is not a directory.
    public init?(directory: String, maxBodyBytes: Int) {
        guard let resolved = FileOrigin.realPath(directory), FileOrigin.isDirectory(resolved) else { return nil }
        root = resolved == "/" ? "" : resolved
        self.maxBodyBytes = maxBodyBytes
    }

    public func fetch(path: String, query: String, headers: HTTPHeaders) -> Result<OriginResponse, OriginFailure> {
        let started = monotonicSeconds()
        guard let file = resolve(path) else { return .success(notFound(started)) }
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .success(notFound(started)) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return .success(notFound(started)) }
        let size = Int(info.st_size)
        guard size <= maxBodyBytes else { return .failure(.tooLarge(maxBodyBytes)) }
        var body = [UInt8](repeating: 0, count: size)
        var offset = 0
        while offset < size {
            let n = body.withUnsafeMutableBytes { read(fd, $0.baseAddress! + offset, size - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return .failure(.invalidResponse("file shrank while reading")) }
            offset += n
        }
        var out = HTTPHeaders()
        out.add("Content-Type", FileOrigin.contentType(forPath: file))
        out.add("Last-Modified", httpDate(Int(info.st_mtim.tv_sec)))
        let etag = "\"\(String(Int(info.st_mtim.tv_sec), radix: 16))-\(String(size, radix: 16))\""
        out.add("ETag", etag)
        if let match = headers["If-None-Match"], match.split(separator: ",").contains(where: { $0.trimmingCharacters() == etag || $0.trimmingCharacters() == "*" }) {
            return .success(OriginResponse(status: 304, headers: out, body: [], seconds: monotonicSeconds() - started))
        }
        return .success(OriginResponse(status: 200, headers: out, body: body, seconds: monotonicSeconds() - started))
    }

    private func notFound(_ started: Double) -> OriginResponse {
        var headers = HTTPHeaders()
        headers.add("Content-Type", "text/plain")
        return OriginResponse(status: 404, headers: headers, body: Array("not found\n".utf8), seconds: monotonicSeconds() - started)
    }

    /// The absolute file path for a request path, or nil when it would leave the root or is malformed.
    public func resolve(_ requestPath: String) -> String? {
        guard let decoded = percentDecode(requestPath) else { return nil }
        guard !decoded.contains(0), !decoded.contains(UInt8(ascii: "\\")) else { return nil }
        let text = String(decoding: decoded, as: UTF8.self)
        guard text.utf8.elementsEqual(decoded) else { return nil }   // invalid UTF-8
        var segments: [Substring] = []
        for segment in text.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." || segment == ".." { return nil }
            segments.append(segment)
        }
        guard !segments.isEmpty else { return nil }
        let joined = root + "/" + segments.joined(separator: "/")
        guard let real = FileOrigin.realPath(joined), real.hasPrefix(root + "/") else { return nil }
        return real
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Image types from the format registry; the few other web assets a static directory holds from this table.
    static func contentType(forPath path: String) -> String {
        let ext = RuleMatcher.fileExtension(path)
        if let format = FormatRegistry.format(forExtension: ext) { return format.mimeType }
        return otherContentTypes[ext] ?? "application/octet-stream"
    }

    static let otherContentTypes: [String: String] = [
        "svg": "image/svg+xml", "html": "text/html; charset=utf-8", "htm": "text/html; charset=utf-8",
        "css": "text/css", "js": "text/javascript", "json": "application/json",
        "txt": "text/plain; charset=utf-8", "md": "text/plain; charset=utf-8",
    ]
}

/// Percent-decodes once; nil on a malformed escape.
func percentDecode(_ text: String) -> [UInt8]? {
    var out: [UInt8] = []
    let bytes = Array(text.utf8)
    var i = 0
    while i < bytes.count {
        if bytes[i] == UInt8(ascii: "%") {
            guard i + 2 < bytes.count, let high = hexValue(bytes[i + 1]), let low = hexValue(bytes[i + 2]) else { return nil }
            out.append(high << 4 | low)
            i += 3
        } else {
            out.append(bytes[i])
            i += 1
        }
    }
    return out
}

private func hexValue(_ b: UInt8) -> UInt8? {
    switch b {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
    default: return nil
    }
}

/// IMF-fixdate (RFC 9110 §5.6.7).
func httpDate(_ secondsSinceEpoch: Int) -> String {
    var seconds = secondsSinceEpoch
    var parts = tm()
    gmtime_r(&seconds, &parts)
    let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
    return "\(days[Int(parts.tm_wday) % 7]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon) % 12]) \(parts.tm_year + 1900) "
        + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
}
