import Raster
import Decoders
import Encoders

// CONTRACT between the pipeline and its callers (CLI `process`, the server). The pipeline issue implements these;
// signatures may gain parameters with defaults, but callers rely on these names and meanings.

/// The Gcore rule fields that shape a transformation (SPEC §4). Query parameters refine them per request.
public struct RuleSettings: Sendable, Equatable {
    public var enabled: Bool = true
    /// Output quality 0...100 (presets: High 95, Medium 80, Low 65; default High).
    public var quality: Int = 95
    /// Convert to WebP / AVIF by default when the client accepts it.
    public var webp: Bool = false
    public var avif: Bool = false
    /// PNG sources become lossless WebP/AVIF.
    public var pngLossless: Bool = false
    public init(enabled: Bool = true, quality: Int = 95, webp: Bool = false, avif: Bool = false, pngLossless: Bool = false) {
        self.enabled = enabled; self.quality = quality; self.webp = webp; self.avif = avif; self.pngLossless = pngLossless
    }
}

/// A request URL's query split into the image parameters (width, height, fit, crop, quality, fmt) and the rest,
/// which goes to the origin unchanged (SPEC §2).
public struct SplitQuery: Sendable, Equatable {
    /// Image parameters as they appeared (decoded key, raw value), in order.
    public var imageParameters: [(key: String, value: String)]
    /// The other parameters, re-joined in their original encoding and order ("" when none).
    public var originQuery: String
    /// Canonical form of the image parameters for cache keys (sorted, deduplicated the way the parser resolves them).
    public var normalizedImageParameters: String
    public static func == (a: SplitQuery, b: SplitQuery) -> Bool {
        a.originQuery == b.originQuery && a.normalizedImageParameters == b.normalizedImageParameters
            && a.imageParameters.map { "\($0.key)=\($0.value)" } == b.imageParameters.map { "\($0.key)=\($0.value)" }
    }
}

/// What was done, or why nothing was: everything a response needs.
public struct ProcessingOutcome: Sendable {
    /// The response body: the transformed image, or the original bytes untouched on a skip.
    public var body: [UInt8]
    /// `Content-Type` of `body` ("image/webp", ...; on a skip the sniffed type of the original).
    public var contentType: String
    /// Operations performed, in order, from "resize", "crop", "convert" (X-Img-Operations). Empty on a skip.
    public var operations: [String]
    /// The exact `Img-Skip-Reason` string (SPEC §6) when the original is served; nil when transformed.
    public var skipReason: String?
    /// Milliseconds spent decoding, transforming and encoding (X-Img-Processing-Time).
    public var processingMilliseconds: Double
    /// True when the body could differ by the client's Accept header (→ `Vary: Accept`).
    public var variesByAccept: Bool

    public init(body: [UInt8], contentType: String, operations: [String], skipReason: String?,
                processingMilliseconds: Double, variesByAccept: Bool) {
        self.body = body; self.contentType = contentType; self.operations = operations; self.skipReason = skipReason
        self.processingMilliseconds = processingMilliseconds; self.variesByAccept = variesByAccept
    }
}

public enum ImageProcessor {
    /// Splits a raw (still percent-encoded) query string, without the leading "?".
    public static func splitQuery(_ rawQuery: String) -> SplitQuery {
        SplitQuery(imageParameters: [], originQuery: rawQuery, normalizedImageParameters: "")
    }

    /// The output format the request will get before any pixel is decoded: "avif", "webp" or "original".
    /// Used in cache and coalescing keys.
    public static func negotiatedFormat(query: SplitQuery, accept: String?, rule: RuleSettings) -> String {
        "original"
    }

    /// Runs the whole plan (sniff → header → plan → decode → orient → resize → crop → encode → size check) on
    /// `original`. Never throws: every failure becomes a skip that serves the original.
    public static func process(original: [UInt8], query: SplitQuery, accept: String?, rule: RuleSettings,
                               limits: ImageLimits = .default) -> ProcessingOutcome {
        ProcessingOutcome(body: original, contentType: ContentSniffer.detect(original).mimeType, operations: [],
                          skipReason: "resizing: internal error", processingMilliseconds: 0, variesByAccept: false)
    }
}
