import Encoders

/// What an encode is asked, in terms common to every format. Each format's entry maps these onto its encoder's
/// options and ignores what does not apply; nil means the encoder's own default.
public struct EncodeSettings: Sendable, Equatable {
    /// 0–100 (clamped into the format's `capabilities.quality`).
    public var quality: Int?
    /// Exact pixels, for formats that offer a lossless mode.
    public var lossless: Bool
    /// Compression effort: PNG's deflate level 0–9, WebP's method 0–6.
    public var effort: Int?
    /// AVIF's speed 0 (slowest) – 10.
    public var speed: Int?
    public var subsampling: ChromaSubsampling?
    /// JPEG progressive scans.
    public var progressive: Bool
    /// AVIF's alpha plane quality; nil codes alpha losslessly.
    public var alphaQuality: Int?

    public init(quality: Int? = nil, lossless: Bool = false, effort: Int? = nil, speed: Int? = nil,
                subsampling: ChromaSubsampling? = nil, progressive: Bool = false, alphaQuality: Int? = nil) {
        self.quality = quality; self.lossless = lossless; self.effort = effort; self.speed = speed
        self.subsampling = subsampling; self.progressive = progressive; self.alphaQuality = alphaQuality
    }
}
