/// Coefficient token coding of RFC 6386 section 13: tree-coded tokens with contexts (block type, band,
/// neighbourhood), extra bits for the large categories.
enum VP8Tokens {
    /// Section 13: coefficient scan order (zigzag) and the band of each scan position (16 = past the end).
    static let zigzag: [Int] = [0, 1, 4, 8, 5, 2, 3, 6, 9, 12, 13, 10, 7, 11, 14, 15]
    static let bands: [Int] = [0, 1, 2, 3, 6, 4, 5, 6, 6, 6, 6, 6, 6, 6, 6, 7, 0]
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
    /// Probabilities per context: [4 types][8 bands][3 contexts][11 nodes].
    static let probabilityCount = 4 * 8 * 3 * 11

    /// Raw tables, to keep bounds checks out of the hot loops.
    static let zigzagPointer: UnsafePointer<Int> = table(zigzag)
    static let bandPointer: UnsafePointer<Int> = table(bands)
    private static func table(_ values: [Int]) -> UnsafePointer<Int> {
        let p = UnsafeMutablePointer<Int>.allocate(capacity: values.count)
        p.initialize(from: values, count: values.count)
        return UnsafePointer(p)
    }

    /// Category (0...5) of magnitudes ≥ 5.
    @inline(__always) static func category(_ v: Int) -> Int {
        v < 7 ? 0 : v < 11 ? 1 : v < 19 ? 2 : v < 35 ? 3 : v < 67 ? 4 : 5
    }
}

/// Receives the bools of token coding (`VP8TokenRecorder` counts and records them).
protocol VP8TokenSink {
    /// A bool coded with the adaptive coefficient probability at flat index `index` of the [4][8][3][11] table.
    mutating func putCoefficientBit(_ bit: Bool, index: Int)
    /// A bool with a fixed probability (extra bits, signs).
    mutating func putFixed(_ bit: Bool, _ probability: Int)
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
        let bands = bandPointer
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

    /// Walks one macroblock's 25 blocks (`levels`: Y 0–15, U 16–19, V 20–23, Y2 24, 16 each in scan order) in
    /// bitstream order with the decoder's contexts (section 13.3), updating `topNz` (9 flags of this column) and
    /// `leftNz` (9 flags of this row): 4 Y, 2 U, 2 V, 1 Y2.
    @inline(__always)
    static func emitMacroblock<S: VP8TokenSink>(_ levels: UnsafePointer<Int16>, isI4: Bool,
                                                topNz: UnsafeMutablePointer<UInt8>, leftNz: UnsafeMutablePointer<UInt8>,
                                                into sink: inout S) {
        if !isI4 {
            let nz = emit(levels + 384, first: 0, type: typeY2, context: Int(topNz[8] &+ leftNz[8]), into: &sink)
            topNz[8] = nz ? 1 : 0; leftNz[8] = nz ? 1 : 0
        }
        let yType = isI4 ? typeYWithDC : typeYAfterY2
        for k in 0..<16 {
            let r = k >> 2, c = k & 3
            let nz = emit(levels + k * 16, first: isI4 ? 0 : 1, type: yType, context: Int(topNz[c] &+ leftNz[r]),
                          into: &sink)
            topNz[c] = nz ? 1 : 0; leftNz[r] = nz ? 1 : 0
        }
        for plane in 0..<2 {
            for k in 0..<4 {
                let r = k >> 1, c = k & 1
                let ti = 4 + plane * 2 + c, li = 4 + plane * 2 + r
                let nz = emit(levels + 256 + (plane * 4 + k) * 16, first: 0, type: typeChroma,
                              context: Int(topNz[ti] &+ leftNz[li]), into: &sink)
                topNz[ti] = nz ? 1 : 0; leftNz[li] = nz ? 1 : 0
            }
        }
    }
}
