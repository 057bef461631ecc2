import Raster
import Decoders
import Encoders

extension ImageFormat {
    /// PNG: every colour type and depth read; written lossless, 16-bit kept.
    public static let png = ImageFormat(
        id: .png, mimeType: "image/png", extensions: ["png"],
        // IHDR width and height are 31-bit (PNG spec §11.2.2).
        capabilities: FormatCapabilities(alpha: .asIs, coding: .losslessOnly, maxSide: Int(Int32.max), sixteenBit: true),
        signature: PNGFormatFacts.signature,
        readHeader: { bytes, limits in try PNGDecoder.readHeader(bytes, limits: limits) },
        decode: { bytes, options in try PNGDecoder.decode(bytes, limits: options.limits) },
        encode: { raster, settings in
            var options = PNGEncodeOptions()
            if let effort = settings.effort { options.compressionLevel = effort }
            return try PNGEncoder.encode(raster, options: options)
        },
        details: PNGFormatFacts.details)
}

enum PNGFormatFacts {
    /// The 8-byte PNG signature (PNG spec §5.2). "PNG" at offset 1 with a damaged rest (a CR-LF translated
    /// transfer) still counts: the PNG decoder's error then says what is wrong with the signature, which helps more
    /// than "unsupported content".
    @Sendable static func signature(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            || (bytes.count >= 8 && bytes[1...3].elementsEqual("PNG".utf8))
    }

    @Sendable static func details(_ metadata: ImageMetadata) -> [(name: String, value: HeaderDetail)] {
        [("interlaced", .flag(metadata.source.progressive)),
         ("colorType", .integer(metadata.source.pngColorType)),
         ("gamma", .real(metadata.gamma))]
    }
}
