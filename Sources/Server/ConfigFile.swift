import FoundationEssentials
import Formats
import Pipeline
import Raster

/// The JSON configuration file (see docs/server.md). Every field is optional; unknown fields are errors so that a
/// typo does not silently fall back to a default.
extension ServerConfig {
    public static func load(path: String) throws(ConfigError) -> ServerConfig {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path)) else {
            throw ConfigError(field: "(file)", message: "cannot read '\(path)'")
        }
        return try parse(json: data)
    }

    public static func parse(json data: Data) throws(ConfigError) -> ServerConfig {
        let file: ConfigFileModel
        do {
            file = try JSONDecoder().decode(ConfigFileModel.self, from: data)
        } catch let error as ConfigError {
            throw error
        } catch let error as DecodingError {
            throw ConfigError(decoding: error)
        } catch {
            throw ConfigError(field: "(file)", message: "\(error)")
        }
        return try file.apply(to: ServerConfig())
    }
}

extension ConfigError {
    init(decoding error: DecodingError) {
        func path(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            var text = ""
            for key in codingPath + (last.map { [$0] } ?? []) {
                if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
            }
            return text.isEmpty ? "(file)" : text
        }
        switch error {
        case .typeMismatch(let type, let context):
            self.init(field: path(context.codingPath), message: "expected \(Self.describe(type))")
        case .valueNotFound(let type, let context):
            self.init(field: path(context.codingPath), message: "expected \(Self.describe(type)), found null")
        case .keyNotFound(let key, let context):
            self.init(field: path(context.codingPath, key), message: "is required")
        case .dataCorrupted(let context):
            if let underlying = context.underlyingError as? ConfigError { self = underlying; return }
            let detail = context.codingPath.isEmpty ? "not valid JSON: \(context.debugDescription)" : context.debugDescription
            self.init(field: path(context.codingPath), message: detail)
        @unknown default:
            self.init(field: "(file)", message: "\(error)")
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Bool.Type: return "true or false"
        case is Int.Type, is Double.Type: return "a number"
        case is String.Type: return "a string"
        default: return "\(type)".lowercased().contains("array") ? "a list" : "an object"
        }
    }
}

/// Rejects keys a model does not know, naming the first one.
private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

private func rejectUnknownKeys(_ decoder: any Decoder, known: [String]) throws {
    let container = try decoder.container(keyedBy: AnyKey.self)
    for key in container.allKeys where !known.contains(key.stringValue) {
        var path = ""
        for k in decoder.codingPath + [key] {
            if let index = k.intValue { path += "[\(index)]" } else { path += (path.isEmpty ? "" : ".") + k.stringValue }
        }
        throw ConfigError(field: path, message: "unknown field (known: \(known.joined(separator: ", ")))")
    }
}

private func fieldPath(_ decoder: any Decoder, _ key: String) -> String {
    var path = ""
    for k in decoder.codingPath {
        if let index = k.intValue { path += "[\(index)]" } else { path += (path.isEmpty ? "" : ".") + k.stringValue }
    }
    if key.isEmpty { return path.isEmpty ? "(file)" : path }
    return path.isEmpty ? key : path + "." + key
}

/// `quality`: a preset name (High 95, Medium 80, Low 65 — SPEC §2.4) or a number 0–100.
struct QualityValue: Decodable {
    var value: Int
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let field = fieldPath(decoder, "")
        if let number = try? container.decode(Int.self) {
            guard (0...100).contains(number) else { throw ConfigError(field: field, message: "must be 0–100, got \(number)") }
            value = number
        } else if let name = try? container.decode(String.self) {
            switch name.lowercased() {
            case "high": value = 95
            case "medium": value = 80
            case "low": value = 65
            default:
                if let number = Int(name), (0...100).contains(number) { value = number; return }
                throw ConfigError(field: field, message: "must be \"high\", \"medium\", \"low\" or a number 0–100, got \"\(name)\"")
            }
        } else {
            throw ConfigError(field: field, message: "must be \"high\", \"medium\", \"low\" or a number 0–100")
        }
    }
}

