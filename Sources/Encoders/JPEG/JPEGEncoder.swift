import Raster

/// Contract placeholder: the JPEG encoder issue replaces this file.
public enum JPEGEncoder {
    public static func encode(_ raster: Raster, options: JPEGEncodeOptions = JPEGEncodeOptions()) throws -> [UInt8] {
        throw CodecError(codec: "JPEG encoder", kind: .unsupported, message: "JPEG encoder is not implemented yet")
    }
}
