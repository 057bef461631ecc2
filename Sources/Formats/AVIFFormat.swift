import Raster
import Encoders

extension ImageFormat {
    /// AVIF (AV1 still image in a HEIF container): a conversion target. Not read (SPEC §1: served untouched).
    public static let avif = ImageFormat(
        id: .avif, mimeType: "image/avif", acceptToken: "image/avif", extensions: ["avif"],
        // AV1 frame_width_minus_1 is 16-bit (AV1 §5.5.1 with frame_width_bits_minus_1 = 15).
        capabilities: FormatCapabilities(alpha: .whenTranslucent, coding: .lossyOrLossless, maxSide: 65536),
        signature: AVIFFormatFacts.signature,
        encode: { raster, settings in
            var options = AVIFEncodeOptions()
            if let quality = settings.quality { options.quality = quality }
            if let speed = settings.speed { options.speed = speed }
            if let subsampling = settings.subsampling { options.subsampling = subsampling }
            options.lossless = settings.lossless
            options.alphaQuality = settings.alphaQuality
            return try AVIFEncoder.encode(raster, options: options)
        })
}

enum AVIFFormatFacts {
    /// A `ftyp` box first whose major brand is `avif` (still) or `avis` (sequence) (AVIF §9.2; ISO/IEC 14496-12
    /// §4.3).
    @Sendable static func signature(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 12, bytes[4..<8].elementsEqual("ftyp".utf8) else { return false }
        let brand = bytes[8..<12]
        return brand.elementsEqual("avif".utf8) || brand.elementsEqual("avis".utf8)
    }
}
