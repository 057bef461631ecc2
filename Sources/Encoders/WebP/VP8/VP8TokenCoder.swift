import Glibc

/// Coefficient token coding of RFC 6386 section 13: tree-coded tokens with contexts (block type, band,
/// neighbourhood), extra bits for the large categories, and the matching cost model used by mode decision.
enum VP8Tokens {
    /// Section 13: coefficient scan order (zigzag) and the band of each scan position.
    static let zigzag: [Int] = [0, 1, 4, 8, 5, 2, 3, 6, 9, 12, 13, 10, 7, 11, 14, 15]
    static let bands: [Int] = [0, 1, 2, 3, 6, 4, 5, 6, 6, 6, 6, 6, 6, 6, 6, 7]
    /// Section 13.2: DCT_CAT1...DCT_CAT6 base values and extra-bit probabilities.
    static let categoryBase: [Int] = [5, 7, 11, 19, 35, 67]
    static let categoryProbs: [[UInt8]] = [
        [159], [165, 145], [173, 148, 140], [176, 155, 140, 135], [180, 157, 141, 134, 130],
        [254, 254, 243, 230, 196, 177, 153, 140, 133, 130, 129],
    ]
    /// Largest magnitude a token can carry (DCT_CAT6: 67 + 11 extra bits).
    static let maxLevel = 2047

    /// Block types (the first index of the probability tables, section 13.3).
    static let typeYAfterY2 = 0, typeY2 = 1, typeChroma = 2, typeYWithDC = 3

    /// Cost in 1/256 bit of coding a bool whose probability of being 0 is `p`/256: index `p * 2 + bit`.
    static let bitCost: [Int32] = {
        var t = [Int32](repeating: 0, count: 512)
        for p in 0..<256 {
            let p0 = Double(max(p, 1)) / 256.0
            t[p * 2] = Int32((-log2(p0) * 256).rounded())
            t[p * 2 + 1] = Int32((-log2(1 - p0 + (p == 0 ? 0 : 0)) * 256).rounded())
        }
        return t
    }()

    /// Category (0...5) and extra value of magnitudes ≥ 5.
    @inline(__always) static func category(_ v: Int) -> Int {
        v < 7 ? 0 : v < 11 ? 1 : v < 19 ? 2 : v < 35 ? 3 : v < 67 ? 4 : 5
    }
}

/// Receives the bools of token coding: the bool encoder writes them, the statistics collector counts them.
protocol VP8TokenSink {
    /// A bool coded with the adaptive coefficient probability at flat index `index` of the [4][8][3][11] table.
    mutating func putCoefficientBit(_ bit: Bool, index: Int)
    /// A bool with a fixed probability (extra bits, signs).
    mutating func putFixed(_ bit: Bool, _ probability: Int)
}

/// Counts, per coefficient probability, how often each branch was taken.
struct VP8TokenStatistics: VP8TokenSink {
    var zeros = [UInt32](repeating: 0, count: 1056)
    var totals = [UInt32](repeating: 0, count: 1056)
    @inline(__always) mutating func putCoefficientBit(_ bit: Bool, index: Int) {
        totals[index] &+= 1
        if !bit { zeros[index] &+= 1 }
    }
    @inline(__always) mutating func putFixed(_ bit: Bool, _ probability: Int) {}
}

/// Writes token bools through a bool encoder with the frame's coefficient probabilities.
struct VP8TokenWriter: VP8TokenSink {
    var encoder: VP8BoolEncoder
    let probabilities: [UInt8]
    @inline(__always) mutating func putCoefficientBit(_ bit: Bool, index: Int) {
        encoder.put(bit, Int(probabilities[index]))
    }
    @inline(__always) mutating func putFixed(_ bit: Bool, _ probability: Int) { encoder.put(bit, probability) }
}

extension VP8Tokens {
    /// Emits one block's tokens (levels in scan order, `first` 0 or 1) starting in neighbourhood context `context`;
    /// returns whether the block had a non-zero coefficient (the context bit it leaves for its neighbours).
    @inline(__always)
    static func emit<S: VP8TokenSink>(_ levels: UnsafePointer<Int16>, first: Int, type: Int, context: Int,
                                      into sink: inout S) -> Bool {
        var last = 15
        while last >= first && levels[last] == 0 { last -= 1 }
        var ctx = context
        var n = first
        var afterZero = false
        while n <= 15 {
            let base = ((type * 8 + bands[n]) * 3 + ctx) * 11
            if !afterZero {
                // Node 0: end of block, or more tokens.
                sink.putCoefficientBit(n <= last, index: base)
                if n > last { break }
            }
            let value = Int(levels[n])
            let magnitude = value < 0 ? -value : value
            sink.putCoefficientBit(magnitude != 0, index: base + 1)
            if magnitude == 0 {
                ctx = 0; afterZero = true; n += 1
                continue
            }
            afterZero = false
            sink.putCoefficientBit(magnitude > 1, index: base + 2)
            if magnitude > 1 {
                sink.putCoefficientBit(magnitude > 4, index: base + 3)
                if magnitude <= 4 {
                    sink.putCoefficientBit(magnitude > 2, index: base + 4)
                    if magnitude > 2 { sink.putCoefficientBit(magnitude == 4, index: base + 5) }
                } else {
                    let cat = category(magnitude)
                    sink.putCoefficientBit(cat >= 2, index: base + 6)
                    if cat < 2 {
                        sink.putCoefficientBit(cat == 1, index: base + 7)
                    } else {
                        sink.putCoefficientBit(cat >= 4, index: base + 8)
                        if cat < 4 { sink.putCoefficientBit(cat == 3, index: base + 9) }
                        else { sink.putCoefficientBit(cat == 5, index: base + 10) }
                    }
                    let probs = categoryProbs[cat]
                    let extra = magnitude - categoryBase[cat]
                    var bit = probs.count - 1
                    for p in probs { sink.putFixed((extra >> bit) & 1 == 1, Int(p)); bit -= 1 }
                }
            }
            sink.putFixed(value < 0, 128)
            ctx = magnitude == 1 ? 1 : 2
            n += 1
        }
        return last >= first
    }
}

