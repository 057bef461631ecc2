import Raster

/// VP8L lossless encoder (RFC 9649): picks a transform chain by analysis (`VP8LAnalysis`), applies it, and codes
/// the result with LZ77, a colour cache and clustered prefix codes. At the efforts that allow it the runner-up
/// chain is coded too, on the other core, and the smaller stream is kept.
enum VP8LEncoder {
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
        let preset = VP8LEffort.level(effort)
        let palette = VP8LColorTransforms.palette(of: argb)
        let analysis = VP8LAnalysis.analyze(argb, width: width, height: height, paletteSize: palette?.count,
                                            transformBits: preset.predictorBits)
        var chains = [analysis.ranking[0].chain]
        let small = width * height <= preset.everyChainUpTo
        if small {
            chains = analysis.ranking.map { $0.chain }
        } else if preset.tryAlternatives && analysis.ranking.count > 1 {
            chains.append(analysis.ranking[1].chain)
        }
        var trials: [Trial] = []
        for chain in chains {
            guard chain == .palette, let sorted = palette else {
                trials.append(Trial(chain: chain, predictorBits: preset.predictorBits,
                                    crossColorBits: analysis.redAndBlueAlwaysZero ? nil : preset.crossColorBits))
                if width * height <= preset.finerTilesUpTo && (chain == .predicted || chain == .predictedSubtractGreen) {
                    // Small images: finer predictor and cross-colour tiles cost few bits and adapt better.
                    let bits = max(2, preset.predictorBits - 1)
                    trials.append(Trial(chain: chain, predictorBits: bits,
                                        crossColorBits: analysis.redAndBlueAlwaysZero ? nil : bits))
                }
                continue
            }
            let reordered = VP8LColorTransforms.deltaMinimizingOrder(sorted)
            if reordered == sorted {
                trials.append(Trial(chain: chain, palette: sorted))
            } else if small {
                // Small images: the table's description weighs as much as the pixels; code both orders.
                trials.append(Trial(chain: chain, palette: sorted))
                trials.append(Trial(chain: chain, palette: reordered))
            } else {
                // The order only permutes the index symbols, so it changes little but the table's own size.
                let better = paletteBits(reordered, preset) < paletteBits(sorted, preset) ? reordered : sorted
                trials.append(Trial(chain: chain, palette: better))
            }
        }
        var results = [[UInt8]](repeating: [], count: trials.count)
        results.withUnsafeMutableBufferPointer { out in
            let slots = out.baseAddress!
            Job.parallelFor(trials.count) { k in
                slots[k] = encode(argb, width: width, height: height, trial: trials[k], preset: preset)
            }
        }
        return results.min { $0.count < $1.count }!
    }

    /// Bits of the delta-coded colour table of `palette` as a sub-image.
    private static func paletteBits(_ palette: [UInt32], _ preset: VP8LEffort) -> Int {
        var writer = LSBBitWriter(reservingCapacity: palette.count * 4)
        VP8LImageWriter.writeSubimage(VP8LColorTransforms.deltaCodedPalette(palette), width: palette.count, height: 1,
                                      parameters: preset.imageParameters(palette: true), to: &writer)
        return writer.bitPosition
    }

    /// One way of coding the image: the transform chain, the colour table's order (palette chain), the predictor
    /// and cross-colour tile sizes (log2; no cross colour when nil).
    private struct Trial {
        var chain: VP8LAnalysis.Chain
        var palette: [UInt32] = []
        var predictorBits = 0
        var crossColorBits: Int? = nil
    }

    private static func encode(_ argb: [UInt32], width: Int, height: Int, trial: Trial, preset: VP8LEffort) -> [UInt8] {
        let chain = trial.chain, palette = trial.palette
        let parameters = preset.imageParameters(palette: chain == .palette)
        var writer = LSBBitWriter(reservingCapacity: argb.count)
        var pixels = argb
        var imageWidth = width
        if chain == .palette {
            // Colour-indexing transform (type 3, §4.4): table size − 1 in 8 bits, then the delta-coded table.
            writer.write(1, count: 1)
            writer.write(3, count: 2)
            writer.write(UInt32(palette.count - 1), count: 8)
            VP8LImageWriter.writeSubimage(VP8LColorTransforms.deltaCodedPalette(palette), width: palette.count,
                                          height: 1, parameters: parameters, to: &writer)
            let indexed = VP8LColorTransforms.indexImage(argb, width: width, height: height, palette: palette)
            pixels = indexed.pixels
            imageWidth = indexed.width
        }
        if chain == .subtractGreen || chain == .predictedSubtractGreen {
            // Subtract green (type 2, §4.3).
            writer.write(1, count: 1)
            writer.write(2, count: 2)
            VP8LColorTransforms.subtractGreen(&pixels)
        }
        if chain == .predicted || chain == .predictedSubtractGreen {
            // Predictor (type 0, §4.1).
            let bits = trial.predictorBits
            let predicted = VP8LPredictor.apply(pixels, width: width, height: height, tileBits: bits,
                                                modes: preset.predictorModes)
            pixels = predicted.residuals
            writer.write(1, count: 1)
            writer.write(0, count: 2)
            writer.write(UInt32(bits - 2), count: 3)
            VP8LImageWriter.writeSubimage(predicted.modes, width: (width + (1 << bits) - 1) >> bits,
                                          height: (height + (1 << bits) - 1) >> bits, parameters: parameters,
                                          to: &writer)
            if let bits = trial.crossColorBits {
                // Cross colour (type 1, §4.2).
                let elements = VP8LColorTransforms.crossColor(&pixels, width: width, height: height, tileBits: bits)
                writer.write(1, count: 1)
                writer.write(1, count: 2)
                writer.write(UInt32(bits - 2), count: 3)
                VP8LImageWriter.writeSubimage(elements, width: (width + (1 << bits) - 1) >> bits,
                                              height: (height + (1 << bits) - 1) >> bits, parameters: parameters,
                                              to: &writer)
            }
        }
        writer.write(0, count: 1)  // no more transforms
        if Job.current.isStopped { return [] }  // the caller's checkpoint throws
        VP8LImageWriter.write(pixels, width: imageWidth, height: height, isMainImage: true,
                              parameters: parameters, to: &writer)
        return writer.finish()
    }
}
