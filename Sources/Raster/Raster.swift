/// The one pixel buffer of the project: every decoder produces it, every transform and encoder consumes it.
///
/// Samples are interleaved, rows are contiguous with no padding (`rowStride == width * channels`), top row first.
/// 8-bit images keep their samples in `samples8`; 16-bit images in `samples16` (native-endian values 0...65535).
/// Exactly one of the two arrays is non-empty.
public struct Raster: Sendable, Equatable {
    public private(set) var width: Int
    public private(set) var height: Int
    public private(set) var layout: ChannelLayout
    public private(set) var bitDepth: BitDepth
    /// True when colour samples have been multiplied by alpha (only the resampler produces such rasters).
    public var isPremultiplied: Bool
    public var samples8: [UInt8]
    public var samples16: [UInt16]
    /// What the decoder found besides pixels: ICC profile, orientation, gamma, source format facts.
    public var metadata: ImageMetadata

    /// Allocates a zeroed raster after checking `limits`; throws `CodecError.limit` instead of allocating too much.
    public init(width: Int, height: Int, layout: ChannelLayout, bitDepth: BitDepth = .eight,
                limits: ImageLimits = .default, metadata: ImageMetadata = ImageMetadata()) throws {
        try limits.checkDimensions(width: width, height: height, codec: "raster")
        self.width = width
        self.height = height
        self.layout = layout
        self.bitDepth = bitDepth
        self.isPremultiplied = false
        self.metadata = metadata
        let count = width * height * layout.channels
        self.samples8 = bitDepth == .eight ? [UInt8](repeating: 0, count: count) : []
        self.samples16 = bitDepth == .sixteen ? [UInt16](repeating: 0, count: count) : []
    }

    /// Wraps existing 8-bit samples; the count must equal `width * height * layout.channels`.
    public init(width: Int, height: Int, layout: ChannelLayout, samples8: [UInt8],
                metadata: ImageMetadata = ImageMetadata()) throws {
        guard width > 0, height > 0, samples8.count == width * height * layout.channels else {
            throw CodecError(codec: "raster", kind: .malformed,
                             message: "sample count \(samples8.count) does not match \(width)x\(height)x\(layout.channels)")
        }
        self.width = width; self.height = height; self.layout = layout; self.bitDepth = .eight
        self.isPremultiplied = false; self.metadata = metadata
        self.samples8 = samples8; self.samples16 = []
    }

    /// Wraps existing 16-bit samples; the count must equal `width * height * layout.channels`.
    public init(width: Int, height: Int, layout: ChannelLayout, samples16: [UInt16],
                metadata: ImageMetadata = ImageMetadata()) throws {
        guard width > 0, height > 0, samples16.count == width * height * layout.channels else {
            throw CodecError(codec: "raster", kind: .malformed,
                             message: "sample count \(samples16.count) does not match \(width)x\(height)x\(layout.channels)")
        }
        self.width = width; self.height = height; self.layout = layout; self.bitDepth = .sixteen
        self.isPremultiplied = false; self.metadata = metadata
        self.samples8 = []; self.samples16 = samples16
    }

    public var channels: Int { layout.channels }
    /// Samples (not bytes) per row.
    public var rowStride: Int { width * layout.channels }
    public var sampleCount: Int { width * height * layout.channels }

    /// The same pixels at 8 bits (16-bit samples rounded: v * 255 / 65535, to nearest).
    public func to8Bit() -> Raster {
        if bitDepth == .eight { return self }
        var out = self
        out.bitDepth = .eight
        out.samples8 = samples16.map { UInt8((UInt32($0) * 255 + 32767) / 65535) }
        out.samples16 = []
        return out
    }

    /// The same pixels at 16 bits (8-bit samples replicated: v * 257).
    public func to16Bit() -> Raster {
        if bitDepth == .sixteen { return self }
        var out = self
        out.bitDepth = .sixteen
        out.samples16 = samples8.map { UInt16($0) &* 257 }
        out.samples8 = []
        return out
    }

    /// Replaces the shape of the raster; used by transforms that build a new image of another size or layout.
    public mutating func reshape(width: Int, height: Int, layout: ChannelLayout, bitDepth: BitDepth,
                                 samples8: [UInt8] = [], samples16: [UInt16] = []) {
        self.width = width; self.height = height; self.layout = layout; self.bitDepth = bitDepth
        self.samples8 = samples8; self.samples16 = samples16
    }
}

/// How samples are interleaved in a pixel.
public enum ChannelLayout: Int, Sendable, Equatable, CaseIterable {
    case gray = 1
    case grayAlpha = 2
    case rgb = 3
    case rgba = 4

    public var channels: Int { rawValue }
    public var hasAlpha: Bool { self == .grayAlpha || self == .rgba }
    public var isColor: Bool { self == .rgb || self == .rgba }
    public var withAlpha: ChannelLayout { isColor ? .rgba : .grayAlpha }
    public var withoutAlpha: ChannelLayout { isColor ? .rgb : .gray }
}

public enum BitDepth: Int, Sendable, Equatable {
    case eight = 8
    case sixteen = 16
    public var maxValue: Int { self == .eight ? 255 : 65535 }
}
