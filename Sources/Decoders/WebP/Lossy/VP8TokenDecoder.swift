import Raster

/// Dequantization factors of one segment (RFC 6386 section 14.1, as dwebp computes them: the Y2 AC factor is
/// q·155/100 with a floor of 8, the chroma DC index is capped at 117, i.e. a factor of at most 132).
struct VP8SegmentQuantizer {
    var y1: (dc: Int32, ac: Int32) = (0, 0)
    var y2: (dc: Int32, ac: Int32) = (0, 0)
    var uv: (dc: Int32, ac: Int32) = (0, 0)

    static func forSegments(_ h: VP8FrameHeader) -> [VP8SegmentQuantizer] {
        func clip(_ v: Int, _ high: Int) -> Int { v < 0 ? 0 : (v > high ? high : v) }
        let dc = VP8Tables.dcQuantizer, ac = VP8Tables.acQuantizer
        return (0..<4).map { s in
            var q = h.baseQuantizer
            if h.segmentationEnabled { q = h.segmentQuantizer[s] + (h.segmentValuesAbsolute ? 0 : h.baseQuantizer) }
            var m = VP8SegmentQuantizer()
            m.y1 = (dc[clip(q + h.yDCDelta, 127)], ac[clip(q, 127)])
            m.y2 = (dc[clip(q + h.y2DCDelta, 127)] * 2, max(8, ac[clip(q + h.y2ACDelta, 127)] * 155 / 100))
            m.uv = (dc[clip(q + h.uvDCDelta, 117)], ac[clip(q + h.uvACDelta, 127)])
            return m
        }
    }
}

/// Decoding the DCT/WHT coefficient tokens of a macroblock (RFC 6386 section 13) with the above/left non-zero
/// contexts, dequantizing as they are read.
///
/// Coefficients land in a 25-block buffer (16 luma, 4 U, 4 V, 16 values each, natural order; the Y2 block is
/// inverse-transformed into the luma DC positions right away). For each block a code tells the reconstruction
/// what to do: 0 nothing, 1 DC only, 2 full inverse DCT.
struct VP8TokenDecoder {
    /// Section 13.3 probabilities, [type][band][context][11] flattened; 4 block types.
    let probs: [UInt8]

    /// Coefficient position → offset of its band in a type's probabilities (band · 33); entry 16 is a sentinel.
    static let bandOffsets: [Int] = [0, 1, 2, 3, 6, 4, 5, 6, 6, 6, 6, 6, 6, 6, 6, 7, 0].map { $0 * 33 }
    /// Section 13: zigzag scan position → raster index within the 4x4 block.
    static let zigzag: [Int] = [0, 1, 4, 8, 5, 2, 3, 6, 9, 12, 13, 10, 7, 11, 14, 15]
    /// Section 13.2 extra-bits probabilities of dct_cat3...dct_cat6 (cat1 and cat2 are read inline).
    static let category3: [UInt8] = [173, 148, 140]
    static let category4: [UInt8] = [176, 155, 140, 135]
    static let category5: [UInt8] = [180, 157, 141, 134, 130]
    static let category6: [UInt8] = [254, 254, 243, 230, 196, 177, 153, 140, 133, 130, 129]

    /// Block types (section 13.3): 0 luma after Y2 (from position 1), 1 Y2, 2 chroma, 3 luma with DC.
    static let typeY1AfterY2 = 0, typeY2 = 1, typeChroma = 2, typeY1WithDC = 3

    init(probs: [UInt8]) { self.probs = probs }
}

/// Non-zero context flags of the blocks along a macroblock's edges: bits 0-3 the luma blocks, 4-5 U, 6-7 V
/// (left to right for the top edge, top to bottom for the left edge), and the Y2 block apart.
struct VP8NonZeroContext {
    var blocks: UInt8 = 0
    var y2: UInt8 = 0
}

/// Per-macroblock tables the token reader works with, kept in raw memory so the hot loop sees no bounds checks.
struct VP8TokenTables {
    let probs: UnsafeMutablePointer<UInt8>
    let bandOffsets: UnsafeMutablePointer<Int>
    let zigzag: UnsafeMutablePointer<Int>

    init(probs: [UInt8]) {
        self.probs = .allocate(capacity: probs.count)
        self.probs.initialize(from: probs, count: probs.count)
        bandOffsets = .allocate(capacity: 17)
        bandOffsets.initialize(from: VP8TokenDecoder.bandOffsets, count: 17)
        zigzag = .allocate(capacity: 16)
        zigzag.initialize(from: VP8TokenDecoder.zigzag, count: 16)
    }

    func deallocate() {
        probs.deallocate(); bandOffsets.deallocate(); zigzag.deallocate()
    }
}

extension VP8BoolDecoder {
    /// Reads the tokens of one block from position `first` with context `context` (0-2) into `out` (natural
    /// order), multiplying by `dc` at position 0 and `ac` elsewhere. Returns the position after the last token
    /// read before the end of block (16 when the block runs to its end), as dwebp's decoder does.
    @inline(__always)
    mutating func readCoefficients(_ t: VP8TokenTables, type: Int, context: Int, first: Int,
                                   dc: Int32, ac: Int32, out: UnsafeMutablePointer<Int16>) -> Int {
        let typeProbs = t.probs + type * 264
        var n = first
        var p = typeProbs + t.bandOffsets[n] + context * 11
        while n < 16 {
            if !readBit(p[0]) { return n }  // end of block
            while !readBit(p[1]) {          // DCT_0; an end of block cannot follow it
                n &+= 1
                if n == 16 { return 16 }
                p = typeProbs + t.bandOffsets[n]
            }
            let next = typeProbs + t.bandOffsets[n &+ 1]
            let magnitude: Int32
            if !readBit(p[2]) {
                magnitude = 1
                p = next + 11
            } else {
                magnitude = readLargeMagnitude(p)
                p = next + 22
            }
            let value = readSigned(magnitude) &* (n > 0 ? ac : dc)
            out[t.zigzag[n]] = Int16(truncatingIfNeeded: value)
            n &+= 1
        }
        return 16
    }

    /// Tokens DCT_2 ... dct_cat6 (section 13.2 coefficient tree from its "1111" branch, extra bits of 13.2).
    @inline(never)
    mutating func readLargeMagnitude(_ p: UnsafeMutablePointer<UInt8>) -> Int32 {
        if !readBit(p[3]) {
            if !readBit(p[4]) { return 2 }
            return 3 + (readBit(p[5]) ? 1 : 0)
        }
        if !readBit(p[6]) {
            if !readBit(p[7]) { return 5 + (readBit(159) ? 1 : 0) }                          // dct_cat1
            return 7 + 2 * (readBit(165) ? 1 : 0) + (readBit(145) ? 1 : 0)                 // dct_cat2
        }
        let high = readBit(p[8]) ? 1 : 0
        let category = 2 * high + (readBit(p[9 + high]) ? 1 : 0)                          // cat3 ... cat6
        let extra: [UInt8]
        switch category {
        case 0: extra = VP8TokenDecoder.category3
        case 1: extra = VP8TokenDecoder.category4
        case 2: extra = VP8TokenDecoder.category5
        default: extra = VP8TokenDecoder.category6
        }
        var v: Int32 = 0
        for prob in extra { v = v &* 2 &+ (readBit(prob) ? 1 : 0) }
        return v &+ 3 &+ (8 &<< Int32(category))
    }
}
