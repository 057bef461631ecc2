import Raster

/// Writes VP8L entropy-coded images (RFC 9649 §5 and §6.2): chooses the backward references and the colour cache,
/// groups the tiles of the main image into prefix-code groups, then writes the headers, the codes and the pixels.
enum VP8LImageWriter {
    /// How hard an image is coded.
    struct Parameters {
        var chain: VP8LHashChain.Parameters
        /// Largest colour cache tried (0 = no cache).
        var maxCacheBits: Int
        /// Tile size of the entropy image (log2), or nil for a single prefix-code group.
        var histogramBits: Int?
        /// Cost-based parses after the simple ones (each one uses the statistics of the best parse so far).
        var costParses: Int
        /// Copy lengths the cost-based parse tries one by one.
        var exhaustiveLengths: Int
        /// Weights of literal and cache-hit bits in the cost-based parse.
        var literalScale: Float
        var cacheScale: Float
        /// Re-choose the cache size on the result of the cost-based parse.
        var recheckCache: Bool
        var clustering: VP8LHistogramClustering.Parameters
    }

    /// The image as backward references: tokens with the cache applied, and the cache size.
    struct References {
        var tokens: [VP8LToken]
        var cacheBits: Int
        var bits: Double
    }

    /// Sub-images (transform data, entropy image, colour table): one group, the same parse search.
    static func subimageParameters(_ main: Parameters) -> Parameters {
        var p = main
        p.histogramBits = nil
        p.chain.iterations = min(p.chain.iterations, 32)
        return p
    }

    /// Writes a sub-image: no meta prefix codes, one group.
    static func writeSubimage(_ pixels: [UInt32], width: Int, height: Int, parameters: Parameters,
                              to writer: inout LSBBitWriter) {
        write(pixels, width: width, height: height, isMainImage: false, parameters: subimageParameters(parameters),
              to: &writer)
    }

    /// Estimated bits of `tokens` coded with a single group.
    static func estimate(_ tokens: [VP8LToken], cacheBits: Int) -> Double {
        let layout = VP8LHistogramLayout(cacheBits: cacheBits)
        var h = [UInt32](repeating: 0, count: layout.size)
        return h.withUnsafeMutableBufferPointer { hb in
            for t in tokens { layout.add(t, to: hb.baseAddress!) }
            return layout.bits(hb.baseAddress!)
        }
    }

    /// Chooses the backward references: the greedy and run-only parses, each with its best cache, then
    /// cost-based parses seeded by the best so far; the smallest estimate wins.
    static func references(_ pixels: [UInt32], width: Int, parameters: Parameters) -> References {
        let chain = VP8LHashChain(pixels, width: width, parameters: parameters.chain)
        // The cache size is chosen on the greedy parse and reused for the run-only one (the check after the
        // cost-based parse corrects it).
        var best: References? = nil
        var cacheBits = 0
        for (index, seed) in [VP8LBackwardReferences.greedy(pixels, width: width, chain: chain),
                              VP8LBackwardReferences.runsOnly(pixels, width: width)].enumerated() {
            var tokens = seed
            if index == 0 {
                cacheBits = VP8LColorCache.bestBits(tokens: tokens, pixels: pixels, maxBits: parameters.maxCacheBits)
            }
            VP8LBackwardReferences.applyCache(tokens: &tokens, pixels: pixels, bits: cacheBits)
            let bits = estimate(tokens, cacheBits: cacheBits)
            if best == nil || bits < best!.bits { best = References(tokens: tokens, cacheBits: cacheBits, bits: bits) }
        }
        var result = best!
        for _ in 0..<parameters.costParses {
            if Job.current.isStopped { break }  // the encoder's checkpoint throws
            let model = VP8LOptimalParse.CostModel(tokens: result.tokens, cacheBits: result.cacheBits,
                                                   literalScale: parameters.literalScale,
                                                   cacheScale: parameters.cacheScale)
            var tokens = VP8LOptimalParse.parse(pixels, width: width, chain: chain, cacheBits: result.cacheBits,
                                                model: model, exhaustiveLengths: parameters.exhaustiveLengths)
            var cacheBits = result.cacheBits
            if parameters.recheckCache {
                let plain = VP8LBackwardReferences.withoutCache(tokens, pixels: pixels)
                let rechecked = VP8LColorCache.bestBits(tokens: plain, pixels: pixels, maxBits: parameters.maxCacheBits)
                if rechecked != cacheBits {
                    tokens = plain
                    cacheBits = rechecked
                    VP8LBackwardReferences.applyCache(tokens: &tokens, pixels: pixels, bits: cacheBits)
                }
            }
            let bits = estimate(tokens, cacheBits: cacheBits)
            if bits < result.bits {
                result = References(tokens: tokens, cacheBits: cacheBits, bits: bits)
            } else {
                break
            }
        }
        return result
    }

    /// Writes an entropy-coded image; `isMainImage` adds the meta-prefix (entropy image) header.
    static func write(_ pixels: [UInt32], width: Int, height: Int, isMainImage: Bool, parameters: Parameters,
                      to writer: inout LSBBitWriter) {
        let refs = references(pixels, width: width, parameters: parameters)
        writeTokens(refs, width: width, height: height, isMainImage: isMainImage, parameters: parameters, to: &writer)
    }

