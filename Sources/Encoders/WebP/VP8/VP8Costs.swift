import Raster
import Glibc

/// Bit costs in 1/256 bit: the currency of every rate estimate in the encoder.
enum VP8BitCost {
    /// Cost of coding a bool whose probability of being 0 is `p`/256: index `p * 2 + bit`.
    static let table: UnsafePointer<Int32> = {
        let t = UnsafeMutablePointer<Int32>.allocate(capacity: 512)
        for p in 0..<256 {
            let p0 = Double(max(p, 1)) / 256.0
            t[p * 2] = Int32((-log2(p0) * 256).rounded())
            t[p * 2 + 1] = Int32((-log2(max(1 - p0, 1.0 / 256)) * 256).rounded())
        }
        return UnsafePointer(t)
    }()

    @inline(__always) static func of(_ bit: Bool, _ probability: UInt8) -> Int32 {
        table[Int(probability) &* 2 &+ (bit ? 1 : 0)]
    }
    @inline(__always) static func of(_ bit: Bool, _ probability: Int) -> Int32 {
        table[probability &* 2 &+ (bit ? 1 : 0)]
    }
}

/// Token costs for one set of coefficient probabilities, laid out for the rate loops of mode decision:
/// for each block type, scan position and context, the cost of each magnitude 0...67 through the token tree
/// (including the "not end of block" branch when the previous coefficient was non-zero), plus a table of the
/// parts that do not depend on the probabilities (sign and category extra bits) and the end-of-block costs.
final class VP8LevelCosts {
    static let tableLevels = 68
    /// [type][position 0...15][ctx][68]: tree cost of a magnitude at that position.
    let tree: UnsafeMutablePointer<UInt16>
    /// [type][position 0...16][ctx]: cost of "end of block" before that position (position 16 unused).
    let endOfBlock: UnsafeMutablePointer<UInt16>
    /// [type][position][ctx]: cost of "not end of block" (only added explicitly for a block's first coefficient).
    let notEndOfBlock: UnsafeMutablePointer<UInt16>
    /// `VP8LevelCosts.fixed`, held here so the rate loops do not go through the lazy global.
    let fixedCosts: UnsafePointer<UInt16> = VP8LevelCosts.fixed
    /// Sign plus category extra bits of magnitudes 0...2047 (probability-independent).
    static let fixed: UnsafePointer<UInt16> = {
        let t = UnsafeMutablePointer<UInt16>.allocate(capacity: VP8Tokens.maxLevel + 1)
        t[0] = 0
        for v in 1...VP8Tokens.maxLevel {
            var c: Int32 = 256  // the sign bit, probability 1/2
            if v >= 5 {
                let cat = VP8Tokens.category(v)
                let probs = VP8Tokens.categoryProbs[cat]
                let extra = v - VP8Tokens.categoryBase[cat]
                var bit = probs.count - 1
                for p in probs { c += VP8BitCost.of((extra >> bit) & 1 == 1, p); bit -= 1 }
            }
            t[v] = UInt16(c)
        }
        return UnsafePointer(t)
    }()

    init(probabilities p: UnsafePointer<UInt8>) {
        let n = VP8LevelCosts.tableLevels
        tree = .allocate(capacity: 4 * 16 * 3 * n)
        endOfBlock = .allocate(capacity: 4 * 17 * 3)
        notEndOfBlock = .allocate(capacity: 4 * 17 * 3)
        var bandTable = [Int32](repeating: 0, count: 8 * 3 * n)
        for type in 0..<4 {
            for band in 0..<8 {
                for ctx in 0..<3 {
                    let q = p + ((type * 8 + band) * 3 + ctx) * 11
                    // After a zero there is no end-of-block branch; otherwise "more tokens" precedes the value.
                    let more = ctx > 0 ? VP8BitCost.of(true, q[0]) : 0
                    let t = (band * 3 + ctx) * n
                    bandTable[t] = VP8BitCost.of(false, q[1]) + more
                    for v in 1..<n {
                        var c = VP8BitCost.of(true, q[1]) + more + VP8BitCost.of(v > 1, q[2])
                        if v > 1 {
                            c += VP8BitCost.of(v > 4, q[3])
                            if v <= 4 {
                                c += VP8BitCost.of(v > 2, q[4])
                                if v > 2 { c += VP8BitCost.of(v == 4, q[5]) }
                            } else {
                                let cat = VP8Tokens.category(v)
                                c += VP8BitCost.of(cat >= 2, q[6])
                                if cat < 2 { c += VP8BitCost.of(cat == 1, q[7]) } else {
                                    c += VP8BitCost.of(cat >= 4, q[8])
                                    c += cat < 4 ? VP8BitCost.of(cat == 3, q[9]) : VP8BitCost.of(cat == 5, q[10])
                                }
                            }
                        }
                        bandTable[t + v] = c
                    }
                }
            }
            for pos in 0...16 {
                let band = VP8Tokens.bands[pos]
                for ctx in 0..<3 {
                    let q = p + ((type * 8 + band) * 3 + ctx) * 11
                    endOfBlock[(type * 17 + pos) * 3 + ctx] = UInt16(VP8BitCost.of(false, q[0]))
                    notEndOfBlock[(type * 17 + pos) * 3 + ctx] = UInt16(VP8BitCost.of(true, q[0]))
                    if pos < 16 {
                        let dst = tree + ((type * 16 + pos) * 3 + ctx) * n
                        for v in 0..<n { dst[v] = UInt16(bandTable[(band * 3 + ctx) * n + v]) }
                    }
                }
            }
        }
    }

