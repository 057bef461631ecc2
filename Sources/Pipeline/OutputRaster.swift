import Raster
import Formats

/// Shapes the final raster for its output format and encodes it, from the format's capabilities:
/// - no alpha channel (JPEG): composited on white (only then is alpha flattened);
/// - alpha only when translucent (WebP, AVIF): an all-opaque alpha plane only costs bytes, so it is dropped;
/// - 8-bit for every encoder, except those that keep 16-bit samples (PNG → PNG);
/// - no orientation, no EXIF: the pixels are upright now (SPEC §5).
enum OutputRaster {
    static func prepare(_ raster: Raster, for format: ImageFormat) -> Raster {
        var r = raster
        r.metadata.orientation = 1
        r.metadata.exif = nil
        let capabilities = format.capabilities
        if !capabilities.sixteenBit { r = r.to8Bit() }
        guard r.layout.hasAlpha else { return r }
        switch capabilities.alpha {
        case .none: return flattenOnWhite(r)
        case .whenTranslucent: return r.hasTranslucentPixels ? r : dropAlpha(r)
        case .asIs: return r
        }
    }

    static func encode(_ raster: Raster, as output: OutputEncoding) throws -> [UInt8] {
        try output.format.encode(raster, settings: EncodeSettings(quality: output.quality, lossless: output.lossless))
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
