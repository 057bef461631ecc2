/// The 4x4 transforms of RFC 6386 section 14. The inverse ones reproduce the decoder's integer arithmetic exactly
/// (sections 14.3 and 14.4), since the encoder predicts from what the decoder will reconstruct; the forward ones
/// are this encoder's own fixed-point approximations of their mathematical inverses.
///
/// Kernels work on a block as four `SIMD4<Int32>` rows; a pass along rows is done on the transposed block, so
/// every butterfly runs on four rows or columns at once.
enum VP8Transform {
    /// sqrt(2)·cos(π/8) − 1 and sqrt(2)·sin(π/8) in 16-bit fixed point (section 14.4).
    static let cosMinusOne: Int32 = 20091
    static let sine: Int32 = 35468

    typealias Rows = (SIMD4<Int32>, SIMD4<Int32>, SIMD4<Int32>, SIMD4<Int32>)

    /// Written as the two rounds of interleaves (32-bit, then 64-bit halves) that SSE2 does in eight
    /// `punpck*` instructions; gathering each output row lane by lane compiled to twice as many shuffles.
    @inline(__always) static func transpose(_ m: Rows) -> Rows {
        let low01 = SIMD4(m.0[0], m.1[0], m.0[1], m.1[1]), low23 = SIMD4(m.2[0], m.3[0], m.2[1], m.3[1])
        let high01 = SIMD4(m.0[2], m.1[2], m.0[3], m.1[3]), high23 = SIMD4(m.2[2], m.3[2], m.2[3], m.3[3])
        return (SIMD4(lowHalf: low01.lowHalf, highHalf: low23.lowHalf),
                SIMD4(lowHalf: low01.highHalf, highHalf: low23.highHalf),
                SIMD4(lowHalf: high01.lowHalf, highHalf: high23.lowHalf),
                SIMD4(lowHalf: high01.highHalf, highHalf: high23.highHalf))
    }

    /// Four pixels as Int32 lanes.
    @inline(__always) static func load4(_ p: UnsafePointer<UInt8>) -> SIMD4<Int32> {
        SIMD4<Int32>(truncatingIfNeeded: UnsafeRawPointer(p).loadUnaligned(as: SIMD4<UInt8>.self))
    }

    @inline(__always) static func loadRows(_ p: UnsafePointer<Int32>) -> Rows {
        let raw = UnsafeRawPointer(p)
        return (raw.loadUnaligned(as: SIMD4<Int32>.self), raw.loadUnaligned(fromByteOffset: 16, as: SIMD4<Int32>.self),
                raw.loadUnaligned(fromByteOffset: 32, as: SIMD4<Int32>.self),
                raw.loadUnaligned(fromByteOffset: 48, as: SIMD4<Int32>.self))
    }

    @inline(__always) static func storeRows(_ m: Rows, _ p: UnsafeMutablePointer<Int32>) {
        let raw = UnsafeMutableRawPointer(p)
        raw.storeBytes(of: m.0, as: SIMD4<Int32>.self)
        raw.storeBytes(of: m.1, toByteOffset: 16, as: SIMD4<Int32>.self)
        raw.storeBytes(of: m.2, toByteOffset: 32, as: SIMD4<Int32>.self)
        raw.storeBytes(of: m.3, toByteOffset: 48, as: SIMD4<Int32>.self)
    }

    /// Forward DCT of a 4x4 residual (`source − prediction`), coefficients in raster order, scaled like the
    /// decoder's input (about twice the orthonormal transform).
    @inline(__always)
    static func forwardDCT(source: UnsafePointer<UInt8>, sourceStride: Int, prediction: UnsafePointer<UInt8>,
                           predictionStride: Int, out: UnsafeMutablePointer<Int32>) {
        let d = (load4(source) &- load4(prediction),
                 load4(source + sourceStride) &- load4(prediction + predictionStride),
                 load4(source + 2 * sourceStride) &- load4(prediction + 2 * predictionStride),
                 load4(source + 3 * sourceStride) &- load4(prediction + 3 * predictionStride))
        storeRows(forwardDCT(residualRows: d), out)
    }

