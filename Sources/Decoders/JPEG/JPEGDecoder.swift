import Raster

/// JPEG decoder (ITU-T T.81). Contract placeholder: the JPEG issue replaces this file.
public enum JPEGDecoder {
    public static func readHeader(_ bytes: [UInt8], limits: ImageLimits = .default) throws -> ImageHeader {
        throw CodecError(codec: "JPEG decoder", kind: .unsupported, message: "JPEG decoding is not implemented yet")
    }

    /// `scaleDenominator` 1, 2, 4 or 8: decode at 1/N size with a scaled IDCT (as djpeg -scale 1/N).
    public static func decode(_ bytes: [UInt8], limits: ImageLimits = .default, scaleDenominator: Int = 1) throws -> Raster {
        throw CodecError(codec: "JPEG decoder", kind: .unsupported, message: "JPEG decoding is not implemented yet")
    }
}
