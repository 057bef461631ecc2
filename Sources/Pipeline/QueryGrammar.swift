import Formats

/// The Gcore query grammar (SPEC §2): `width`, `height`, `fit`, `crop`, `quality`, `fmt` parsed into a validated
/// `ImageRequest`, or the exact skip reason of the first malformed value.
///
/// Deliberate choices (documented in docs/pipeline.md):
/// - Keys are case-sensitive and percent-decoded (`%77idth` is `width`; `Width` is an origin parameter).
/// - A repeated key: the FIRST occurrence counts (as Go's `url.Values.Get`), later ones are ignored.
/// - Numbers are ASCII digits only: no sign, no spaces, no decimals, no exponent. Leading zeros are fine.
///   A run of digits too long for any image saturates at `hugeNumber`, so `width=99999999999999999999` is a valid
///   but impossible size ("more than the original image size") rather than a parse error.
/// - An empty value (`width=` or a bare `width`) is malformed for every key.
/// - Values are checked in operation order (resize, crop, then compression): the first error wins.
public enum FitMode: String, Sendable, Equatable {
    case fit, bounds, cover, force
}

/// Where a positioned crop sits on one axis (SPEC §2.2).
public enum CropPosition: Sendable, Equatable {
    /// `xN` / `yN`: top-left offset in pixels.
    case pixels(Int)
    /// `xNp` / `yNp`: top-left offset in percent (0–100) of the resized image's side.
    case percent(Int)
    /// `offset-xN` / `offset-yN`: percent (0–100) of the left-over space that goes before the area (50 = centred).
    case offset(Int)

    var isPixels: Bool { if case .pixels = self { return true }; return false }
}

public enum CropRequest: Sendable, Equatable {
    /// `A:B`: the largest centred area with that aspect ratio.
    case aspect(Int, Int)
    /// `W,H`: a W×H area from the centre.
    case centred(width: Int, height: Int)
    /// `W,H,X,Y`.
    case positioned(width: Int, height: Int, x: CropPosition, y: CropPosition)
}

/// A syntactically valid request. Whether it fits the image is decided by `Plan` once the header is known.
public struct ImageRequest: Sendable, Equatable {
    public var width: Int?
    public var height: Int?
    public var fit: FitMode = .fit
    public var crop: CropRequest?
    public var quality: Int?
    /// Conversion targets asked by `fmt`, deduplicated, in the registry's order (the rule ranks them: SPEC §2.4).
    public var formats: [ImageFormat] = []
    public init() {}
}

public enum QueryGrammar {
    /// The keys the pipeline consumes; every other key goes to the origin.
    public static let imageKeys: Set<String> = ["width", "height", "fit", "crop", "quality", "fmt"]
    /// Saturation value for digit runs: larger than any side or percentage we could be asked about.
    static let hugeNumber = 1 << 40

    /// Parses (decoded key, raw value) pairs; keys other than `imageKeys` are ignored.
    public static func parse(_ parameters: [(key: String, value: String)]) -> Result<ImageRequest, SkipReason> {
        let values = firstValues(parameters)
        var request = ImageRequest()
        do {
            if let raw = values["width"] { request.width = try positive(raw, else: .badWidth) }
            if let raw = values["height"] { request.height = try positive(raw, else: .badHeight) }
            if let raw = values["fit"] {
                guard let fit = FitMode(rawValue: raw) else { throw SkipReason.badFit }
                request.fit = fit
            }
            if let raw = values["crop"] { request.crop = try parseCrop(raw) }
            if let raw = values["quality"] {
                guard let q = number(Substring(raw)), q <= 100 else { throw SkipReason.badQuality }
                request.quality = q
            }
            if let raw = values["fmt"] { request.formats = try parseFormats(raw) }
        } catch let reason as SkipReason {
            return .failure(reason)
        } catch {
            return .failure(.resizeInternal)
        }
        return .success(request)
    }

    /// The first value of each image key, percent-decoded.
    static func firstValues(_ parameters: [(key: String, value: String)]) -> [String: String] {
        var values: [String: String] = [:]
        for (key, value) in parameters where imageKeys.contains(key) && values[key] == nil {
            values[key] = QueryString.percentDecode(Substring(value))
        }
        return values
    }

    /// ASCII digits only, saturating at `hugeNumber`; nil for anything else (empty, signs, spaces, decimals).
    static func number(_ s: Substring) -> Int? {
        guard !s.isEmpty else { return nil }
        var value = 0
        for c in s.utf8 {
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
            value = min(hugeNumber, value * 10 + Int(c - UInt8(ascii: "0")))
        }
        return value
    }

