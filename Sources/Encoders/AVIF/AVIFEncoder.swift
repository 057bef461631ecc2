import Raster

/// Contract placeholder: the AVIF encoder issue replaces this file.
public enum AVIFEncoder {
    public static func encode(_ raster: Raster, options: AVIFEncodeOptions = AVIFEncodeOptions()) throws -> [UInt8] {
        throw CodecError(codec: "AVIF encoder", kind: .unsupported, message: "AVIF encoder is not implemented yet")
    }
}
