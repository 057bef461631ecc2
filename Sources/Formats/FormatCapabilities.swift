import Raster

/// What a format can hold, as data the pipeline reads instead of switching on formats.
public struct FormatCapabilities: Sendable, Equatable {
    /// How an output in this format treats alpha.
    public enum Alpha: Sendable, Equatable {
        /// No alpha channel: translucent pixels are composited on white (JPEG).
        case none
        /// Alpha is written only when some pixel is not opaque; an all-opaque plane would only cost bytes.
        case whenTranslucent
        /// Alpha is written as it comes (the encoder decides how to code it: PNG picks its own colour type).
        case asIs
    }

    /// Which kinds of coding the encoder offers.
    public enum Coding: Sendable, Equatable {
        /// Exact pixels only; a requested quality is ignored (PNG, PNM).
        case losslessOnly
        /// Lossy only, on `quality` (JPEG).
        case lossyOnly
        /// Lossy on `quality`, or exact on request (WebP, AVIF).
        case lossyOrLossless
    }

    public var alpha: Alpha
    public var coding: Coding
    /// The quality scale the encoder takes; a requested 0–100 quality is clamped into it (libjpeg refuses 0).
    public var quality: ClosedRange<Int>
    /// Largest width or height the format can store.
    public var maxSide: Int
    /// 16-bit samples are written as such; otherwise they are rounded to 8 bits first.
    public var sixteenBit: Bool
    /// The decoder can downscale by 2, 4 or 8 while decoding (JPEG's DCT-domain scaling), which the pipeline uses
    /// before resampling the rest.
    public var shrinkOnLoad: Bool
    /// Served to browsers: the server processes such originals (when it can read and write them) and the default
    /// rule covers their extensions. Netpbm is a tool format for the CLI only.
    public var isWebFormat: Bool

    public init(alpha: Alpha, coding: Coding, quality: ClosedRange<Int> = 0...100, maxSide: Int = Int.max,
                sixteenBit: Bool = false, shrinkOnLoad: Bool = false, isWebFormat: Bool = true) {
        self.alpha = alpha; self.coding = coding; self.quality = quality; self.maxSide = maxSide
        self.sixteenBit = sixteenBit; self.shrinkOnLoad = shrinkOnLoad; self.isWebFormat = isWebFormat
    }

    /// A requested 0–100 quality on this format's encoder scale.
    public func encoderQuality(_ requested: Int) -> Int { min(max(requested, quality.lowerBound), quality.upperBound) }

    public var canBeLossless: Bool { coding != .lossyOnly }
    public var isLossy: Bool { coding != .losslessOnly }

    /// Whether a `width`×`height` image fits.
    public func fits(width: Int, height: Int) -> Bool { width <= maxSide && height <= maxSide }
}
