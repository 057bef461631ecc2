import Raster

/// A WebP file with what a conforming decoder must reconstruct from it (`WebPEncoder.encodeWithReconstruction`).
public struct WebPEncoding: Sendable {
    /// The complete file.
    public var bytes: [UInt8]
    /// Lossy files: the planes a decoder reconstructs with the loop filter off, as `dwebp -nofilter -yuv` writes
    /// them — Y (width × height), U and V (⌈width/2⌉ × ⌈height/2⌉) of the VP8 frame, then A (width × height) when
    /// the file has an alpha chunk (stored losslessly). Nil for lossless files, which decode to the source's 8-bit
    /// samples exactly.
    public var unfilteredYUVA: [[UInt8]]?
}

/// WebP encoder facade: lossless (VP8L) or lossy (VP8 key frame, plus an `ALPH` chunk when the image has
/// transparency), in the RIFF container with the source's ICC profile.
public enum WebPEncoder {
    public static func encode(_ raster: Raster, options: WebPEncodeOptions = WebPEncodeOptions()) throws -> [UInt8] {
        try encode(raster, options: options, reconstruct: false).bytes
    }

    /// The file `encode` writes (the same bytes) and, for lossy files, the encoder's reconstruction, which the
    /// golden conformance suite compares with dwebp's output.
    public static func encodeWithReconstruction(_ raster: Raster, options: WebPEncodeOptions = WebPEncodeOptions())
        throws -> WebPEncoding {
        try encode(raster, options: options, reconstruct: true)
    }

    private static func encode(_ raster: Raster, options: WebPEncodeOptions, reconstruct: Bool) throws -> WebPEncoding {
        try WebPContainer.checkDimensions(width: raster.width, height: raster.height)
        // WebP stores straight (not premultiplied) alpha.
        let image = Alpha.unpremultiplied(raster.to8Bit())
        let effort = max(0, min(6, options.effort))
        let icc = EmbeddedProfile.bytes(of: raster, colorData: true)
        if options.lossless {
            let argb = argbPixels(image)
            let payload = VP8LEncoder.encodeChunkPayload(argb: argb, width: image.width, height: image.height,
                                                         effort: effort)
            try Job.checkpoint()
            return WebPEncoding(bytes: try WebPContainer.assemble(bitstream: .lossless, payload: payload, iccProfile: icc,
                                                                  width: image.width, height: image.height,
                                                                  hasAlpha: image.hasTranslucentPixels),
                                unfilteredYUVA: nil)
        }
        let alphaSamples = Alpha.translucentPlane(image)
        let translucent = alphaSamples != nil
        let colour = image.layout.hasAlpha ? Alpha.removed(image) : image
        let frame = try VP8Encoder.encode(colour, options: .init(quality: max(0, min(100, options.quality)), effort: effort))
        let alpha = alphaSamples.map { WebPAlpha.encode(alpha: $0, width: image.width, height: image.height, effort: effort) }
        try Job.checkpoint()
        let bytes = try WebPContainer.assemble(bitstream: .lossy, payload: frame.payload, alpha: alpha, iccProfile: icc,
                                               width: image.width, height: image.height, hasAlpha: translucent)
        return WebPEncoding(bytes: bytes, unfilteredYUVA: reconstruct ? frame.visiblePlanes() + (alphaSamples.map { [$0] } ?? []) : nil)
    }

    /// Packs an 8-bit raster of any layout as VP8L ARGB words (gray expands to R = G = B, no alpha to 255).
    static func argbPixels(_ image: Raster) -> [UInt32] {
        let count = image.width * image.height
        var out = [UInt32](repeating: 0, count: count)
        image.samples8.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                switch image.layout {
                case .gray:
                    for i in 0..<count { let g = UInt32(s[i]); o[i] = 0xff00_0000 | g << 16 | g << 8 | g }
                case .grayAlpha:
                    for i in 0..<count {
                        let g = UInt32(s[2 * i]); o[i] = UInt32(s[2 * i + 1]) << 24 | g << 16 | g << 8 | g
                    }
                case .rgb:
                    for i in 0..<count {
                        o[i] = 0xff00_0000 | UInt32(s[3 * i]) << 16 | UInt32(s[3 * i + 1]) << 8 | UInt32(s[3 * i + 2])
                    }
                case .rgba:
                    for i in 0..<count {
                        o[i] = UInt32(s[4 * i + 3]) << 24 | UInt32(s[4 * i]) << 16 | UInt32(s[4 * i + 1]) << 8
                            | UInt32(s[4 * i + 2])
                    }
                }
            }
        }
        return out
    }
}
