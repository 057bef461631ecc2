/// What the reconstruction does with each 4x4 block of a macroblock, two bits per block: 0 nothing (all
/// coefficients zero), 1 add the DC only, 2 full inverse DCT. Luma blocks 0-15 in raster order; chroma U 0-3 then
/// V 4-7.
struct VP8BlockCodes {
    var luma: UInt32 = 0
    var chroma: UInt32 = 0
    var isEmpty: Bool { luma | chroma == 0 }
}

extension VP8BoolDecoder {
    /// Reads and dequantizes all coefficients of a macroblock (RFC 6386 section 13, residual_data of 19.3) into
    /// `coefficients` (25 blocks... the Y2 block only transiently: its inverse WHT becomes the luma DC values),
    /// updating the non-zero contexts along the top (`above`) and left (`left`) edges.
    mutating func readResiduals(_ t: VP8TokenTables, subblockPredicted: Bool, quantizer q: VP8SegmentQuantizer,
                                above: inout VP8NonZeroContext, left: inout VP8NonZeroContext,
                                coefficients: UnsafeMutablePointer<Int16>) -> VP8BlockCodes {
        var first = 0
        var lumaType = VP8TokenDecoder.typeY1WithDC
        if !subblockPredicted {
            withUnsafeTemporaryAllocation(of: Int16.self, capacity: 16) { dcBuffer in
                let dc = dcBuffer.baseAddress!
                dc.initialize(repeating: 0, count: 16)
                let context = Int(above.y2 &+ left.y2)
                let n = readCoefficients(t, type: VP8TokenDecoder.typeY2, context: context, first: 0,
                                         dc: q.y2.dc, ac: q.y2.ac, out: dc)
                above.y2 = n > 0 ? 1 : 0
                left.y2 = above.y2
                if n > 1 {
                    VP8InverseTransform.inverseWHT(dc, coefficients)
                } else {
                    // Only the DC of Y2: the WHT gives every luma block (dc + 3) >> 3.
                    let v = Int16(truncatingIfNeeded: (Int32(dc[0]) &+ 3) &>> 3)
                    for i in 0..<16 { coefficients[16 * i] = v }
                }
            }
            first = 1
            lumaType = VP8TokenDecoder.typeY1AfterY2
        }
        var codes = VP8BlockCodes()
        var aboveBits = UInt32(above.blocks), leftBits = UInt32(left.blocks)
        for by in 0..<4 {
            var l = (leftBits >> UInt32(by)) & 1
            for bx in 0..<4 {
                let context = Int(l &+ ((aboveBits >> UInt32(bx)) & 1))
                let block = coefficients + 16 * (4 * by + bx)
                let n = readCoefficients(t, type: lumaType, context: context, first: first,
                                         dc: q.y1.dc, ac: q.y1.ac, out: block)
                l = n > first ? 1 : 0
                aboveBits = (aboveBits & ~(1 << UInt32(bx))) | (l << UInt32(bx))
                let code: UInt32 = n > 1 ? 2 : (block[0] != 0 ? 1 : 0)
                codes.luma |= code << UInt32(2 * (4 * by + bx))
            }
            leftBits = (leftBits & ~(1 << UInt32(by))) | (l << UInt32(by))
        }
        for plane in 0..<2 {
            for by in 0..<2 {
                let leftBit = UInt32(4 + 2 * plane + by)
                var l = (leftBits >> leftBit) & 1
                for bx in 0..<2 {
                    let aboveBit = UInt32(4 + 2 * plane + bx)
                    let context = Int(l &+ ((aboveBits >> aboveBit) & 1))
                    let index = 4 * plane + 2 * by + bx
                    let block = coefficients + 256 + 16 * index
                    let n = readCoefficients(t, type: VP8TokenDecoder.typeChroma, context: context, first: 0,
                                             dc: q.uv.dc, ac: q.uv.ac, out: block)
                    l = n > 0 ? 1 : 0
                    aboveBits = (aboveBits & ~(1 << aboveBit)) | (l << aboveBit)
                    let code: UInt32 = n > 1 ? 2 : (block[0] != 0 ? 1 : 0)
                    codes.chroma |= code << UInt32(2 * index)
                }
                leftBits = (leftBits & ~(1 << leftBit)) | (l << leftBit)
            }
        }
        above.blocks = UInt8(truncatingIfNeeded: aboveBits)
        left.blocks = UInt8(truncatingIfNeeded: leftBits)
        return codes
    }
}
