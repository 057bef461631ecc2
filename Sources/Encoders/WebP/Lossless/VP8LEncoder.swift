import Raster

/// VP8L lossless encoder (RFC 9649): tries transform chains (colour indexing, or subtract-green + predictor +
/// cross-colour), codes each with LZ77, a colour cache and clustered prefix codes, and keeps the smallest.
enum VP8LEncoder {
    /// Transform chain of one candidate encoding.
    enum Strategy: Equatable {
        case palette([UInt32])
        case spatial(crossColor: Bool)
        case subtractGreenOnly
    }

    /// The `VP8L` chunk payload: signature 0x2f, 14-bit width−1 and height−1, alpha hint, version 0 (§3), then
    /// the image stream. `argb` holds width × height pixels.
    static func encodeChunkPayload(argb: [UInt32], width: Int, height: Int, effort: Int) -> [UInt8] {
        var usesAlpha = false
        for v in argb where v >> 24 != 0xff { usesAlpha = true; break }
        var header = LSBBitWriter(reservingCapacity: 5)
        header.write(0x2f, count: 8)
        header.write(UInt32(width - 1), count: 14)
        header.write(UInt32(height - 1), count: 14)
        header.write(usesAlpha ? 1 : 0, count: 1)
        header.write(0, count: 3)
        return header.finish() + encodeImageStream(argb: argb, width: width, height: height, effort: effort)
    }

    /// The image stream alone (transforms and the main image), as the `ALPH` chunk embeds it.
    static func encodeImageStream(argb: [UInt32], width: Int, height: Int, effort: Int) -> [UInt8] {
        let effort = max(0, min(6, effort))
        var strategies: [Strategy] = []
        if let palette = VP8LColorTransforms.palette(of: argb) {
            if effort >= 5 && palette.count > 16 {
                strategies = [.palette(palette), .spatial(crossColor: true)]
            } else if palette.count > 16 && !VP8LColorTransforms.paletteLikelyWins(argb, width: width, palette: palette) {
                strategies = [.spatial(crossColor: effort >= 1)]
            } else {
                strategies = [.palette(palette)]
            }
        } else {
            strategies.append(.spatial(crossColor: effort >= 1))
            if effort >= 5 { strategies.append(.subtractGreenOnly) }
        }
        var results = [[UInt8]](repeating: [], count: strategies.count)
        results.withUnsafeMutableBufferPointer { out in
            let slots = out.baseAddress!
            Job.parallelFor(strategies.count) { k in
                slots[k] = encode(argb, width: width, height: height, strategy: strategies[k], effort: effort)
            }
        }
        return results.min { $0.count < $1.count }!
    }

    /// Main-image coding parameters for an effort level 0...6.
    static func imageParameters(effort: Int, palette: Bool) -> VP8LImageWriter.Parameters {
        let depths = [0, 8, 12, 16, 16, 48, 128]
        return VP8LImageWriter.Parameters(
            search: .init(chainDepth: depths[effort], minimumLength: 4),
            maxCacheBits: effort == 0 ? 0 : 10,
            histogramBits: effort <= 1 ? nil : max(2, (palette ? 9 : 7) - effort),
            maxGroups: 256,
            refineGroups: effort >= 4,
            parsePasses: effort >= 4 ? 2 : (effort >= 1 ? 1 : 0),
            parseShortLengths: 8)
    }

    private static func encode(_ argb: [UInt32], width: Int, height: Int, strategy: Strategy, effort: Int) -> [UInt8] {
        var writer = LSBBitWriter(reservingCapacity: argb.count)
        var pixels = argb
        var imageWidth = width
        switch strategy {
        case .palette(let palette):
            // Colour-indexing transform (type 3, §4.4): table size − 1 in 8 bits, then the delta-coded table.
            writer.write(1, count: 1)
            writer.write(3, count: 2)
            writer.write(UInt32(palette.count - 1), count: 8)
            VP8LImageWriter.writeSubimage(VP8LColorTransforms.deltaCodedPalette(palette), width: palette.count,
                                          height: 1, to: &writer)
            let indexed = VP8LColorTransforms.indexImage(argb, width: width, height: height, palette: palette)
            pixels = indexed.pixels
            imageWidth = indexed.width
        case .spatial(let crossColor):
            // Subtract green (type 2, §4.3).
            if VP8LColorTransforms.subtractGreenHelps(argb, width: width, height: height) {
                writer.write(1, count: 1)
                writer.write(2, count: 2)
                VP8LColorTransforms.subtractGreen(&pixels)
            }
            // Predictor (type 0, §4.1).
            let predictorBits = effort <= 2 ? 5 : 4
            let modes = effort == 0 ? [1, 2, 11, 12] : Array(0..<14)
            let predicted = VP8LPredictor.apply(pixels, width: width, height: height, tileBits: predictorBits,
                                                modes: modes)
            pixels = predicted.residuals
            writer.write(1, count: 1)
            writer.write(0, count: 2)
            writer.write(UInt32(predictorBits - 2), count: 3)
            let tiles = 1 << predictorBits
            VP8LImageWriter.writeSubimage(predicted.modes, width: (width + tiles - 1) / tiles,
                                          height: (height + tiles - 1) / tiles, to: &writer)
            if crossColor {
                // Cross colour (type 1, §4.2).
                let crossBits = 5
                let elements = VP8LColorTransforms.crossColor(&pixels, width: width, height: height, tileBits: crossBits)
                writer.write(1, count: 1)
                writer.write(1, count: 2)
                writer.write(UInt32(crossBits - 2), count: 3)
                let tiles = 1 << crossBits
                VP8LImageWriter.writeSubimage(elements, width: (width + tiles - 1) / tiles,
                                              height: (height + tiles - 1) / tiles, to: &writer)
            }
        case .subtractGreenOnly:
            writer.write(1, count: 1)
            writer.write(2, count: 2)
            VP8LColorTransforms.subtractGreen(&pixels)
        }
        writer.write(0, count: 1)  // no more transforms
        if Job.current.isStopped { return [] }  // the caller's checkpoint throws
        var isPalette = false
        if case .palette = strategy { isPalette = true }
        VP8LImageWriter.write(pixels, width: imageWidth, height: height, isMainImage: true,
                              parameters: imageParameters(effort: effort, palette: isPalette), to: &writer)
        return writer.finish()
    }
}
