import Raster

/// Contract placeholder: the PNG encoder issue replaces this file.
public enum PNGEncoder {
    public static func encode(_ raster: Raster, options: PNGEncodeOptions = PNGEncodeOptions()) throws -> [UInt8] {
        throw CodecError(codec: "PNG encoder", kind: .unsupported, message: "PNG encoder is not implemented yet")
    }
}
