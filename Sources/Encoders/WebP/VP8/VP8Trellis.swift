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
        // The per-position values indexed by scan position go through memory once: indexing a SIMD16 with a
        // run-time index makes the compiler spill the whole vector at every use, which was most of this function's
        // time.
        var table = (original, m.sharpen, m.step, m.reciprocal, w)
        return withUnsafeTemporaryAllocation(of: Node.self, capacity: 32) { nb -> Bool in
          withUnsafeMutableBytes(of: &table) { raw -> Bool in
            let values = raw.baseAddress!.assumingMemoryBound(to: Int32.self)
            let originalAt = values, sharpenAt = values + 16, stepAt = values + 32, reciprocalAt = values + 48
            let weightAt = values + 64
            let node = nb.baseAddress!
            if last >= first {
                // Scores of the two states before position n, and the contexts they leave. A state that cannot
                // exist (state 1 when rounding up is not allowed) scores `unreachable`: far above any real score
                // and far from overflow, so the minima and comparisons below drop it without a branch. State 0
                // always exists (the rounded-down level never exceeds the rounded one).
                let unreachable = Int64(1) << 60
                let startRate = context == 0 ? Int64(costs.notEndOfBlock[(type * 17 + first) * 3]) : 0
                var previousScore = (lambda * startRate, unreachable)
                var previousContext = (context, context)
                for n in first...last {
                    let j = zigzag[n]
                    let c = originalAt[j]
                    let magnitude = (c < 0 ? -c : c) &+ sharpenAt[j]
                    let q = Int64(stepAt[j])
                    let base = min((magnitude &* reciprocalAt[j]) >> fractionBits, VP8Quantize.maxLevel)
                    let ceiling = min((magnitude &* reciprocalAt[j] &+ (1 << (fractionBits - 1))) >> fractionBits,
                                      VP8Quantize.maxLevel)
                    let baseline = Int64(magnitude) &* Int64(magnitude)
                    let weight = Int64(weightAt[j])
                    let tree = costs.tree + (type * 16 + n) * 3 * tableLevels
                    let tree0 = tree + previousContext.0 * tableLevels, tree1 = tree + previousContext.1 * tableLevels
                    let endCosts = costs.endOfBlock + (type * 17 + n + 1) * 3
                    /// The best way to reach `level` here (from state 0 or 1; ties go to 0), and the score of
                    /// ending the block after it (unreachable for a zero level, which cannot end a block).
                    @inline(__always) func reach(_ level: Int32) -> (total: Int64, from: Int8, ended: Int64) {
                        // Wrapping arithmetic: every term is far below 2^62 (levels ≤ 2047, costs < 2^16).
                        let error = Int64(magnitude) &- Int64(level) &* q
                        let distortion = weight &* (error &* error &- baseline)
                        let v = Int(level)
                        let clipped = v < tableLevels ? v : tableLevels - 1
                        let fixedCost = Int64(fixed[v])
                        let s0 = previousScore.0 &+ lambda &* (Int64(tree0[clipped]) &+ fixedCost)
                        let s1 = previousScore.1 &+ lambda &* (Int64(tree1[clipped]) &+ fixedCost)
                        let total = (s1 < s0 ? s1 : s0) &+ VP8Score.distortionScale &* distortion
                        let end = n < 15 ? lambda &* Int64(endCosts[v == 1 ? 1 : 2]) : 0
                        return (total, s1 < s0 ? 1 : 0, v == 0 ? unreachable : total &+ end)
                    }
                    let down = reach(base)
                    // The level above `base` is looked up clamped (it may be maxLevel + 1) and dropped when
                    // rounding up is not allowed.
                    let upLevel = min(base + 1, VP8Quantize.maxLevel)
                    var up = reach(upLevel)
                    if base + 1 > ceiling { up = (unreachable, 0, unreachable) }
                    node[n * 2] = Node(score: down.total, level: base, previous: down.from)
                    node[n * 2 + 1] = Node(score: up.total, level: base + 1, previous: up.from)
                    if down.ended < bestScore { bestScore = down.ended; bestEnd = n; bestState = 0 }
                    if up.ended < bestScore { bestScore = up.ended; bestEnd = n; bestState = 1 }
                    previousScore = (down.total, up.total)
                    previousContext = (Int(min(base, 2)), Int(min(base + 1, 2)))
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
                let signed = originalAt[j] < 0 ? -entry.level : entry.level
                levels[n] = Int16(truncatingIfNeeded: signed)
                coefficients[j] = signed &* stepAt[j]
                if entry.level != 0 { any = true }
                state = Int(entry.previous)
                n -= 1
            }
            return any
          }
        }
    }
}