/// One rule. Output preference: `formats` (an ordered list of conversion targets) or Gcore's per-format switches
/// (`"webp": true`, `"avif": true`: one boolean per conversion target, named by its id). When both are given,
/// `formats` decides and each switch must agree with it (true ⇔ listed), so a Gcore export can gain an order
/// without contradicting itself.
struct RuleModel: Decodable {
    var path: String?
    var extensions: [String]?
    var enabled: Bool?
    var quality: QualityValue?
    /// Config `formats`, resolved and checked.
    var formats: [ImageFormat]?
    /// Gcore's switches that were given, by format.
    var switches: [ImageFormat: Bool] = [:]
    var pngLossless: Bool?
    var colorProfile: ColorProfilePolicy?

    static let fixedKeys = ["path", "extensions", "enabled", "quality", "formats", "pngLossless", "colorProfile"]
    static var knownKeys: [String] { fixedKeys + FormatRegistry.conversionTargets.map(\.id.rawValue) }

    init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(decoder, known: Self.knownKeys)
        let c = try decoder.container(keyedBy: AnyKey.self)
        func key(_ name: String) -> AnyKey { AnyKey(stringValue: name) }
        path = try c.decodeIfPresent(String.self, forKey: key("path"))
        extensions = try c.decodeIfPresent([String].self, forKey: key("extensions"))
        enabled = try c.decodeIfPresent(Bool.self, forKey: key("enabled"))
        quality = try c.decodeIfPresent(QualityValue.self, forKey: key("quality"))
        pngLossless = try c.decodeIfPresent(Bool.self, forKey: key("pngLossless"))
        if let text = try c.decodeIfPresent(String.self, forKey: key("colorProfile")) {
            guard let policy = ColorProfilePolicy(rawValue: text) else {
                throw ConfigError(field: fieldPath(decoder, "colorProfile"), message: "must be \"srgb\" or \"keep\", got \"\(text)\"")
            }
            colorProfile = policy
        }
        for target in FormatRegistry.conversionTargets {
            if let on = try c.decodeIfPresent(Bool.self, forKey: key(target.id.rawValue)) { switches[target] = on }
        }
        if let names = try c.decodeIfPresent([String].self, forKey: key("formats")) {
            let known = FormatRegistry.conversionTargets.map(\.id.rawValue).joined(separator: ", ")
            var list: [ImageFormat] = []
            for (i, name) in names.enumerated() {
                guard let format = FormatRegistry.conversionTarget(named: name) else {
                    throw ConfigError(field: fieldPath(decoder, "formats[\(i)]"),
                                      message: "is not an output format: \"\(name)\" (known: \(known))")
                }
                guard !list.contains(format) else {
                    throw ConfigError(field: fieldPath(decoder, "formats[\(i)]"), message: "\"\(name)\" is listed twice")
                }
                list.append(format)
            }
            for (format, on) in switches.sorted(by: { $0.key.id.rawValue < $1.key.id.rawValue })
            where on != list.contains(format) {
                throw ConfigError(field: fieldPath(decoder, format.id.rawValue),
                                  message: "\(on) contradicts formats \(names) (formats decides; drop the switch or make it agree)")
            }
            formats = list
        }
        if let path, !path.hasPrefix("/") && path != "*" && path != "**" {
            throw ConfigError(field: fieldPath(decoder, "path"), message: "must start with '/', got \"\(path)\"")
        }
        for (i, ext) in (extensions ?? []).enumerated() where ext.isEmpty || ext.contains("/") {
            throw ConfigError(field: fieldPath(decoder, "extensions[\(i)]"), message: "is not a file extension: \"\(ext)\"")
        }
    }

    /// `formats` when given, else the switches that are on.
    var preference: FormatPreference {
        formats.map(FormatPreference.init) ?? .switches(Set(switches.filter(\.value).keys))
    }

    var rule: Rule {
        var settings = RuleSettings()
        settings.enabled = enabled ?? true
        settings.quality = quality?.value ?? 95
        settings.formats = preference
        settings.pngLossless = pngLossless ?? false
        settings.colorProfile = colorProfile ?? .srgb
        let cleaned = (extensions ?? []).map { $0.hasPrefix(".") ? String($0.dropFirst()) : $0 }
        return Rule(pathPattern: path ?? "/**", extensions: cleaned, settings: settings)
    }
}

