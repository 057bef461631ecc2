import Raster

/// Writes VP8L entropy-coded images (RFC 9649 §5 and §6.2): the colour-cache and meta-prefix headers, the
/// prefix-code groups and the coded pixels.
enum VP8LImageWriter {
    /// How hard the main image is coded.
    struct Parameters {
        var search: VP8LBackwardReferences.SearchParameters
        /// Largest colour cache tried (0 = no cache).
        var maxCacheBits: Int
        /// Tile size of the entropy image (log2), or nil for a single prefix-code group.
        var histogramBits: Int?
        var maxGroups: Int
        /// Move tiles between groups after merging.
        var refineGroups: Bool
        /// Cost-based parse passes after the greedy one (0 = greedy only).
        var parsePasses: Int = 0
        /// Match lengths tried exhaustively by the cost-based parse.
        var parseShortLengths: Int = 8
    }

    /// Writes a sub-image (transform data, entropy image, colour table): no meta prefix codes, one group.
    static func writeSubimage(_ pixels: [UInt32], width: Int, height: Int, to writer: inout LSBBitWriter) {
        let parameters = Parameters(search: .init(chainDepth: 8, minimumLength: 3), maxCacheBits: 0,
                                    histogramBits: nil, maxGroups: 1, refineGroups: false)
        write(pixels, width: width, height: height, isMainImage: false, parameters: parameters, to: &writer)
    }

    /// Writes an entropy-coded image; `isMainImage` adds the meta-prefix (entropy image) header.
    static func write(_ pixels: [UInt32], width: Int, height: Int, isMainImage: Bool, parameters: Parameters,
                      to writer: inout LSBBitWriter) {
        var tokens: [VP8LToken]
        let cacheBits: Int
        if parameters.parsePasses > 0 {
            let matches = VP8LOptimalParse.findMatches(pixels, width: width, chainDepth: parameters.search.chainDepth)
            // The first statistics come from literals alone: a greedy parse's many short matches would make
            // matches look cheap and literals dear, and the parse would then keep them.
            tokens = VP8LBackwardReferences.literals(pixels)
            cacheBits = VP8LBackwardReferences.chooseCacheBits(tokens: tokens, pixels: pixels,
                                                               maxBits: parameters.maxCacheBits)
            VP8LBackwardReferences.applyCache(tokens: &tokens, pixels: pixels, bits: cacheBits)
            for _ in 0..<parameters.parsePasses {
                if Job.current.isStopped { return }  // the encoder's checkpoint throws
                let model = VP8LOptimalParse.CostModel(tokens: tokens, cacheBits: cacheBits)
                tokens = VP8LOptimalParse.parse(pixels, matches: matches, width: width, cacheBits: cacheBits,
                                                model: model, shortLengths: parameters.parseShortLengths)
                VP8LBackwardReferences.applyCache(tokens: &tokens, pixels: pixels, bits: cacheBits)
            }
        } else {
            tokens = VP8LBackwardReferences.compute(pixels: pixels, width: width, height: height,
                                                    parameters: parameters.search)
            cacheBits = VP8LBackwardReferences.chooseCacheBits(tokens: tokens, pixels: pixels,
                                                               maxBits: parameters.maxCacheBits)
            VP8LBackwardReferences.applyCache(tokens: &tokens, pixels: pixels, bits: cacheBits)
        }
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
                    maxGroups: parameters.maxGroups, refine: parameters.refineGroups)
                groupOfTile = clustering.tileGroups
                groupCount = clustering.groupCount
            }
        }
        if isMainImage {
            if groupCount > 1 {
                writer.write(1, count: 1)
                writer.write(UInt32(tileBits - 2), count: 3)
                let entropyImage = groupOfTile.map { g in 0xff00_0000 | UInt32(g >> 8) << 16 | UInt32(g & 0xff) << 8 }
                writeSubimage(entropyImage, width: tilesX, height: groupOfTile.count / tilesX, to: &writer)
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
                        let length = VP8LBackwardReferences.prefixEncode(Int(t.length))
                        put(256 + length.symbol)
                        writer.write(UInt32(length.extraBits), count: length.extraBitCount)
                        let distance = VP8LBackwardReferences.prefixEncode(Int(t.value))
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
