import Raster

extension ImageFormat {
    /// GIF: recognised (named in the skip reason, served with its type by the file origin), neither read nor
    /// written (SPEC §1).
    public static let gif = ImageFormat(
        id: .gif, mimeType: "image/gif", extensions: ["gif"],
        // Logical screen width and height are 16-bit (GIF89a §18).
        capabilities: FormatCapabilities(alpha: .asIs, coding: .losslessOnly, maxSide: 65535),
        // "GIF87a" or "GIF89a" (GIF89a §17).
        signature: { $0.starts(with: Array("GIF87a".utf8)) || $0.starts(with: Array("GIF89a".utf8)) })
}
