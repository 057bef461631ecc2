import Raster
import Decoders

/// One image format as the rest of ImageStack sees it: its names, how to recognise it, what it can hold, and the
/// codec entry points. One descriptor per format, each in its own file (`JPEGFormat.swift`, ...); `FormatRegistry`
/// lists them. The pipeline, the server and the CLI ask descriptors instead of switching on formats, so a format
/// gains a decoder (or an encoder) by filling in its hook here and nowhere else.
///
/// Two descriptors are the same format when their ids are equal.
public struct ImageFormat: Sendable, Hashable, CustomStringConvertible {
    public typealias Signature = @Sendable (_ bytes: [UInt8]) -> Bool
    public typealias HeaderReader = @Sendable (_ bytes: [UInt8], _ limits: ImageLimits) throws -> ImageHeader
    public typealias PixelDecoder = @Sendable (_ bytes: [UInt8], _ options: DecodeOptions) throws -> Raster
    public typealias PixelEncoder = @Sendable (_ raster: Raster, _ settings: EncodeSettings) throws -> [UInt8]
    public typealias AnimationCheck = @Sendable (_ bytes: [UInt8]) -> Bool
    public typealias QualityEstimate = @Sendable (_ metadata: ImageMetadata) -> Int?
    public typealias HeaderDetails = @Sendable (_ metadata: ImageMetadata) -> [(name: String, value: HeaderDetail)]

    public let id: FormatID
    /// The `Content-Type` of this format's files (also named in "detected content type … is not supported").
    public let mimeType: String
    /// The exact `Accept` media range that lets the server convert to this format (SPEC §2.4: `image/*` never
    /// does); nil for formats a client does not negotiate (an output in such a format is the source's own format).
    public let acceptToken: String?
    /// File extensions, lower case, without the dot; the first is the usual one.
    public let extensions: [String]
    public let capabilities: FormatCapabilities
    let signature: Signature
    let headerReader: HeaderReader?
    let decoder: PixelDecoder?
    let encoder: PixelEncoder?
    let animationCheck: AnimationCheck?
    let qualityEstimate: QualityEstimate?
    let headerDetails: HeaderDetails?

    /// - Parameters:
    ///   - signature: true when `bytes` start like a file of this format (magic bytes, SPEC §1).
    ///   - readHeader, decode: the decoder's entry points; nil while the format cannot be read. Both or neither.
    ///   - encode: the encoder's entry point; nil when the format cannot be written.
    ///   - isAnimated: true for a file with more than one frame, which is never processed (SPEC §1).
    ///   - estimateQuality: the encoder quality the source was written at, when the format's headers tell it.
    ///   - details: format-specific header facts for `imagestack info`.
    public init(id: FormatID, mimeType: String, acceptToken: String? = nil, extensions: [String],
                capabilities: FormatCapabilities, signature: @escaping Signature,
                readHeader: HeaderReader? = nil, decode: PixelDecoder? = nil, encode: PixelEncoder? = nil,
                isAnimated: AnimationCheck? = nil, estimateQuality: QualityEstimate? = nil,
                details: HeaderDetails? = nil) {
        precondition((readHeader == nil) == (decode == nil), "\(id): a decoder needs both readHeader and decode")
        self.id = id; self.mimeType = mimeType; self.acceptToken = acceptToken; self.extensions = extensions
        self.capabilities = capabilities; self.signature = signature
        self.headerReader = readHeader; self.decoder = decode; self.encoder = encode
        self.animationCheck = isAnimated; self.qualityEstimate = estimateQuality; self.headerDetails = details
    }

    public static func == (a: ImageFormat, b: ImageFormat) -> Bool { a.id == b.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
    public var description: String { id.rawValue }

    public var canDecode: Bool { decoder != nil }
    public var canEncode: Bool { encoder != nil }
    /// A target the server converts to when the client's `Accept` lists it and the rule or the query asks.
    public var isConversionTarget: Bool { acceptToken != nil && canEncode }
    /// An origin image the server transforms: a web format it can read and write back in its own format (the
    /// output when no conversion is granted).
    public var isProcessedFromOrigin: Bool { capabilities.isWebFormat && canDecode && canEncode }

    public func matches(_ bytes: [UInt8]) -> Bool { signature(bytes) }

    /// True for a file with several frames (SPEC §1: never processed, a still frame would break it).
    public func isAnimated(_ bytes: [UInt8]) -> Bool { animationCheck?(bytes) ?? false }

    /// The header, limits checked, without decoding pixels. `source.format` is this format's id.
    public func readHeader(_ bytes: [UInt8], limits: ImageLimits = .default) throws -> ImageHeader {
        guard let headerReader else { throw notReadable }
        try limits.checkSourceSize(bytes.count, codec: "decoder")
        var header = try headerReader(bytes, limits)
        header.metadata.source.format = id
        return header
    }

    public func decode(_ bytes: [UInt8], options: DecodeOptions = DecodeOptions()) throws -> Raster {
        guard let decoder else { throw notReadable }
        try options.limits.checkSourceSize(bytes.count, codec: "decoder")
        var raster = try decoder(bytes, options)
        raster.metadata.source.format = id
        return raster
    }

    public func encode(_ raster: Raster, settings: EncodeSettings = EncodeSettings()) throws -> [UInt8] {
        guard let encoder else {
            throw CodecError(codec: "encoder", kind: .unsupported, message: "\(id) cannot be written")
        }
        return try encoder(raster, settings)
    }

    /// The quality the source was encoded at, when its headers say (JPEG: from its quantization tables).
    public func estimatedQuality(_ metadata: ImageMetadata) -> Int? { qualityEstimate?(metadata) }
    public var estimatesQuality: Bool { qualityEstimate != nil }

    /// Format-specific facts from the header for `imagestack info` (JPEG subsampling, PNG colour type...).
    public func details(_ metadata: ImageMetadata) -> [(name: String, value: HeaderDetail)] {
        headerDetails?(metadata) ?? []
    }

    private var notReadable: CodecError {
        CodecError(codec: "decoder", kind: .unsupported, message: "content type \(mimeType) is not a supported input")
    }
}

/// What a format's decoder is asked besides the bytes.
public struct DecodeOptions: Sendable, Equatable {
    public var limits: ImageLimits
    /// 1, 2, 4 or 8: a downscale done while decoding, for formats with `capabilities.shrinkOnLoad` (JPEG's
    /// DCT-domain scaling); the others ignore it.
    public var scaleDenominator: Int
    /// CMYK files come out as their four CMYK samples (`metadata.cmyk`) for the colour stage to convert through
    /// their profile, instead of RGB reduced naively (JPEG; formats without CMYK ignore it).
    public var keepCMYK: Bool
    public init(limits: ImageLimits = .default, scaleDenominator: Int = 1, keepCMYK: Bool = false) {
        self.limits = limits; self.scaleDenominator = scaleDenominator; self.keepCMYK = keepCMYK
    }
}

/// One format-specific header fact, typed so the CLI can print it as JSON.
public enum HeaderDetail: Sendable, Equatable {
    case text(String?)
    case integer(Int?)
    case flag(Bool)
    case real(Double?)
}
