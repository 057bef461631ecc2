import Raster

/// PNG decoder (ISO/IEC 15948). Contract placeholder: the PNG issue replaces this file.
public enum PNGDecoder {
    public static func readHeader(_ bytes: [UInt8], limits: ImageLimits = .default) throws -> ImageHeader {
        throw CodecError(codec: "PNG decoder", kind: .unsupported, message: "PNG decoding is not implemented yet")
    }

    public static func decode(_ bytes: [UInt8], limits: ImageLimits = .default) throws -> Raster {
        throw CodecError(codec: "PNG decoder", kind: .unsupported, message: "PNG decoding is not implemented yet")
    }
}
