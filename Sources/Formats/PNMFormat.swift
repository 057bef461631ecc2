import Raster
import Decoders
import Encoders

extension ImageFormat {
    /// Netpbm (P5 gray, P6 RGB, P7 PAM): what `imagestack decode` writes and `encode` reads. A tool format: the
    /// server does not process it.
    public static let pnm = ImageFormat(
        id: .pnm, mimeType: "image/x-portable-anymap", extensions: ["pnm", "ppm", "pgm", "pbm", "pam"],
        capabilities: FormatCapabilities(alpha: .asIs, coding: .losslessOnly, sixteenBit: true, isWebFormat: false),
        // "P" and the format digit (netpbm: P1–P6; PAM: P7).
        signature: { $0.count >= 2 && $0[0] == UInt8(ascii: "P") && (UInt8(ascii: "1")...UInt8(ascii: "7")).contains($0[1]) },
        readHeader: { bytes, limits in try PNMDecoder.readHeader(bytes, limits: limits) },
        decode: { bytes, options in try PNMDecoder.decode(bytes, limits: options.limits) },
        encode: { raster, _ in PNMWriter.encode(raster) })
}
