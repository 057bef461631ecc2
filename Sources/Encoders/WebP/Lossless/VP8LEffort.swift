/// What each effort level (0 fastest … 6 most thorough, like `cwebp -m`) does in the VP8L encoder. The table is
/// column by column, one entry per level; `level(_:)` assembles one level's row, which the encoder's stages read
/// instead of comparing effort numbers.
struct VP8LEffort {
    /// Coding of the main image and the sub-images (entropy tile size is for predicted images; palette images
    /// use two more).
    var image: VP8LImageWriter.Parameters
    /// Predictor tile size (log2) and the modes tried per tile (RFC 9649 §4.1).
    var predictorBits: Int
    var predictorModes: [Int]
    /// Cross-colour transform tile size (log2), or nil for none.
    var crossColorBits: Int?
    /// Encode the runner-up transform chain too (on the other core) and keep the smaller file.
    var tryAlternatives: Bool
    /// Images of at most this many pixels are coded with every transform chain (they are cheap, and the
    /// analysis' estimates are least reliable on them).
    var everyChainUpTo: Int
    /// Images of at most this many pixels also try predictor and cross-colour tiles half as wide.
    var finerTilesUpTo: Int

    private enum Table {
        // Match finder: chain candidates per pixel, window in rows, length that ends the search.
        static let chainIterations = [8, 16, 24, 32, 48, 64, 96]
        static let windowRows = [32, 64, 128, 256, 256, 1024, 4096]
        static let goodLength = [64, 128, 256, 256, 256, 512, 1024]
        // Entropy-image tile size (log2); nil: one group.
        static let histogramBits: [Int?] = [nil, 6, 5, 4, 3, 2, 2]
        // Cost-based parses after the simple ones, and the copy lengths they try one by one.
        static let costParses = [0, 0, 1, 1, 1, 2, 3]
        static let exhaustiveLengths = [4, 4, 8, 8, 8, 16, 16]
        static let recheckCache = [false, false, false, false, true, true, true]
        // Clustering: groups left when sampling hands over to the greedy merge; reassignment passes.
        static let greedyFrom = [16, 24, 32, 42, 42, 64, 100]
        static let refinePasses = [0, 1, 1, 1, 1, 2, 3]
        static let predictorBits = [5, 5, 5, 4, 4, 4, 4]
        static let crossColorBits: [Int?] = [nil, 5, 5, 5, 5, 4, 4]
        static let tryAlternatives = [false, false, false, false, false, true, true]
        static let everyChainUpTo = [0, 4096, 16384, 65536, 65536, 262_144, 262_144]
        static let finerTilesUpTo = [0, 0, 4096, 16384, 16384, 65536, 65536]
    }

    static func level(_ effort: Int) -> VP8LEffort {
        let e = max(0, min(6, effort))
        let image = VP8LImageWriter.Parameters(
            chain: .init(iterations: Table.chainIterations[e], windowRows: Table.windowRows[e],
                         goodLength: Table.goodLength[e]),
            maxCacheBits: 10, histogramBits: Table.histogramBits[e], costParses: Table.costParses[e],
            exhaustiveLengths: Table.exhaustiveLengths[e],
            // Literal and cache-hit bits weighed against copies in the cost-based parse: statistics taken from a
            // parse with few copies overstate what literals cost once copies take over.
            literalScale: 0.82, cacheScale: 0.68, recheckCache: Table.recheckCache[e],
            clustering: .init(greedyFrom: Table.greedyFrom[e], refinePasses: Table.refinePasses[e]))
        return VP8LEffort(image: image, predictorBits: Table.predictorBits[e],
                          predictorModes: e == 0 ? [1, 2, 11, 12] : Array(0..<14),
                          crossColorBits: Table.crossColorBits[e], tryAlternatives: Table.tryAlternatives[e],
                          everyChainUpTo: Table.everyChainUpTo[e], finerTilesUpTo: Table.finerTilesUpTo[e])
    }

    /// Coding parameters of the main image (palette images get larger entropy tiles: their symbols vary less).
    func imageParameters(palette: Bool) -> VP8LImageWriter.Parameters {
        var p = image
        p.histogramBits = image.histogramBits.map { min(9, $0 + (palette ? 2 : 0)) }
        return p
    }
}