    /// Forward DCT of residual rows: differences of two pixels, so within ±255 (`fits16` relies on it).
    @inline(__always)
    static func forwardDCT(residualRows d: Rows) -> Rows {
        // Horizontal pass on columns (lanes = rows).
        let c = transpose(d)
        let a0 = c.0 &+ c.3, a1 = c.1 &+ c.2, a2 = fits16(c.1 &- c.2), a3 = fits16(c.0 &- c.3)
        let t0 = (a0 &+ a1) &<< 3, t2 = (a0 &- a1) &<< 3
        let t1 = (a2 &* 2217 &+ a3 &* 5352 &+ 1812) &>> 9
        let t3 = (a3 &* 2217 &- a2 &* 5352 &+ 937) &>> 9
        // Vertical pass on rows (lanes = columns).
        let r = transpose((t0, t1, t2, t3))
        let b0 = r.0 &+ r.3, b1 = r.1 &+ r.2, b2 = fits16(r.1 &- r.2), b3 = fits16(r.0 &- r.3)
        let o0 = (b0 &+ b1 &+ 7) &>> 4, o2 = (b0 &- b1 &+ 7) &>> 4
        let o1 = ((b2 &* 2217 &+ b3 &* 5352 &+ 12000) &>> 16) &+ b3.isNonZero
        let o3 = (b3 &* 2217 &- b2 &* 5352 &+ 51000) &>> 16
        return (o0, o1, o2, o3)
    }

    /// The lanes sign-extended from their low 16 bits: the identity for the forward DCT's differences, which fit
    /// (residuals are within ±255, so the first pass's differences are within ±510 and its outputs within
    /// ±(8·1020) and ±((510·(2217 + 5352) + 1812) >> 9) = ±7539; the second pass's differences are within ±15699).
    /// It lets the compiler see that, so each product with a 16-bit constant becomes one `pmaddwd` instead of
    /// SSE2's emulated 32-bit multiply (two `pmuludq` and three shuffles).
    @inline(__always) private static func fits16(_ v: SIMD4<Int32>) -> SIMD4<Int32> { (v &<< 16) &>> 16 }

    /// (v · 35468) >> 16 for 16-bit lanes, with the constant taken as 35468 − 65536 (a 16-bit value) plus v · 65536:
    /// the multiple of 65536 passes through the shift unchanged, so the result is exact.
    @inline(__always) private static func mulSine(_ v: SIMD4<Int32>) -> SIMD4<Int32> {
        v &+ ((v &* (sine - 65536)) &>> 16)
    }
    @inline(__always) private static func mulCos(_ v: SIMD4<Int32>) -> SIMD4<Int32> { v &+ ((v &* cosMinusOne) &>> 16) }