    deinit { tree.deallocate(); endOfBlock.deallocate(); notEndOfBlock.deallocate() }

    /// Cost in 1/256 bit of one block's tokens (levels in scan order from `first`), as `VP8Tokens.emit` codes them.
    @inline(__always)
    func blockCost(_ levels: UnsafePointer<Int16>, first: Int, type: Int, context: Int) -> Int32 {
        var last = 15
        while last >= first && levels[last] == 0 { last -= 1 }
        let n = VP8LevelCosts.tableLevels
        if last < first { return Int32(endOfBlock[(type * 17 + first) * 3 + context]) }
        let fixed = fixedCosts
        var cost: Int32 = context == 0 ? Int32(notEndOfBlock[(type * 17 + first) * 3]) : 0
        var table = tree + ((type * 16 + first) * 3 + context) * n
        var pos = first
        var v = 0
        while true {
            let value = Int(levels[pos])
            v = value < 0 ? -value : value
            cost &+= Int32(table[v < n ? v : n - 1]) &+ Int32(fixed[v])
            if pos == last { break }
            pos += 1
            table = tree + ((type * 16 + pos) * 3 + (v >= 2 ? 2 : v)) * n
        }
        if last < 15 { cost &+= Int32(endOfBlock[(type * 17 + last + 1) * 3 + (v == 1 ? 1 : 2)]) }
        return cost
    }
}

/// Token statistics → coefficient probabilities (RFC 6386 section 13.4): a key frame starts from the default
/// table; each probability is replaced by the frame's own estimate where the bits saved pay for the update
/// flag and the 8-bit value.
enum VP8ProbabilityUpdate {
    /// Fills `probabilities` (1056) and `updated` from `counts` (`counts[2·i + bit]`); returns the bits (1/256)
    /// the update flags and values cost.
    @discardableResult
    static func choose(counts: UnsafePointer<UInt32>, probabilities: UnsafeMutablePointer<UInt8>,
                       updated: UnsafeMutablePointer<Bool>?) -> Int {
        var headerCost = 0
        VP8Tables.defaultCoefficientProbs.withUnsafeBufferPointer { defaults in
        VP8Tables.coefficientUpdateProbs.withUnsafeBufferPointer { updateProbs in
            for i in 0..<VP8Tokens.probabilityCount {
                let zeros = Int(counts[2 * i]), ones = Int(counts[2 * i + 1]), total = zeros + ones
                let old = Int(defaults[i]), up = Int(updateProbs[i])
                var use = false
                var proposed = old
                if total > 0 {
                    proposed = min(max((zeros * 256 + total / 2) / total, 1), 255)
                    let oldCost = zeros * Int(VP8BitCost.of(false, old)) + ones * Int(VP8BitCost.of(true, old))
                        + Int(VP8BitCost.of(false, up))
                    let newCost = zeros * Int(VP8BitCost.of(false, proposed)) + ones * Int(VP8BitCost.of(true, proposed))
                        + Int(VP8BitCost.of(true, up)) + 8 * 256
                    use = newCost < oldCost
                }
                probabilities[i] = UInt8(use ? proposed : old)
                updated?[i] = use
                headerCost += Int(VP8BitCost.of(use, up)) + (use ? 8 * 256 : 0)
            }
        } }
        return headerCost
    }
}
