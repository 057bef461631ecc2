/// Step 5 of T.81 decoding: dequantisation (A.3.4) and the inverse DCT (A.3.3), in the accurate integer form that
/// libjpeg-turbo's default "islow" method computes, so that our pixels are bit-identical to djpeg's: the
/// Loeffler–Ligtenberg–Moschytz factorisation with 13-bit fixed-point constants, 2 extra bits of precision kept
/// between the column and row passes, round-half-up descaling and saturation to 0...255 after adding 128.
/// djpeg runs this as SIMD code in 16-bit lanes, and so do we, with the same lane widths: dequantisation products
/// and the sums the SIMD code forms in 16 bits wrap at 16 bits, each rotation is two products summed in 32 bits
/// (one `pmaddwd`), and the first pass saturates to 16 bits (JPEGIDCTExact spells the arithmetic out per sample).
/// Reduced-size variants (4x4, 2x2, 1x1 outputs, JPEGIDCTScaled) give the scaled decoding of `djpeg -scale 1/N`.
enum JPEGIDCT {
    static let constBits = 13
    static let pass1Bits = 2

    /// cos-derived multipliers as 13-bit fixed point: round(x * 2^13).
    static let f0_298631336: Int32 = 2446
    static let f0_390180644: Int32 = 3196
    static let f0_541196100: Int32 = 4433
    static let f0_765366865: Int32 = 6270
    static let f0_899976223: Int32 = 7373
    static let f1_175875602: Int32 = 9633
    static let f1_501321110: Int32 = 12299
    static let f1_847759065: Int32 = 15137
    static let f1_961570560: Int32 = 16069
    static let f2_053119869: Int32 = 16819
    static let f2_562915447: Int32 = 20995
    static let f3_072711026: Int32 = 25172
    // Used only by the reduced-size transforms.
    static let f0_211164243: Int32 = 1730
    static let f0_509795579: Int32 = 4176
    static let f0_601344887: Int32 = 4926
    static let f0_720959822: Int32 = 5906
    static let f0_850430095: Int32 = 6967
    static let f1_061594337: Int32 = 8697
    static let f1_272758580: Int32 = 10426
    static let f1_451774981: Int32 = 11893
    static let f2_172734803: Int32 = 17799
    static let f3_624509785: Int32 = 29692

    // The islow rotations rewritten as two products each (z1 = (z2 + z3)·c folded into both terms), the form a
    // 16-bit multiply-add computes; every value fits in 16 bits.
    /// Even part: tmp3 = in2·(0.541 + 0.765) + in6·0.541, tmp2 = in2·0.541 + in6·(0.541 − 1.848).
    static let c2PlusC6: Int32 = f0_541196100 + f0_765366865
    static let c6MinusC2: Int32 = f0_541196100 - f1_847759065
    /// Odd part: z3' = z3·(1.176 − 1.962) + z4·1.176, z4' = z3·1.176 + z4·(1.176 − 0.390).
    static let z3FromZ3: Int32 = f1_175875602 - f1_961570560
    static let z4FromZ4: Int32 = f1_175875602 - f0_390180644
    /// tmp0 = in7·(0.299 − 0.900) − in1·0.900 + z3', tmp3 = −in7·0.900 + in1·(1.501 − 0.900) + z4',
    /// tmp1 = in5·(2.053 − 2.563) − in3·2.563 + z4', tmp2 = −in5·2.563 + in3·(3.073 − 2.563) + z3'.
    static let t0From7: Int32 = f0_298631336 - f0_899976223
    static let t3From1: Int32 = f1_501321110 - f0_899976223
    static let t1From5: Int32 = f2_053119869 - f2_562915447
    static let t2From3: Int32 = f3_072711026 - f2_562915447

    typealias L = JPEGLanes

    /// The 8-point butterfly in lanes, outputs scaled by 2^constBits (before descaling).
    @inline(__always)
    static func butterfly(_ i0: Lanes16, _ i1: Lanes16, _ i2: Lanes16, _ i3: Lanes16, _ i4: Lanes16, _ i5: Lanes16,
                          _ i6: Lanes16, _ i7: Lanes16)
        -> (Lanes32, Lanes32, Lanes32, Lanes32, Lanes32, Lanes32, Lanes32, Lanes32) {
        let tmp3 = L.multiplyAdd(i2, c2PlusC6, i6, f0_541196100)
        let tmp2 = L.multiplyAdd(i2, f0_541196100, i6, c6MinusC2)
        let tmp0 = L.widen(i0 &+ i4) &<< Int32(constBits)
        let tmp1 = L.widen(i0 &- i4) &<< Int32(constBits)
        let t10 = tmp0 &+ tmp3, t13 = tmp0 &- tmp3, t11 = tmp1 &+ tmp2, t12 = tmp1 &- tmp2
        let z3 = i3 &+ i7, z4 = i1 &+ i5
        let z3r = L.multiplyAdd(z3, z3FromZ3, z4, f1_175875602)
        let z4r = L.multiplyAdd(z3, f1_175875602, z4, z4FromZ4)
        let o0 = L.multiplyAdd(i7, t0From7, i1, -f0_899976223) &+ z3r
        let o3 = L.multiplyAdd(i7, -f0_899976223, i1, t3From1) &+ z4r
        let o1 = L.multiplyAdd(i5, t1From5, i3, -f2_562915447) &+ z4r
        let o2 = L.multiplyAdd(i5, -f2_562915447, i3, t2From3) &+ z3r
        return (t10 &+ o3, t11 &+ o2, t12 &+ o1, t13 &+ o0, t13 &- o0, t12 &- o1, t11 &- o2, t10 &- o3)
    }

