import Raster

/// Contract placeholder: the WebP encoder issue replaces this file.
public enum WebPEncoder {
    public static func encode(_ raster: Raster, options: WebPEncodeOptions = WebPEncodeOptions()) throws -> [UInt8] {
        throw CodecError(codec: "WebP encoder", kind: .unsupported, message: "WebP encoder is not implemented yet")
    }
}
