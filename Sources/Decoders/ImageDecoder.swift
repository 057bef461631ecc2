import Raster

/// What a file's header says, read without decoding pixels, so the pipeline can plan (and refuse) cheaply.
public struct ImageHeader: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// The layout `decode` will produce.
    public var layout: ChannelLayout
    /// The depth `decode` will produce (PNG 16-bit stays 16; everything else is 8).
    public var bitDepth: BitDepth
    public var metadata: ImageMetadata

    public init(width: Int, height: Int, layout: ChannelLayout, bitDepth: BitDepth, metadata: ImageMetadata) {
        self.width = width; self.height = height; self.layout = layout; self.bitDepth = bitDepth; self.metadata = metadata
    }
}

/// The entry point for decoding any supported input, dispatching on magic bytes.
public enum ImageDecoder {
    public static func readHeader(_ bytes: [UInt8], limits: ImageLimits = .default) throws -> ImageHeader {
        try limits.checkSourceSize(bytes.count, codec: "decoder")
        switch ContentSniffer.detect(bytes).format {
        case .jpeg: return try JPEGDecoder.readHeader(bytes, limits: limits)
        case .png: return try PNGDecoder.readHeader(bytes, limits: limits)
        case .pnm: return try PNMDecoder.readHeader(bytes, limits: limits)
        default:
            throw CodecError(codec: "decoder", kind: .unsupported,
                             message: "content type \(ContentSniffer.detect(bytes).mimeType) is not a supported input")
        }
    }

    /// Decodes pixels. `jpegScaleDenominator` (1, 2, 4 or 8) asks the JPEG decoder for a DCT-domain downscale
    /// (shrink-on-load); other formats ignore it. `keepCMYK`: CMYK JPEGs come out as CMYK samples (see
    /// `JPEGDecoder.decode`) for the colour stage to convert.
    public static func decode(_ bytes: [UInt8], limits: ImageLimits = .default, jpegScaleDenominator: Int = 1,
                              keepCMYK: Bool = false) throws -> Raster {
        try limits.checkSourceSize(bytes.count, codec: "decoder")
        switch ContentSniffer.detect(bytes).format {
        case .jpeg: return try JPEGDecoder.decode(bytes, limits: limits, scaleDenominator: jpegScaleDenominator, keepCMYK: keepCMYK)
        case .png: return try PNGDecoder.decode(bytes, limits: limits)
        case .pnm: return try PNMDecoder.decode(bytes, limits: limits)
        default:
            throw CodecError(codec: "decoder", kind: .unsupported,
                             message: "content type \(ContentSniffer.detect(bytes).mimeType) is not a supported input")
        }
    }
}