    /// Full 8x8 inverse DCT of one block into `out` (8 rows of 8 samples, `stride` apart): eight columns, then
    /// (after a transpose) eight rows at a time. `q` is the quantization table in natural order as 16-bit lanes
    /// (values above 32767 wrap, as in libjpeg-turbo's multiplier table).
    @inline(__always)
    static func idct8x8(_ coef: UnsafePointer<Int16>, _ q: UnsafePointer<Int16>, _ out: UnsafeMutablePointer<UInt8>,
                        _ stride: Int) {
        let raw = UnsafeRawPointer(coef), qraw = UnsafeRawPointer(q)
        @inline(__always) func row(_ k: Int) -> Lanes16 { raw.loadUnaligned(fromByteOffset: 16 &* k, as: Lanes16.self) }
        @inline(__always) func quant(_ k: Int) -> Lanes16 { qraw.loadUnaligned(fromByteOffset: 16 &* k, as: Lanes16.self) }
        let c1 = row(1), c2 = row(2), c3 = row(3), c4 = row(4), c5 = row(5), c6 = row(6), c7 = row(7)
        if L.isZero(c1 | c2 | c3 | c4 | c5 | c6 | c7) {
            rowZeroBlock(row(0) &* quant(0), out, stride)
            return
        }
        // Pass 1: columns (lane = column). Results are descaled to 16 bits; `overflow` collects lanes that would
        // saturate there, which only extreme coefficients reach: such a block goes to the per-sample code.
        let p = butterfly(row(0) &* quant(0), c1 &* quant(1), c2 &* quant(2), c3 &* quant(3), c4 &* quant(4),
                          c5 &* quant(5), c6 &* quant(6), c7 &* quant(7))
        var overflow = Lanes32(repeating: 0)
        @inline(__always) func pass1(_ x: Lanes32) -> Lanes32 {
            // (x + 2^10) >> 11 fits in 16 bits exactly when x + 2^10 + 2^26 lies in 0..<2^27; its high 16 bits
            // after a shift left by 5 are then the descaled value.
            let t = x &+ Lanes32(repeating: 1 << 10)
            overflow |= t &+ Lanes32(repeating: 1 << 26)
            return t &<< 5
        }
        let t0 = pass1(p.0), t1 = pass1(p.1), t2 = pass1(p.2), t3 = pass1(p.3)
        let t4 = pass1(p.4), t5 = pass1(p.5), t6 = pass1(p.6), t7 = pass1(p.7)
        let folded = unsafeBitCast(overflow, to: SIMD4<UInt64>.self)
        if (folded[0] | folded[1] | folded[2] | folded[3]) & 0xF800_0000_F800_0000 != 0 {
            JPEGIDCTExact.idct8x8(coef, q, out, stride)
            return
        }
        // Narrowing and the first round of the transpose in one step.
        let w = L.finishTranspose((L.zipNarrowLow(t0, t1), L.zipNarrowHigh(t0, t1), L.zipNarrowLow(t2, t3),
                                   L.zipNarrowHigh(t2, t3), L.zipNarrowLow(t4, t5), L.zipNarrowHigh(t4, t5),
                                   L.zipNarrowLow(t6, t7), L.zipNarrowHigh(t6, t7)))
        pass2(w, out, stride)
    }

    /// Pass 2: rows (lane = row) of the column results `w` (w.k = column k), removing both scale factors and the 8x
    /// gain of the 2-D transform, +128, saturated to bytes and stored as rows.
    @inline(__always)
    static func pass2(_ w: JPEGLanes.Rows, _ out: UnsafeMutablePointer<UInt8>, _ stride: Int) {
        let s = butterfly(w.0, w.1, w.2, w.3, w.4, w.5, w.6, w.7)
        @inline(__always) func sample(_ x: Lanes32) -> Lanes16 {
            // |x| < 2^31, so the descaled value has at least 19 sign bits and narrows without saturating.
            L.narrowLow((x &+ Lanes32(repeating: 1 << 17)) &>> 18) &+ 128
        }
        let r = L.transpose((sample(s.0), sample(s.1), sample(s.2), sample(s.3), sample(s.4), sample(s.5),
                             sample(s.6), sample(s.7)))
        L.storeRows(L.packBytes(r.0, r.1), out, stride)
        L.storeRows(L.packBytes(r.2, r.3), out + 2 &* stride, stride)
        L.storeRows(L.packBytes(r.4, r.5), out + 4 &* stride, stride)
        L.storeRows(L.packBytes(r.6, r.7), out + 6 &* stride, stride)
    }

    /// A block whose rows 1...7 are zero: libjpeg-turbo's SIMD code then takes every column's first pass as its
    /// dequantised DC × 4 in 16 bits (`dc`: row 0 dequantised). A block with only a DC coefficient is flat.
    @inline(never)
    static func rowZeroBlock(_ dc: Lanes16, _ out: UnsafeMutablePointer<UInt8>, _ stride: Int) {
        let w = dc &<< 2
        if L.isZero(w & Lanes16(0, -1, -1, -1, -1, -1, -1, -1)) {
            // Pass 2 of (w0, 0, ..., 0) is (w0·2^13 + 2^17) >> 18 = (w0 + 16) >> 5 in every lane.
            let v = UInt8(clamping: ((Int32(w[0]) &+ 16) &>> 5) &+ 128)
            let fill = UInt64(v) &* 0x0101_0101_0101_0101
            for r in 0..<8 { UnsafeMutableRawPointer(out + r &* stride).storeBytes(of: fill, as: UInt64.self) }
            return
        }
        @inline(__always) func splat(_ k: Int) -> Lanes16 { Lanes16(repeating: w[k]) }
        pass2((splat(0), splat(1), splat(2), splat(3), splat(4), splat(5), splat(6), splat(7)), out, stride)
    }
}