struct LimitsModel: Decodable {
    var maxPixels: Int?, maxSide: Int?, maxSourceBytes: Int?, maxConnections: Int?
    var maxRequestLineBytes: Int?, maxHeaderBytes: Int?, maxRequestBodyBytes: Int?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case maxPixels, maxSide, maxSourceBytes, maxConnections, maxRequestLineBytes, maxHeaderBytes, maxRequestBodyBytes
    }

    init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(decoder, known: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func positive(_ key: CodingKeys) throws -> Int? {
            guard let v = try c.decodeIfPresent(Int.self, forKey: key) else { return nil }
            guard v > 0 else { throw ConfigError(field: fieldPath(decoder, key.rawValue), message: "must be > 0, got \(v)") }
            return v
        }
        maxPixels = try positive(.maxPixels); maxSide = try positive(.maxSide)
        maxSourceBytes = try positive(.maxSourceBytes); maxConnections = try positive(.maxConnections)
        maxRequestLineBytes = try positive(.maxRequestLineBytes); maxHeaderBytes = try positive(.maxHeaderBytes)
        maxRequestBodyBytes = try c.decodeIfPresent(Int.self, forKey: .maxRequestBodyBytes)
        if let v = maxRequestBodyBytes, v < 0 {
            throw ConfigError(field: fieldPath(decoder, "maxRequestBodyBytes"), message: "must be ≥ 0, got \(v)")
        }
    }
}

struct TimeoutsModel: Decodable {
    var originConnectMs: Int?, originReadMs: Int?, clientHeaderMs: Int?, keepAliveMs: Int?, clientWriteMs: Int?
    var processingMs: Int?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case originConnectMs, originReadMs, clientHeaderMs, keepAliveMs, clientWriteMs, processingMs
    }

    init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(decoder, known: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func positive(_ key: CodingKeys) throws -> Int? {
            guard let v = try c.decodeIfPresent(Int.self, forKey: key) else { return nil }
            guard v > 0 else { throw ConfigError(field: fieldPath(decoder, key.rawValue), message: "must be > 0 ms, got \(v)") }
            return v
        }
        originConnectMs = try positive(.originConnectMs); originReadMs = try positive(.originReadMs)
        clientHeaderMs = try positive(.clientHeaderMs); keepAliveMs = try positive(.keepAliveMs)
        clientWriteMs = try positive(.clientWriteMs); processingMs = try positive(.processingMs)
    }
}

