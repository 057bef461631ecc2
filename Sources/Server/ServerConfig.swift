#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import Formats
import Pipeline
import Raster

/// Where originals come from: an `http://` base URL or a local directory (SPEC §4).
public enum OriginLocation: Sendable, Equatable {
    case http(host: String, port: Int, basePath: String)
    case directory(String)

    /// Parses "http://host[:port][/base]" or a directory path. Returns nil with `why` set when invalid.
    public static func parse(_ text: String) -> Result<OriginLocation, ConfigError> {
        if text.hasPrefix("https://") {
            return .failure(ConfigError(field: "origin", message: "https:// origins are not supported; use http:// (TLS is the CDN's job)"))
        }
        if text.hasPrefix("http://") {
            var rest = Substring(text.dropFirst("http://".count))
            var basePath = ""
            if let slash = rest.firstIndex(of: "/") {
                basePath = String(rest[slash...])
                rest = rest[..<slash]
            }
            while basePath.hasSuffix("/") { basePath.removeLast() }
            guard !rest.isEmpty, !rest.contains("@") else {
                return .failure(ConfigError(field: "origin", message: "'\(text)' has no host"))
            }
            var host = String(rest), port = 80
            if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
                host = String(rest[..<colon])
                guard let p = Int(rest[rest.index(after: colon)...]), (1...65535).contains(p) else {
                    return .failure(ConfigError(field: "origin", message: "'\(text)' has an invalid port"))
                }
                port = p
            }
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else { return .failure(ConfigError(field: "origin", message: "'\(text)' has no host")) }
            return .success(.http(host: host, port: port, basePath: basePath))
        }
        if text.contains("://") {
            return .failure(ConfigError(field: "origin", message: "'\(text)': only http:// URLs or directories are supported"))
        }
        guard !text.isEmpty else { return .failure(ConfigError(field: "origin", message: "is empty")) }
        return .success(.directory(text))
    }
}

/// A configuration problem, naming the field (e.g. "rules[1].quality").
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var field: String
    public var message: String
    public var description: String { "config field '\(field)': \(message)" }
}

/// One ordered rule (SPEC §4): the first enabled rule whose path pattern and extensions match applies.
public struct Rule: Sendable, Equatable {
    /// Glob over the decoded path: `*` matches within one segment, `**` across segments, `?` one character.
    public var pathPattern: String
    /// Lower-case extensions without the dot; empty = any.
    public var extensions: [String]
    public var settings: RuleSettings
    public init(pathPattern: String, extensions: [String] = [], settings: RuleSettings = RuleSettings()) {
        self.pathPattern = pathPattern; self.extensions = extensions.map { $0.lowercased() }; self.settings = settings
    }
}

/// Everything `imagestack serve` can be told (SPEC §3–§5). Defaults are what `serve` uses without a file.
public struct ServerConfig: Sendable {
    public var origin: OriginLocation = .directory("samples")
    public var serverName: String = ServerConfig.hostName()
    public var listenHost: String = "127.0.0.1"
    public var listenPort: Int = 8080
    public var imageLimits: ImageLimits = .default
    public var requestLimits: HTTPRequestParser.Limits = .default
    public var maxConnections: Int = 1024
    public var maxOriginBodyBytes: Int = ImageLimits.default.maxSourceBytes
    public var cacheBytes: Int = 256 << 20
    public var cacheTTLSeconds: Double = 300
    /// CPU workers; 0 = one per core.
    public var workers: Int = 0
    /// Image jobs allowed to wait for a worker before requests get `compression: rate limit is exceeded`.
    public var queueSize: Int = 64
    /// Threads that handle parsed requests (origin I/O, waiting for a worker, writing the response).
    public var handlerThreads: Int = 64
    public var originConnectTimeout: Double = 3
    public var originReadTimeout: Double = 15
    /// A request must arrive whole within this time of its first byte (slowloris defence).
    public var clientHeaderTimeout: Double = 10
    /// An idle keep-alive connection is closed after this long.
    public var keepAliveTimeout: Double = 30
    public var clientWriteTimeout: Double = 30
    /// An image job (queue wait included) still running this long after it was submitted is cancelled and the
    /// original is served with `compression: processing time limit exceeded` (SPEC §5). CDNs give up on an origin
    /// after a few seconds to a minute; 20 s leaves room for a 50 MP AVIF encode on two cores.
    public var processingTimeout: Double = 20
    public var accessLog: Bool = true
    /// Without a configuration file: every path whose extension is one of a format the server transforms
    /// (`FormatRegistry.defaultRuleExtensions`: jpg, jpeg, png, and webp once WebP can be read), default settings.
    public var rules: [Rule] = [Rule(pathPattern: "/**", extensions: FormatRegistry.defaultRuleExtensions)]

    public init() {}

    public var workerCount: Int { workers > 0 ? workers : Job.machineCores }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "imagestack" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "imagestack" : name
    }

    /// Parses "HOST:PORT", ":PORT" or "PORT".
    public static func parseListen(_ text: String) -> (host: String, port: Int)? {
        var host = "127.0.0.1", portText = Substring(text)
        if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
            if host.isEmpty { host = "0.0.0.0" }
        }
        guard let port = Int(portText), (0...65535).contains(port) else { return nil }
        return (host, port)
    }
}
