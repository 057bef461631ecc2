import Raster

/// CONTRACT placeholder: the WebP issue's lossy part replaces this file.
public enum VP8Encoder {
    /// Encodes the colour of `raster` (8-bit gray/RGB; alpha is ignored here — the container writes ALPH) as one
    /// VP8 key frame: the complete payload of a RIFF `VP8 ` chunk (frame tag, start code, dimensions, partitions).
    public static func encodeKeyFrame(_ raster: Raster, quality: Int, effort: Int) throws -> [UInt8] {
        throw CodecError(codec: "WebP encoder", kind: .unsupported, message: "lossy VP8 encoding is not implemented yet")
    }
}
