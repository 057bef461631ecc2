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
        case .none: return Alpha.flattened(r, background: 255)
        case .whenTranslucent: return Alpha.droppedWhenOpaque(r)
        case .asIs: return r
        }
    }

    static func encode(_ raster: Raster, as output: OutputEncoding) throws -> [UInt8] {
        try output.format.encode(raster, settings: EncodeSettings(quality: output.quality, lossless: output.lossless))
    }
}
