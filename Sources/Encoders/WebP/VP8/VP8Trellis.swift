import Glibc

/// Trellis quantisation of one 4x4 block: instead of rounding each coefficient on its own, choose the levels of
/// the whole block that minimise λ·rate + distortion, where the rate of a level depends on its predecessor (the
/// token context, RFC 6386 section 13.3) and on where the block ends. A dynamic programme over scan positions with
/// two candidate levels per position (rounded down, and one more when rounding up is allowed).
enum VP8Trellis {
    /// Frequency weighting of the squared coefficient error (raster order): low frequencies, where errors are
    /// most visible, count more.
    /// The values of `weight(r, c)` written out (a constant load rather than a lazy global per block; the tests
    /// compare the two).
    @inline(__always) static var weights: SIMD16<Int32> { SIMD16(30, 27, 20, 12, 27, 25, 18, 11, 20, 18, 13, 8, 12, 11, 8, 5) }
    /// round(30 · e^(−0.1 · (r² + c²))).
    static func weight(_ r: Int, _ c: Int) -> Int32 { Int32((30.0 * exp(-0.1 * Double(r * r + c * c))).rounded()) }

    private struct Node { var score: Int64; var level: Int32; var previous: Int8 }

    /// Quantises `coefficients` (raster order, replaced by their dequantised values) from scan position `first`;
    /// writes levels in scan order. `context` is the neighbours' non-zero count (0...2). Returns whether any level
    /// is non-zero.
    static func quantize(_ coefficients: UnsafeMutablePointer<Int32>, first: Int, type: Int, context: Int,
                         matrix m: VP8QuantMatrix, lambda: Int64, costs: VP8LevelCosts,
                         levels: UnsafeMutablePointer<Int16>) -> Bool {
        let zigzag = VP8Tokens.zigzagPointer
        let tableLevels = VP8LevelCosts.tableLevels
        let fixed = costs.fixedCosts
        let fractionBits = VP8QuantMatrix.fractionBits
        let w = weights
        // Last position worth considering: the last coefficient above half an AC step, plus one.
        let halfStepSquared = Int64(m.step[1]) * Int64(m.step[1]) / 4
        var last = first - 1
        var n = 15
        while n >= first {
            let c = Int64(coefficients[zigzag[n]])
            if c * c > halfStepSquared { last = n; break }
            n -= 1
        }
        if last < 15 { last += 1 }

        // Everything zero: just the end-of-block.
        var bestScore = lambda * Int64(costs.endOfBlock[(type * 17 + first) * 3 + context])
        var bestEnd = -1, bestState = 0
        let original = UnsafeRawPointer(coefficients).loadUnaligned(as: SIMD16<Int32>.self)
        return withUnsafeTemporaryAllocation(of: Node.self, capacity: 32) { nb -> Bool in
            let node = nb.baseAddress!
            if last >= first {
                // Scores of the two states before position n, and the contexts they leave.
                let startRate = context == 0 ? Int64(costs.notEndOfBlock[(type * 17 + first) * 3]) : 0
                var previousScore = (lambda * startRate, Int64(0))
                var previousContext = (context, context)
                var previousAlive = (true, false)
                for n in first...last {
                    let j = zigzag[n]
                    let c = original[j]
                    let magnitude = (c < 0 ? -c : c) &+ m.sharpen[j]
                    let q = m.step[j]
                    let base = min((magnitude &* m.reciprocal[j]) >> fractionBits, VP8Quantize.maxLevel)
                    let ceiling = min((magnitude &* m.reciprocal[j] &+ (1 << (fractionBits - 1))) >> fractionBits,
                                      VP8Quantize.maxLevel)
                    let baseline = Int64(magnitude) * Int64(magnitude)
                    var score = (Int64(0), Int64(0))
                    var alive = (false, false)
                    var nextContext = (0, 0)
                    for state in 0..<2 {
                        let level = base + Int32(state)
                        if level > ceiling { continue }
                        let error = Int64(magnitude) - Int64(level) * Int64(q)
                        let distortion = Int64(w[j]) * (error * error - baseline)
                        let v = Int(level)
                        let fixedCost = Int64(fixed[v])
                        let clipped = v < tableLevels ? v : tableLevels - 1
                        var best = Int64.max, from = 0
                        if previousAlive.0 {
                            let table = costs.tree + ((type * 16 + n) * 3 + previousContext.0) * tableLevels
                            best = previousScore.0 + lambda * (Int64(table[clipped]) + fixedCost)
                        }
                        if previousAlive.1 {
                            let table = costs.tree + ((type * 16 + n) * 3 + previousContext.1) * tableLevels
                            let s = previousScore.1 + lambda * (Int64(table[clipped]) + fixedCost)
                            if s < best { best = s; from = 1 }
                        }
                        if best == .max { continue }
                        let total = best + VP8Score.distortionScale * distortion
                        node[n * 2 + state] = Node(score: total, level: level, previous: Int8(from))
                        if state == 0 { score.0 = total; alive.0 = true; nextContext.0 = min(v, 2) }
                        else { score.1 = total; alive.1 = true; nextContext.1 = min(v, 2) }
                        if level != 0 {
                            let end = n < 15
                                ? lambda * Int64(costs.endOfBlock[(type * 17 + n + 1) * 3 + (v == 1 ? 1 : 2)]) : 0
                            if total + end < bestScore { bestScore = total + end; bestEnd = n; bestState = state }
                        }
                    }
                    previousScore = score; previousAlive = alive; previousContext = nextContext
                }
            }
            for i in 0..<16 { levels[i] = 0; coefficients[i] = 0 }
            if bestEnd < 0 { return false }
            var state = bestState
            var n = bestEnd
            var any = false
            while n >= first {
                let entry = node[n * 2 + state]
                let j = zigzag[n]
                let signed = original[j] < 0 ? -entry.level : entry.level
                levels[n] = Int16(truncatingIfNeeded: signed)
                coefficients[j] = signed &* m.step[j]
                if entry.level != 0 { any = true }
                state = Int(entry.previous)
                n -= 1
            }
            return any
        }
    }
}
