/// Chooses the transform chain of a VP8L image (RFC 9649 §4) before anything is coded: for each chain, the
/// entropy of the symbols it would leave, counted over the pixels that a copy of the left or upper neighbour would
/// not already cover (those cost about the same under every chain).
enum VP8LAnalysis {
    enum Chain: CaseIterable {
        /// No transform.
        case direct
        /// Subtract green only.
        case subtractGreen
        /// Predictor and cross-colour.
        case predicted
        /// Subtract green, predictor and cross-colour.
        case predictedSubtractGreen
        /// Colour indexing (with pixel bundling for small palettes).
        case palette
    }

    struct Result {
        /// Chains from the most to the least promising, with their estimated bits.
        var ranking: [(chain: Chain, bits: Double)]
        /// Red and blue are zero in the residuals of the best chain: cross-colour has nothing to decorrelate.
        var redAndBlueAlwaysZero: Bool
    }

    /// `transformBits`: predictor / cross-colour tile size (log2), whose per-tile data the estimate charges.
    static func analyze(_ argb: [UInt32], width: Int, height: Int, paletteSize: Int?, transformBits: Int) -> Result {
        // Few colours: indexing with bundling beats every other chain in practice.
        if let n = paletteSize, n <= 16 {
            return Result(ranking: [(.palette, 0)], redAndBlueAlwaysZero: true)
        }
        // Histograms, 256 bins each: A R G B of the pixel, A R G B of its difference to the left pixel, R−G and B−G
        // of both, and a hash of the pixel standing for its palette index.
        let bins = 13
        var h = [UInt32](repeating: 0, count: bins * 256)
        argb.withUnsafeBufferPointer { px in
            h.withUnsafeMutableBufferPointer { hb in
                let p = px.baseAddress!, c = hb.baseAddress!
                @inline(__always) func add(_ table: Int, _ value: UInt32) { c[table * 256 + Int(value & 0xff)] &+= 1 }
                var previous = p[0]
                for y in 0..<height {
                    for x in 0..<width {
                        let i = y * width + x
                        let v = p[i]
                        let d = VP8LPredictorKernels.subtractPixels(v, previous)
                        previous = v
                        if d == 0 || (y > 0 && v == p[i - width]) { continue }
                        add(0, v >> 24); add(1, v >> 16); add(2, v >> 8); add(3, v)
                        add(4, d >> 24); add(5, d >> 16); add(6, d >> 8); add(7, d)
                        add(8, (v >> 16) &- (v >> 8)); add(9, v &- (v >> 8))
                        add(10, (d >> 16) &- (d >> 8)); add(11, d &- (d >> 8))
                        add(12, ((v &+ (v >> 19)) &* 0x39c5_fba7) >> 24)
                    }
                }
                // The skipped pixels hide the zero residuals; one keeps them from looking impossible.
                for table in [4, 5, 6, 7, 10, 11] { c[table * 256] &+= 1 }
            }
        }
        var entropy = [Double](repeating: 0, count: bins)
        h.withUnsafeBufferPointer { hb in
            for table in 0..<bins {
                entropy[table] = VP8LEntropy.populationBits(hb.baseAddress! + table * 256, nil, 256)
            }
        }
        let tiles = Double(((width + (1 << transformBits) - 1) >> transformBits)
                           * ((height + (1 << transformBits) - 1) >> transformBits))
        var ranking: [(chain: Chain, bits: Double)] = [
            (.direct, entropy[0] + entropy[1] + entropy[2] + entropy[3]),
            (.predicted, entropy[4] + entropy[5] + entropy[6] + entropy[7] + tiles * (3.8 + 4.6)),
            (.subtractGreen, entropy[0] + entropy[8] + entropy[2] + entropy[9]),
            (.predictedSubtractGreen, entropy[4] + entropy[10] + entropy[6] + entropy[11] + tiles * (3.8 + 4.6)),
        ]
        if let n = paletteSize { ranking.append((.palette, entropy[12] + Double(n) * 8)) }
        ranking.sort { $0.bits < $1.bits }
        let (redTable, blueTable): (Int, Int)
        switch ranking[0].chain {
        case .direct, .palette: (redTable, blueTable) = (1, 3)
        case .predicted: (redTable, blueTable) = (5, 7)
        case .subtractGreen: (redTable, blueTable) = (8, 9)
        case .predictedSubtractGreen: (redTable, blueTable) = (10, 11)
        }
        var zero = true
        for v in 1..<256 where h[redTable * 256 + v] != 0 || h[blueTable * 256 + v] != 0 { zero = false; break }
        return Result(ranking: ranking, redAndBlueAlwaysZero: zero)
    }
}