    /// Inverse DCT of dequantized coefficients (section 14.4: vertical pass first, then horizontal with rounding
    /// by 8), added to `prediction` and saturated into `destination`.
    ///
    /// The coefficients must lie within ±8191, so that every multiplied value fits 16 bits (`fits16`): the first
    /// pass multiplies inputs, the second sums of at most 2·8191 + (1.31 + 0.54)·8191 < 32768. The encoder's lie
    /// far inside: forward-DCT outputs are within ±2040, a quantised level times its step exceeds |coefficient|
    /// by less than two steps (rounding plus sharpening; steps ≤ 157), and a luma DC that went through the
    /// Walsh-Hadamard transform is off by at most 16 · 2 · 440 / 8 (Y2 steps ≤ 440) — all below ±3900.
    @inline(__always)
    static func inverseDCTAdd(_ input: UnsafePointer<Int32>, prediction: UnsafePointer<UInt8>, predictionStride: Int,
                              destination: UnsafeMutablePointer<UInt8>, destinationStride: Int) {
        let i = loadRows(input)
        // Vertical pass (lanes = columns).
        let a = i.0 &+ i.2, b = i.0 &- i.2
        let i1 = fits16(i.1), i3 = fits16(i.3)
        let c = mulSine(i1) &- mulCos(i3), d = mulCos(i1) &+ mulSine(i3)
        // Horizontal pass on the transposed rows (lanes = rows).
        let t = transpose((a &+ d, b &+ c, b &- c, a &- d))
        let four = SIMD4<Int32>(repeating: 4)
        let ha = t.0 &+ t.2 &+ four, hb = t.0 &- t.2 &+ four
        let t1 = fits16(t.1), t3 = fits16(t.3)
        let hc = mulSine(t1) &- mulCos(t3), hd = mulCos(t1) &+ mulSine(t3)
        let residual = transpose(((ha &+ hd) &>> 3, (hb &+ hc) &>> 3, (hb &- hc) &>> 3, (ha &- hd) &>> 3))
        addClamped(residual.0, prediction, destination)
        addClamped(residual.1, prediction + predictionStride, destination + destinationStride)
        addClamped(residual.2, prediction + 2 * predictionStride, destination + 2 * destinationStride)
        addClamped(residual.3, prediction + 3 * predictionStride, destination + 3 * destinationStride)
    }

    @inline(__always)
    private static func addClamped(_ r: SIMD4<Int32>, _ p: UnsafePointer<UInt8>, _ o: UnsafeMutablePointer<UInt8>) {
        let v = (r &+ load4(p)).maximum(SIMD4(repeating: 0)).minimum(SIMD4(repeating: 255))
        UnsafeMutableRawPointer(o).storeBytes(of: SIMD4<UInt8>(truncatingIfNeeded: v), as: SIMD4<UInt8>.self)
    }

    /// Forward Walsh-Hadamard transform of the 16 luma DC values (raster order of the subblocks): the exact
    /// inverse of section 14.3 up to rounding (H·X·H / 2, since the inverse computes H·Y·H / 8 and H·H = 4).
    static func forwardWHT(_ input: UnsafePointer<Int32>, out: UnsafeMutablePointer<Int32>) {
        let r = transpose(loadRows(input))
        // Horizontal pass on columns (lanes = rows).
        let a = r.0 &+ r.3, b = r.1 &+ r.2, c = r.1 &- r.2, d = r.0 &- r.3
        let t = transpose((a &+ b, c &+ d, a &- b, d &- c))
        let va = t.0 &+ t.3, vb = t.1 &+ t.2, vc = t.1 &- t.2, vd = t.0 &- t.3
        storeRows((halve(va &+ vb), halve(vc &+ vd), halve(va &- vb), halve(vd &- vc)), out)
    }

    /// Inverse WHT exactly as section 14.3: vertical pass, then horizontal with rounding by 8.
    static func inverseWHT(_ input: UnsafePointer<Int32>, out: UnsafeMutablePointer<Int32>) {
        let i = loadRows(input)
        let a = i.0 &+ i.3, b = i.1 &+ i.2, c = i.1 &- i.2, d = i.0 &- i.3
        let t = transpose((a &+ b, c &+ d, a &- b, d &- c))
        let three = SIMD4<Int32>(repeating: 3)
        let ha = t.0 &+ t.3, hb = t.1 &+ t.2, hc = t.1 &- t.2, hd = t.0 &- t.3
        storeRows(transpose(((ha &+ hb &+ three) &>> 3, (hc &+ hd &+ three) &>> 3,
                             (ha &- hb &+ three) &>> 3, (hd &- hc &+ three) &>> 3)), out)
    }

    /// Rounds half away from zero: v / 2.
    @inline(__always) static func halve(_ v: SIMD4<Int32>) -> SIMD4<Int32> {
        ((v.magnitude &+ 1) &>> 1).withSign(v.signMask)
    }

    @inline(__always) static func clamp255(_ v: Int32) -> UInt8 { UInt8(truncatingIfNeeded: v < 0 ? 0 : (v > 255 ? 255 : v)) }
}
