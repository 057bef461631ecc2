import Raster
import Decoders

/// Decoding any supported input, found by its magic bytes: a short name for the registry's `readHeader` and
/// `decode`, as the CLI, the tests and the conformance suite call it.
public enum ImageDecoder {
    public static func readHeader(_ bytes: [UInt8], limits: ImageLimits = .default) throws -> ImageHeader {
        try FormatRegistry.readHeader(bytes, limits: limits)
    }

    /// `jpegScaleDenominator` (1, 2, 4 or 8) asks a decoder that can (JPEG) for a downscale while decoding
    /// (shrink-on-load); other formats ignore it. `keepCMYK`: CMYK JPEGs come out as CMYK samples (see
    /// `DecodeOptions`) for the colour stage to convert.
    public static func decode(_ bytes: [UInt8], limits: ImageLimits = .default, jpegScaleDenominator: Int = 1,
                              keepCMYK: Bool = false) throws -> Raster {
        try FormatRegistry.decode(bytes, options: DecodeOptions(limits: limits, scaleDenominator: jpegScaleDenominator,
                                                                keepCMYK: keepCMYK))
    }
}
