import Raster

/// The formats the pipeline can answer with: the two inputs (kept when no conversion is granted) and the two
/// conversion targets a client must accept explicitly.
public enum OutputFormat: String, Sendable, Equatable, CaseIterable {
    case jpeg, png, webp, avif

    public var mimeType: String { "image/" + rawValue }

    /// WebP's VP8/VP8L headers hold 14-bit dimensions (WebP container spec, "Simple File Format"): 16383 px per side.
    public var maxSide: Int { self == .webp ? 16383 : Int.max }

    init?(source: SourceFormat) {
        switch source {
        case .jpeg: self = .jpeg
        case .png: self = .png
        default: return nil
        }
    }
}