struct ConfigFileModel: Decodable {
    var origin: String?
    var serverName: String?
    var listen: String?
    var limits: LimitsModel?
    var timeouts: TimeoutsModel?
    var cacheBytes: Int?
    var cacheTTLSeconds: Int?
    var workers: Int?
    var queueSize: Int?
    var handlerThreads: Int?
    var accessLog: Bool?
    var rules: [RuleModel]?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case origin, serverName, listen, limits, timeouts, cacheBytes, cacheTTLSeconds, workers, queueSize, handlerThreads
        case accessLog, rules
    }

    init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(decoder, known: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        origin = try c.decodeIfPresent(String.self, forKey: .origin)
        serverName = try c.decodeIfPresent(String.self, forKey: .serverName)
        listen = try c.decodeIfPresent(String.self, forKey: .listen)
        limits = try c.decodeIfPresent(LimitsModel.self, forKey: .limits)
        timeouts = try c.decodeIfPresent(TimeoutsModel.self, forKey: .timeouts)
        cacheBytes = try c.decodeIfPresent(Int.self, forKey: .cacheBytes)
        cacheTTLSeconds = try c.decodeIfPresent(Int.self, forKey: .cacheTTLSeconds)
        workers = try c.decodeIfPresent(Int.self, forKey: .workers)
        queueSize = try c.decodeIfPresent(Int.self, forKey: .queueSize)
        handlerThreads = try c.decodeIfPresent(Int.self, forKey: .handlerThreads)
        accessLog = try c.decodeIfPresent(Bool.self, forKey: .accessLog)
        rules = try c.decodeIfPresent([RuleModel].self, forKey: .rules)
    }

    func apply(to base: ServerConfig) throws(ConfigError) -> ServerConfig {
        var config = base
        if let origin {
            switch OriginLocation.parse(origin) {
            case .success(let location): config.origin = location
            case .failure(let error): throw error
            }
        }
        if let serverName {
            guard !serverName.isEmpty, serverName.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
                throw ConfigError(field: "serverName", message: "must be non-empty printable ASCII")
            }
            config.serverName = serverName
        }
        if let listen {
            guard let parsed = ServerConfig.parseListen(listen) else {
                throw ConfigError(field: "listen", message: "must be HOST:PORT, got \"\(listen)\"")
            }
            config.listenHost = parsed.host; config.listenPort = parsed.port
        }
        if let limits {
            if let v = limits.maxPixels { config.imageLimits.maxPixels = v }
            if let v = limits.maxSide { config.imageLimits.maxSide = v }
            if let v = limits.maxSourceBytes { config.imageLimits.maxSourceBytes = v; config.maxOriginBodyBytes = v }
            if let v = limits.maxConnections { config.maxConnections = v }
            if let v = limits.maxRequestLineBytes { config.requestLimits.maxRequestLineBytes = v }
            if let v = limits.maxHeaderBytes { config.requestLimits.maxHeaderBytes = v }
            if let v = limits.maxRequestBodyBytes { config.requestLimits.maxBodyBytes = v }
        }
        if let timeouts {
            if let v = timeouts.originConnectMs { config.originConnectTimeout = Double(v) / 1000 }
            if let v = timeouts.originReadMs { config.originReadTimeout = Double(v) / 1000 }
            if let v = timeouts.clientHeaderMs { config.clientHeaderTimeout = Double(v) / 1000 }
            if let v = timeouts.keepAliveMs { config.keepAliveTimeout = Double(v) / 1000 }
            if let v = timeouts.clientWriteMs { config.clientWriteTimeout = Double(v) / 1000 }
            if let v = timeouts.processingMs { config.processingTimeout = Double(v) / 1000 }
        }
        func nonNegative(_ value: Int?, _ field: String) throws(ConfigError) -> Int? {
            guard let value else { return nil }
            guard value >= 0 else { throw ConfigError(field: field, message: "must be ≥ 0, got \(value)") }
            return value
        }
        if let v = try nonNegative(cacheBytes, "cacheBytes") { config.cacheBytes = v }
        if let v = try nonNegative(cacheTTLSeconds, "cacheTTLSeconds") { config.cacheTTLSeconds = Double(v) }
        if let v = try nonNegative(workers, "workers") { config.workers = v }
        if let v = try nonNegative(queueSize, "queueSize") { config.queueSize = v }
        if let v = handlerThreads {
            guard (1...4096).contains(v) else { throw ConfigError(field: "handlerThreads", message: "must be 1–4096, got \(v)") }
            config.handlerThreads = v
        }
        if let accessLog { config.accessLog = accessLog }
        if let rules { config.rules = rules.map(\.rule) }
        return config
    }
}