    static func writeTokens(_ refs: References, width: Int, height: Int, isMainImage: Bool, parameters: Parameters,
                            to writer: inout LSBBitWriter) {
        let tokens = refs.tokens
        let cacheBits = refs.cacheBits
        let layout = VP8LHistogramLayout(cacheBits: cacheBits)
        let size = layout.size

        // Colour cache (§5.2.3).
        if cacheBits > 0 {
            writer.write(1, count: 1)
            writer.write(UInt32(cacheBits), count: 4)
        } else {
            writer.write(0, count: 1)
        }

        // Per-tile histograms and their grouping (§6.2.2).
        var groupOfTile: [Int] = [0]
        var groupCount = 1
        var tileBits = 0
        var tilesX = 1
        if isMainImage, let requested = parameters.histogramBits {
            var bits = requested
            while bits < 9 && ((width + (1 << bits) - 1) >> bits) * ((height + (1 << bits) - 1) >> bits) > 2600 {
                bits += 1
            }
            tileBits = bits
            tilesX = (width + (1 << bits) - 1) >> bits
            let tilesY = (height + (1 << bits) - 1) >> bits
            let tileCount = tilesX * tilesY
            if tileCount > 1 {
                var tileHistograms = [UInt32](repeating: 0, count: tileCount * size)
                tileHistograms.withUnsafeMutableBufferPointer { h in
                    var x = 0, y = 0
                    for t in tokens {
                        let tile = (y >> bits) * tilesX + (x >> bits)
                        layout.add(t, to: h.baseAddress! + tile * size)
                        x += Int(t.length)
                        while x >= width { x -= width; y += 1 }
                    }
                }
                let clustering = VP8LHistogramClustering.cluster(
                    tileHistograms: tileHistograms, tileCount: tileCount, layout: layout,
                    parameters: parameters.clustering)
                groupOfTile = clustering.tileGroups
                groupCount = clustering.groupCount
            }
        }
        if isMainImage {
            if groupCount > 1 {
                writer.write(1, count: 1)
                writer.write(UInt32(tileBits - 2), count: 3)
                let entropyImage = groupOfTile.map { g in 0xff00_0000 | UInt32(g >> 8) << 16 | UInt32(g & 0xff) << 8 }
                writeSubimage(entropyImage, width: tilesX, height: groupOfTile.count / tilesX, parameters: parameters,
                              to: &writer)
            } else {
                writer.write(0, count: 1)
            }
        }

        // Group histograms, then the five codes of every group.
        var groupHistograms = [UInt32](repeating: 0, count: groupCount * size)
        groupHistograms.withUnsafeMutableBufferPointer { h in
            var x = 0, y = 0
            for t in tokens {
                let group = groupCount > 1 ? groupOfTile[(y >> tileBits) * tilesX + (x >> tileBits)] : 0
                layout.add(t, to: h.baseAddress! + group * size)
                x += Int(t.length)
                while x >= width { x -= width; y += 1 }
            }
        }
        var codes = [UInt32](repeating: 0, count: groupCount * size)
        var bitCounts = [UInt8](repeating: 0, count: groupCount * size)
        groupHistograms.withUnsafeBufferPointer { h in
            for g in 0..<groupCount {
                for r in layout.ranges {
                    let code = VP8LPrefixCode.write(
                        counts: UnsafeBufferPointer(rebasing: h[(g * size + r.lowerBound)..<(g * size + r.upperBound)]),
                        to: &writer)
                    for k in 0..<r.count {
                        codes[g * size + r.lowerBound + k] = code.codes[k]
                        bitCounts[g * size + r.lowerBound + k] = code.bitCounts[k]
                    }
                }
            }
        }

        // The coded pixels (§6.2.3).
        codes.withUnsafeBufferPointer { codeBuffer in
            bitCounts.withUnsafeBufferPointer { bitBuffer in
                var x = 0, y = 0
                for t in tokens {
                    let group = groupCount > 1 ? groupOfTile[(y >> tileBits) * tilesX + (x >> tileBits)] : 0
                    let c = codeBuffer.baseAddress! + group * size
                    let b = bitBuffer.baseAddress! + group * size
                    @inline(__always) func put(_ symbol: Int) { writer.write(c[symbol], count: Int(b[symbol])) }
                    switch t.kind {
                    case VP8LToken.literal:
                        let v = t.value
                        put(Int((v >> 8) & 0xff))
                        put(layout.redOffset + Int((v >> 16) & 0xff))
                        put(layout.blueOffset + Int(v & 0xff))
                        put(layout.alphaOffset + Int(v >> 24))
                    case VP8LToken.cacheIndex:
                        put(280 + Int(t.value))
                    default:
                        let length = VP8LPrefixCoding.encode(Int(t.length))
                        put(256 + length.symbol)
                        writer.write(UInt32(length.extraBits), count: length.extraBitCount)
                        let distance = VP8LPrefixCoding.encode(Int(t.value))
                        put(layout.distanceOffset + distance.symbol)
                        writer.write(UInt32(distance.extraBits), count: distance.extraBitCount)
                    }
                    x += Int(t.length)
                    while x >= width { x -= width; y += 1 }
                }
            }
        }
    }
}
