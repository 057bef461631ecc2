/// Step 5 of T.81 decoding: dequantisation (A.3.4) and the inverse DCT (A.3.3), in the accurate integer form that
/// libjpeg-turbo's default "islow" method computes, so that our pixels are bit-identical to djpeg's: the
/// Loeffler–Ligtenberg–Moschytz factorisation with 13-bit fixed-point constants, 2 extra bits of precision kept
/// between the column and row passes, round-half-up descaling and saturation to 0...255 after adding 128.
/// Reduced-size variants (4x4, 2x2, 1x1 outputs) give the scaled decoding of `djpeg -scale 1/N`.
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

    @inline(__always)
    static func descale(_ x: Int32, _ n: Int32) -> Int32 { (x &+ (1 &<< (n &- 1))) &>> n }

    @inline(__always)
    static func clampSample(_ x: Int32) -> UInt8 { UInt8(clamping: x &+ 128) }

    /// Full 8x8 inverse DCT of one block into `out` (8 rows of 8 samples, `stride` apart).
    /// `ws` is a 64-entry scratch area owned by the caller.
    @inline(__always)
    static func idct8x8(_ coef: UnsafePointer<Int16>, _ q: UnsafePointer<Int32>, _ ws: UnsafeMutablePointer<Int32>,
                        _ out: UnsafeMutablePointer<UInt8>, _ stride: Int) {
        // A block with no AC coefficients (common in smooth areas) is flat: both passes reduce to the DC shortcut.
        let raw = UnsafeRawPointer(coef)
        var any = raw.loadUnaligned(as: SIMD8<Int16>.self) & SIMD8<Int16>(0, -1, -1, -1, -1, -1, -1, -1)
        for i in 1..<8 { any |= raw.loadUnaligned(fromByteOffset: 16 &* i, as: SIMD8<Int16>.self) }
        if any == SIMD8<Int16>(repeating: 0) {
            let dc = (Int32(coef[0]) &* q[0]) &<< Int32(pass1Bits)
            let v = clampSample(descale(dc, Int32(pass1Bits + 3)))
            let fill = UInt64(v) &* 0x0101_0101_0101_0101
            for row in 0..<8 { UnsafeMutableRawPointer(out + row &* stride).storeBytes(of: fill, as: UInt64.self) }
            return
        }
        let s1 = Int32(constBits - pass1Bits)
        // Pass 1: columns, results scaled up by 2^pass1Bits.
        for col in 0..<8 {
            let c = coef + col, qc = q + col, w = ws + col
            if c[8] == 0 && c[16] == 0 && c[24] == 0 && c[32] == 0 && c[40] == 0 && c[48] == 0 && c[56] == 0 {
                let dc = (Int32(c[0]) &* qc[0]) &<< Int32(pass1Bits)
                w[0] = dc; w[8] = dc; w[16] = dc; w[24] = dc; w[32] = dc; w[40] = dc; w[48] = dc; w[56] = dc
                continue
            }
            let (o0, o1, o2, o3, o4, o5, o6, o7) = butterfly(
                Int32(c[0]) &* qc[0], Int32(c[8]) &* qc[8], Int32(c[16]) &* qc[16], Int32(c[24]) &* qc[24],
                Int32(c[32]) &* qc[32], Int32(c[40]) &* qc[40], Int32(c[48]) &* qc[48], Int32(c[56]) &* qc[56])
            w[0] = descale(o0, s1); w[8] = descale(o1, s1); w[16] = descale(o2, s1); w[24] = descale(o3, s1)
            w[32] = descale(o4, s1); w[40] = descale(o5, s1); w[48] = descale(o6, s1); w[56] = descale(o7, s1)
        }
        // Pass 2: rows, removing both scale factors and the 8x gain of the 2-D transform.
        let s2 = Int32(constBits + pass1Bits + 3)
        for row in 0..<8 {
            let w = ws + row &* 8
            let o = out + row &* stride
            if w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 && w[5] == 0 && w[6] == 0 && w[7] == 0 {
                let v = clampSample(descale(w[0], Int32(pass1Bits + 3)))
                o[0] = v; o[1] = v; o[2] = v; o[3] = v; o[4] = v; o[5] = v; o[6] = v; o[7] = v
                continue
            }
            let (o0, o1, o2, o3, o4, o5, o6, o7) = butterfly(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7])
            o[0] = clampSample(descale(o0, s2)); o[1] = clampSample(descale(o1, s2))
            o[2] = clampSample(descale(o2, s2)); o[3] = clampSample(descale(o3, s2))
            o[4] = clampSample(descale(o4, s2)); o[5] = clampSample(descale(o5, s2))
            o[6] = clampSample(descale(o6, s2)); o[7] = clampSample(descale(o7, s2))
        }
    }

    /// One 8-point inverse transform, outputs scaled by 2^constBits (before descaling).
    @inline(__always)
    static func butterfly(_ i0: Int32, _ i1: Int32, _ i2: Int32, _ i3: Int32,
                          _ i4: Int32, _ i5: Int32, _ i6: Int32, _ i7: Int32)
        -> (Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32) {
        // Even part: rotation of (i2, i6) by sqrt(2)·c6, then butterflies with i0 ± i4.
        let z1 = (i2 &+ i6) &* f0_541196100
        let t2 = z1 &- i6 &* f1_847759065
        let t3 = z1 &+ i2 &* f0_765366865
        let t0 = (i0 &+ i4) &<< Int32(constBits)
        let t1 = (i0 &- i4) &<< Int32(constBits)
        let e10 = t0 &+ t3, e13 = t0 &- t3, e11 = t1 &+ t2, e12 = t1 &- t2
        // Odd part (inputs 7, 5, 3, 1).
        var a0 = i7, a1 = i5, a2 = i3, a3 = i1
        var y1 = a0 &+ a3, y2 = a1 &+ a2, y3 = a0 &+ a2, y4 = a1 &+ a3
        let y5 = (y3 &+ y4) &* f1_175875602
        a0 = a0 &* f0_298631336
        a1 = a1 &* f2_053119869
        a2 = a2 &* f3_072711026
        a3 = a3 &* f1_501321110
        y1 = y1 &* -f0_899976223
        y2 = y2 &* -f2_562915447
        y3 = y3 &* -f1_961570560 &+ y5
        y4 = y4 &* -f0_390180644 &+ y5
        a0 = a0 &+ y1 &+ y3
        a1 = a1 &+ y2 &+ y4
        a2 = a2 &+ y2 &+ y3
        a3 = a3 &+ y1 &+ y4
        return (e10 &+ a3, e11 &+ a2, e12 &+ a1, e13 &+ a0, e13 &- a0, e12 &- a1, e11 &- a2, e10 &- a3)
    }

    /// 4x4 output from the 8x8 block's low frequencies (row/column 4 unused), as libjpeg's reduced IDCT.
    static func idct4x4(_ coef: UnsafePointer<Int16>, _ q: UnsafePointer<Int32>, _ ws: UnsafeMutablePointer<Int32>,
                        _ out: UnsafeMutablePointer<UInt8>, _ stride: Int) {
        let s1 = Int32(constBits - pass1Bits + 1)
        for col in 0..<8 where col != 4 {
            let c = coef + col, qc = q + col, w = ws + col
            if c[8] == 0 && c[16] == 0 && c[24] == 0 && c[40] == 0 && c[48] == 0 && c[56] == 0 {
                let dc = (Int32(c[0]) &* qc[0]) &<< Int32(pass1Bits)
                w[0] = dc; w[8] = dc; w[16] = dc; w[24] = dc
                continue
            }
            let (o0, o1, o2, o3) = butterfly4(Int32(c[0]) &* qc[0], Int32(c[8]) &* qc[8], Int32(c[16]) &* qc[16],
                                              Int32(c[24]) &* qc[24], Int32(c[40]) &* qc[40], Int32(c[48]) &* qc[48],
                                              Int32(c[56]) &* qc[56])
            w[0] = descale(o0, s1); w[8] = descale(o1, s1); w[16] = descale(o2, s1); w[24] = descale(o3, s1)
        }
        let s2 = Int32(constBits + pass1Bits + 3 + 1)
        for row in 0..<4 {
            let w = ws + row &* 8
            let o = out + row &* stride
            if w[1] == 0 && w[2] == 0 && w[3] == 0 && w[5] == 0 && w[6] == 0 && w[7] == 0 {
                let v = clampSample(descale(w[0], Int32(pass1Bits + 3)))
                o[0] = v; o[1] = v; o[2] = v; o[3] = v
                continue
            }
            let (o0, o1, o2, o3) = butterfly4(w[0], w[1], w[2], w[3], w[5], w[6], w[7])
            o[0] = clampSample(descale(o0, s2)); o[1] = clampSample(descale(o1, s2))
            o[2] = clampSample(descale(o2, s2)); o[3] = clampSample(descale(o3, s2))
        }
    }

    @inline(__always)
    static func butterfly4(_ i0: Int32, _ i1: Int32, _ i2: Int32, _ i3: Int32, _ i5: Int32, _ i6: Int32, _ i7: Int32)
        -> (Int32, Int32, Int32, Int32) {
        let t0 = i0 &<< Int32(constBits + 1)
        let t2 = i2 &* f1_847759065 &+ i6 &* -f0_765366865
        let t10 = t0 &+ t2, t12 = t0 &- t2
        let odd0 = i7 &* -f0_211164243 &+ i5 &* f1_451774981 &+ i3 &* -f2_172734803 &+ i1 &* f1_061594337
        let odd2 = i7 &* -f0_509795579 &+ i5 &* -f0_601344887 &+ i3 &* f0_899976223 &+ i1 &* f2_562915447
        return (t10 &+ odd2, t12 &+ odd0, t12 &- odd0, t10 &- odd2)
    }

    /// 2x2 output (only coefficients in rows/columns 0, 1, 3, 5, 7 matter).
    static func idct2x2(_ coef: UnsafePointer<Int16>, _ q: UnsafePointer<Int32>, _ ws: UnsafeMutablePointer<Int32>,
                        _ out: UnsafeMutablePointer<UInt8>, _ stride: Int) {
        let s1 = Int32(constBits - pass1Bits + 2)
        for col in [0, 1, 3, 5, 7] {
            let c = coef + col, qc = q + col, w = ws + col
            if c[8] == 0 && c[24] == 0 && c[40] == 0 && c[56] == 0 {
                let dc = (Int32(c[0]) &* qc[0]) &<< Int32(pass1Bits)
                w[0] = dc; w[8] = dc
                continue
            }
            let (o0, o1) = butterfly2(Int32(c[0]) &* qc[0], Int32(c[8]) &* qc[8], Int32(c[24]) &* qc[24],
                                      Int32(c[40]) &* qc[40], Int32(c[56]) &* qc[56])
            w[0] = descale(o0, s1); w[8] = descale(o1, s1)
        }
        let s2 = Int32(constBits + pass1Bits + 3 + 2)
        for row in 0..<2 {
            let w = ws + row &* 8
            let o = out + row &* stride
            if w[1] == 0 && w[3] == 0 && w[5] == 0 && w[7] == 0 {
                let v = clampSample(descale(w[0], Int32(pass1Bits + 3)))
                o[0] = v; o[1] = v
                continue
            }
            let (o0, o1) = butterfly2(w[0], w[1], w[3], w[5], w[7])
            o[0] = clampSample(descale(o0, s2)); o[1] = clampSample(descale(o1, s2))
        }
    }

    @inline(__always)
    static func butterfly2(_ i0: Int32, _ i1: Int32, _ i3: Int32, _ i5: Int32, _ i7: Int32) -> (Int32, Int32) {
        let t10 = i0 &<< Int32(constBits + 2)
        let t0 = i7 &* -f0_720959822 &+ i5 &* f0_850430095 &+ i3 &* -f1_272758580 &+ i1 &* f3_624509785
        return (t10 &+ t0, t10 &- t0)
    }

    /// 1x1 output: the block's average, i.e. the dequantised DC descaled by 8.
    @inline(__always)
    static func idct1x1(_ coef: UnsafePointer<Int16>, _ q: UnsafePointer<Int32>, _ out: UnsafeMutablePointer<UInt8>) {
        out[0] = clampSample(descale(Int32(coef[0]) &* q[0], 3))
    }
}