    private static func positive(_ raw: String, else reason: SkipReason) throws -> Int {
        guard let v = number(Substring(raw)), v >= 1 else { throw reason }
        return v
    }

    /// `fmt`: comma-separated conversion targets by name (`webp`, `avif`), any order, any case.
    static func parseFormats(_ raw: String) throws -> [ImageFormat] {
        var asked: Set<ImageFormat> = []
        for item in raw.split(separator: ",", omittingEmptySubsequences: false) {
            guard let format = FormatRegistry.conversionTarget(named: item) else { throw SkipReason.unsupportedFmt }
            asked.insert(format)
        }
        return FormatRegistry.conversionTargets.filter { asked.contains($0) }
    }

    /// `A:B`, `W,H` or `W,H,X,Y`. A value matching none of the three shapes is a bad ratio (the first form).
    static func parseCrop(_ raw: String) throws -> CropRequest {
        if raw.contains(":") {
            let parts = raw.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let a = number(parts[0]), let b = number(parts[1]), a >= 1, b >= 1 else {
                throw SkipReason.badRatio
            }
            return .aspect(a, b)
        }
        let parts = raw.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts.count <= 4 else { throw SkipReason.badRatio }
        guard let w = number(parts[0]), w >= 1 else { throw SkipReason.badCropWidth }
        guard let h = number(parts[1]), h >= 1 else { throw SkipReason.badCropHeight }
        if parts.count == 2 { return .centred(width: w, height: h) }
        guard parts.count == 4 else { throw SkipReason.positionMissing }
        let first = try parsePosition(parts[2])
        let second = try parsePosition(parts[3])
        // The two positions are recognised by their prefix, so `y10,x20` works too; both on one axis is an error.
        guard first.axis != second.axis else {
            throw first.position.isPixels != second.position.isPixels ? SkipReason.pixelsAndPercent : SkipReason.positionMissing
        }
        let (x, y) = first.axis == "x" ? (first.position, second.position) : (second.position, first.position)
        return .positioned(width: w, height: h, x: x, y: y)
    }

    static func parsePosition(_ s: Substring) throws -> (axis: Character, position: CropPosition) {
        for axis in ["x", "y"] as [Character] {
            let offsetPrefix = "offset-\(axis)"
            if s.hasPrefix(offsetPrefix) {
                guard let v = number(s.dropFirst(offsetPrefix.count)) else { throw SkipReason.badOffset }
                guard v <= 100 else { throw SkipReason.offsetOver100 }
                return (axis, .offset(v))
            }
        }
        if s.hasPrefix("offset-") { throw SkipReason.badOffset }
        guard let axis = s.first, axis == "x" || axis == "y" else { throw SkipReason.positionMissing }
        let rest = s.dropFirst()
        if rest.hasSuffix("p") {
            guard let v = number(rest.dropLast()) else { throw SkipReason.badPercent }
            guard v <= 100 else { throw SkipReason.percentOver100 }
            return (axis, .percent(v))
        }
        guard let v = number(rest) else { throw SkipReason.badPixels }
        return (axis, .pixels(v))
    }

    /// Canonical text of a parsed request, for cache keys: keys sorted, values as the parser resolved them.
    static func normalized(_ r: ImageRequest) -> String {
        var items: [String] = []
        if let c = r.crop {
            switch c {
            case let .aspect(a, b): items.append("crop=\(a):\(b)")
            case let .centred(w, h): items.append("crop=\(w),\(h)")
            case let .positioned(w, h, x, y):
                func text(_ p: CropPosition, _ axis: String) -> String {
                    switch p {
                    case let .pixels(v): return "\(axis)\(v)"
                    case let .percent(v): return "\(axis)\(v)p"
                    case let .offset(v): return "offset-\(axis)\(v)"
                    }
                }
                items.append("crop=\(w),\(h),\(text(x, "x")),\(text(y, "y"))")
            }
        }
        if r.width != nil && r.height != nil { items.append("fit=\(r.fit.rawValue)") }
        if !r.formats.isEmpty { items.append("fmt=" + r.formats.map(\.id.rawValue).joined(separator: ",")) }
        if let h = r.height { items.append("height=\(h)") }
        if let q = r.quality { items.append("quality=\(q)") }
        if let w = r.width { items.append("width=\(w)") }
        return items.joined(separator: "&")
    }
}
