import Raster
import Decoders
import Encoders

extension ImageFormat {
    /// WebP (RIFF container with VP8L lossless or VP8 lossy + ALPH): read (still images; an animated file is
    /// served untouched, SPEC §1) and written; a conversion target and an origin format.
    ///
    /// The WebP decoder plugs in here and nowhere else: `readHeader` and `decode` are its two entry points. With
    /// them set, the pipeline processes WebP originals, the default rule covers `.webp`, and `imagestack info` and
    /// `decode` read WebP (`isProcessedFromOrigin`, `FormatRegistry.defaultRuleExtensions`).
    public static let webp = ImageFormat(
        id: .webp, mimeType: "image/webp", acceptToken: "image/webp", extensions: ["webp"],
        // VP8 and VP8L frame headers hold 14-bit sizes (WebP container spec, "Simple File Format").
        capabilities: FormatCapabilities(alpha: .whenTranslucent, coding: .lossyOrLossless,
                                         maxSide: WebPContainer.maxSide),
        signature: WebPFormatFacts.signature,
        readHeader: { bytes, limits in try WebPDecoder.readHeader(bytes, limits: limits) },
        decode: { bytes, options in try WebPDecoder.decode(bytes, limits: options.limits) },
        encode: { raster, settings in
            var options = WebPEncodeOptions()
            if let quality = settings.quality { options.quality = quality }
            if let effort = settings.effort { options.effort = min(effort, 6) }
            options.lossless = settings.lossless
            return try WebPEncoder.encode(raster, options: options)
        },
        isAnimated: WebPFormatFacts.isAnimated,
        details: WebPFormatFacts.details)
}

enum WebPFormatFacts {
    /// "RIFF", the size, "WEBP" (WebP container spec, "RIFF Header").
    @Sendable static func signature(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 12 && bytes[0..<4].elementsEqual("RIFF".utf8) && bytes[8..<12].elementsEqual("WEBP".utf8)
    }

    /// An animated file is an extended one (a `VP8X` chunk first) with the Animation flag, bit 1 of the flags
    /// byte (WebP container spec, "Extended File Format"). Read from the header alone, without decoding.
    @Sendable static func isAnimated(_ bytes: [UInt8]) -> Bool {
        signature(bytes) && bytes.count >= 21 && bytes[12..<16].elementsEqual("VP8X".utf8) && bytes[20] & 0x02 != 0
    }

    /// VP8L is lossless (RGB samples), VP8 lossy (4:2:0 YCbCr); `components` is 4 when the file carries alpha.
    @Sendable static func details(_ metadata: ImageMetadata) -> [(name: String, value: HeaderDetail)] {
        let source = metadata.source
        return [("lossless", .flag(source.colorTransform == "RGB")),
                ("subsampling", .text(source.subsampling)),
                ("components", .integer(source.components))]
    }
}
