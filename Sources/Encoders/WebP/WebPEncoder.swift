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
        let image = straightAlpha8Bit(raster)
        let effort = max(0, min(6, options.effort))
        let icc = raster.metadata.iccProfile
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
        let translucent = image.hasTranslucentPixels
        let colour = image.layout.hasAlpha ? try dropAlpha(image) : image
        let frame = try VP8Encoder.encode(colour, options: .init(quality: max(0, min(100, options.quality)), effort: effort))
        let alphaSamples = translucent ? alphaPlane(image) : nil
        let alpha = alphaSamples.map { WebPAlpha.encode(alpha: $0, width: image.width, height: image.height, effort: effort) }
        try Job.checkpoint()
        let bytes = try WebPContainer.assemble(bitstream: .lossy, payload: frame.payload, alpha: alpha, iccProfile: icc,
                                               width: image.width, height: image.height, hasAlpha: translucent)
        return WebPEncoding(bytes: bytes, unfilteredYUVA: reconstruct ? frame.visiblePlanes() + (alphaSamples.map { [$0] } ?? []) : nil)
    }

    /// 8-bit samples with straight (not premultiplied) alpha, as WebP stores them.
    static func straightAlpha8Bit(_ raster: Raster) -> Raster {
        var image = raster.to8Bit()
        guard image.isPremultiplied, image.layout.hasAlpha else { return image }
        let n = image.channels
        image.samples8.withUnsafeMutableBufferPointer { s in
            var i = 0
            while i < s.count {
                let a = Int(s[i + n - 1])
                if a > 0 && a < 255 {
                    for c in 0..<(n - 1) { s[i + c] = UInt8(min(255, (Int(s[i + c]) * 255 + a / 2) / a)) }
                }
                i += n
            }
        }
        image.isPremultiplied = false
        return image
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

    static func alphaPlane(_ image: Raster) -> [UInt8] {
        let n = image.channels
        return (0..<(image.width * image.height)).map { image.samples8[$0 * n + n - 1] }
    }

    static func dropAlpha(_ image: Raster) throws -> Raster {
        let n = image.channels
        let colorChannels = n - 1
        var samples = [UInt8](repeating: 0, count: image.width * image.height * colorChannels)
        for i in 0..<(image.width * image.height) {
            for c in 0..<colorChannels { samples[i * colorChannels + c] = image.samples8[i * n + c] }
        }
        return try Raster(width: image.width, height: image.height, layout: image.layout.withoutAlpha,
                          samples8: samples, metadata: image.metadata)
    }
}
