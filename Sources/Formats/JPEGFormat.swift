import Raster
import Decoders
import Encoders

extension ImageFormat {
    /// JPEG (T.81 / JFIF): read with DCT-domain shrink-on-load, written baseline or progressive.
    public static let jpeg = ImageFormat(
        id: .jpeg, mimeType: "image/jpeg", extensions: ["jpg", "jpeg"],
        // Frame header X and Y are 16-bit (T.81 §B.2.2); libjpeg's quality scale is 1–100 (0 is refused).
        capabilities: FormatCapabilities(alpha: .none, coding: .lossyOnly, quality: 1...100, maxSide: 65535,
                                         shrinkOnLoad: true),
        // SOI followed by the first marker's 0xFF (T.81 §B.1.1.3, B.2.1).
        signature: { $0.starts(with: [0xFF, 0xD8, 0xFF]) },
        readHeader: { bytes, limits in try JPEGDecoder.readHeader(bytes, limits: limits) },
        decode: { bytes, options in
            try JPEGDecoder.decode(bytes, limits: options.limits, scaleDenominator: options.scaleDenominator,
                                   keepCMYK: options.keepCMYK)
        },
        encode: { raster, settings in
            var options = JPEGEncodeOptions()
            if let quality = settings.quality { options.quality = min(max(quality, 1), 100) }
            if let subsampling = settings.subsampling { options.subsampling = subsampling }
            options.progressive = settings.progressive
            return try JPEGEncoder.encode(raster, options: options)
        },
        estimateQuality: JPEGFormatFacts.quality,
        details: JPEGFormatFacts.details)
}

enum JPEGFormatFacts {
    /// The libjpeg quality that explains the quantization tables (JPEGQuality), unless already known.
    @Sendable static func quality(_ metadata: ImageMetadata) -> Int? {
        metadata.source.estimatedQuality ?? JPEGQuality.estimate(tables: metadata.source.jpegQuantTables)
    }

    @Sendable static func details(_ metadata: ImageMetadata) -> [(name: String, value: HeaderDetail)] {
        let source = metadata.source
        return [("progressive", .flag(source.progressive)),
                ("subsampling", .text(source.subsampling)),
                ("components", .integer(source.components)),
                ("colorTransform", .text(source.colorTransform)),
                ("estimatedQuality", .integer(quality(metadata)))]
    }
}
