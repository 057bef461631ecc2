import Raster
import Encoders

/// Shapes the final raster for its encoder and encodes it.
/// - JPEG cannot hold alpha: composite on white (only then is alpha flattened).
/// - WebP/AVIF: alpha kept only when some pixel is not opaque (an all-opaque alpha plane only costs bytes).
/// - 8-bit for every encoder, except PNG → PNG which keeps 16-bit samples.
/// - No orientation, no EXIF: the pixels are upright now (SPEC §5).
enum OutputRaster {
    static func prepare(_ raster: Raster, for format: OutputFormat) -> Raster {
        var r = raster
        r.metadata.orientation = 1
        r.metadata.exif = nil
        switch format {
        case .png:
            return r
        case .jpeg:
            r = r.to8Bit()
            return r.layout.hasAlpha ? flattenOnWhite(r) : r
        case .webp, .avif:
            r = r.to8Bit()
            return r.layout.hasAlpha && !r.hasTranslucentPixels ? dropAlpha(r) : r
        }
    }

    static func encode(_ raster: Raster, as output: OutputEncoding) throws -> [UInt8] {
        switch output.format {
        case .png: return try PNGEncoder.encode(raster)
        case .jpeg: return try JPEGEncoder.encode(raster, options: JPEGEncodeOptions(quality: max(1, output.quality)))
        case .webp: return try WebPEncoder.encode(raster, options: WebPEncodeOptions(quality: output.quality, lossless: output.lossless))
        case .avif: return try AVIFEncoder.encode(raster, options: AVIFEncodeOptions(quality: output.quality, lossless: output.lossless))
        }
    }

    /// c' = (c·a + 255·(255 − a)) / 255, rounded: the pixel composited over opaque white.
    static func flattenOnWhite(_ raster: Raster) -> Raster {
        let n = raster.channels
        let colours = n - 1
        let src = raster.samples8
        var out = [UInt8](repeating: 0, count: raster.width * raster.height * colours)
        var o = 0
        var i = 0
        while i < src.count {
            let a = UInt32(src[i + n - 1])
            for c in 0..<colours {
                out[o + c] = UInt8((UInt32(src[i + c]) * a + 255 * (255 - a) + 127) / 255)
            }
            o += colours
            i += n
        }
        var r = raster
        r.reshape(width: raster.width, height: raster.height, layout: raster.layout.withoutAlpha, bitDepth: .eight, samples8: out)
        return r
    }

    static func dropAlpha(_ raster: Raster) -> Raster {
        let n = raster.channels
        let src = raster.samples8
        var out = [UInt8]()
        out.reserveCapacity(raster.width * raster.height * (n - 1))
        var i = 0
        while i < src.count {
            for c in 0..<(n - 1) { out.append(src[i + c]) }
            i += n
        }
        var r = raster
        r.reshape(width: raster.width, height: raster.height, layout: raster.layout.withoutAlpha, bitDepth: .eight, samples8: out)
        return r
    }
}