/// Token costs for one set of coefficient probabilities: for each (type, band, context) the cost of every
/// magnitude 0...67 (the tree path without the end-of-block branch, plus sign and the extra bits up to 67),
/// and the cost of the end-of-block branch.
final class VP8CostTables {
    /// [type][band][ctx][68] flattened.
    let levelCost: UnsafeMutablePointer<Int32>
    /// [type][band][ctx][2]: cost of "not end of block" (index 0... stored as [.., 0] = EOB, [.., 1] = more).
    let eobCost: UnsafeMutablePointer<Int32>
    /// Extra cost for magnitudes above 67 (category 6 extra bits beyond the base), indexed by magnitude.
    let largeCost: [Int32]

    init(probabilities: [UInt8]) {
        levelCost = .allocate(capacity: 96 * 68)
        eobCost = .allocate(capacity: 96 * 2)
        let bc = VP8Tokens.bitCost
        @inline(__always) func cost(_ p: UInt8, _ bit: Bool) -> Int32 { bc[Int(p) * 2 + (bit ? 1 : 0)] }
        func extraCost(_ magnitude: Int) -> Int32 {
            let cat = VP8Tokens.category(magnitude)
            let probs = VP8Tokens.categoryProbs[cat]
            let extra = magnitude - VP8Tokens.categoryBase[cat]
            var total: Int32 = 0
            var bit = probs.count - 1
            for p in probs { total += cost(p, (extra >> bit) & 1 == 1); bit -= 1 }
            return total
        }
        for ctxIndex in 0..<96 {
            let p = Array(probabilities[(ctxIndex * 11)..<(ctxIndex * 11 + 11)])
            eobCost[ctxIndex * 2] = cost(p[0], false)
            eobCost[ctxIndex * 2 + 1] = cost(p[0], true)
            for v in 0...67 {
                var c = cost(p[1], v != 0)
                if v > 0 {
                    c += 256 + cost(p[2], v > 1)
                    if v > 1 {
                        c += cost(p[3], v > 4)
                        if v <= 4 {
                            c += cost(p[4], v > 2)
                            if v > 2 { c += cost(p[5], v == 4) }
                        } else {
                            let cat = VP8Tokens.category(v)
                            c += cost(p[6], cat >= 2)
                            if cat < 2 { c += cost(p[7], cat == 1) } else {
                                c += cost(p[8], cat >= 4)
                                c += cat < 4 ? cost(p[9], cat == 3) : cost(p[10], cat == 5)
                            }
                            c += extraCost(v)
                        }
                    }
                }
                levelCost[ctxIndex * 68 + v] = c
            }
        }
        var large = [Int32](repeating: 0, count: VP8Tokens.maxLevel + 1)
        let base67 = extraCost(67)
        for v in 68...VP8Tokens.maxLevel { large[v] = extraCost(v) - base67 }
        largeCost = large
    }

    deinit { levelCost.deallocate(); eobCost.deallocate() }

    /// Cost in 1/256 bit of one block's tokens, as `VP8Tokens.emit` would code them.
    @inline(__always)
    func blockCost(_ levels: UnsafePointer<Int16>, first: Int, type: Int, context: Int) -> Int32 {
        var last = 15
        while last >= first && levels[last] == 0 { last -= 1 }
        var ctx = context
        let typeBase = type * 24
        if last < first { return eobCost[(typeBase + VP8Tokens.bands[first] * 3 + ctx) * 2] }
        var total: Int32 = 0
        var afterZero = false
        var n = first
        while n <= last {
            let ci = typeBase + VP8Tokens.bands[n] * 3 + ctx
            if !afterZero { total += eobCost[ci * 2 + 1] }
            let value = Int(levels[n])
            let m = value < 0 ? -value : value
            if m <= 67 { total += levelCost[ci * 68 + m] } else {
                total += levelCost[ci * 68 + 67] + largeCost[min(m, VP8Tokens.maxLevel)]
            }
            afterZero = m == 0
            ctx = m == 0 ? 0 : (m == 1 ? 1 : 2)
            n += 1
        }
        if last < 15 { total += eobCost[(typeBase + VP8Tokens.bands[last + 1] * 3 + ctx) * 2] }
        return total
    }
}
