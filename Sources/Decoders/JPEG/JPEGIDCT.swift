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

    /// Full 8x8 inverse DCT of one block into `out` (8 rows of 8 samples, `stride` apart), eight columns (then eight
    /// rows) at a time in SIMD lanes. The arithmetic per lane is the scalar islow arithmetic, including its shortcut
    /// for a column (row) whose AC inputs are all zero, so the result is the same bit for bit. `ws` is unused here
    /// (kept for the common signature of the IDCTs).
    @inline(__always)
    static func idct8x8(_ coef: UnsafePointer<Int16>, _ q: UnsafePointer<Int32>, _ ws: UnsafeMutablePointer<Int32>,
                        _ out: UnsafeMutablePointer<UInt8>, _ stride: Int) {
        let raw = UnsafeRawPointer(coef), qraw = UnsafeRawPointer(q)
        @inline(__always) func c(_ k: Int) -> SIMD8<Int16> { raw.loadUnaligned(fromByteOffset: 16 &* k, as: SIMD8<Int16>.self) }
        @inline(__always) func dq(_ v: SIMD8<Int16>, _ k: Int) -> Lanes {
            Lanes(truncatingIfNeeded: v) &* qraw.loadUnaligned(fromByteOffset: 32 &* k, as: Lanes.self)
        }
        let c0 = c(0), c1 = c(1), c2 = c(2), c3 = c(3), c4 = c(4), c5 = c(5), c6 = c(6), c7 = c(7)
        let acRows = c1 | c2 | c3 | c4 | c5 | c6 | c7
        // A block with no AC coefficients (common in smooth areas) is flat: both passes reduce to the DC shortcut.
        if (acRows | (c0 & SIMD8<Int16>(0, -1, -1, -1, -1, -1, -1, -1))) == SIMD8<Int16>(repeating: 0) {
            let dc = (Int32(coef[0]) &* q[0]) &<< Int32(pass1Bits)
            let v = clampSample(descale(dc, Int32(pass1Bits + 3)))
            let fill = UInt64(v) &* 0x0101_0101_0101_0101
            for row in 0..<8 { UnsafeMutableRawPointer(out + row &* stride).storeBytes(of: fill, as: UInt64.self) }
            return
        }
        // Pass 1: columns (lane = column), results scaled up by 2^pass1Bits.
        let d0 = dq(c0, 0)
        let s1 = Int32(constBits - pass1Bits)
        let o = butterfly(d0, dq(c1, 1), dq(c2, 2), dq(c3, 3), dq(c4, 4), dq(c5, 5), dq(c6, 6), dq(c7, 7))
        let flatColumn = zeroMask(Lanes(truncatingIfNeeded: acRows))
        let dcColumn = d0 &<< Int32(pass1Bits)
        @inline(__always) func column(_ x: Lanes) -> Lanes { select(descale(x, s1), dcColumn, where: flatColumn) }
        var w = (column(o.0),
                 column(o.1),
                 column(o.2),
                 column(o.3),
                 column(o.4),
                 column(o.5),
                 column(o.6),
                 column(o.7))
        // Pass 2: rows (lane = row), removing both scale factors and the 8x gain of the 2-D transform.
        transpose(&w)
        let s2 = Int32(constBits + pass1Bits + 3)
        let p = butterfly(w.0, w.1, w.2, w.3, w.4, w.5, w.6, w.7)
        let flatRow = zeroMask(w.1 | w.2 | w.3 | w.4 | w.5 | w.6 | w.7)
        let dcRow = descale(w.0, Int32(pass1Bits + 3))
        @inline(__always) func sample(_ x: Lanes) -> Lanes {
            // clampSample per lane: negatives to 0; above 255 to all ones, whose low byte is 255.
            let v = select(descale(x, s2), dcRow, where: flatRow) &+ 128
            let nonNegative = v & ~(v &>> 31)
            return nonNegative | ((Lanes(repeating: 255) &- nonNegative) &>> 31)
        }
        var r = (sample(p.0), sample(p.1), sample(p.2), sample(p.3), sample(p.4), sample(p.5), sample(p.6), sample(p.7))
        transpose(&r)
        @inline(__always) func store(_ row: Int, _ v: Lanes) {
            UnsafeMutableRawPointer(out + row &* stride).storeBytes(of: SIMD8<UInt8>(truncatingIfNeeded: v), as: SIMD8<UInt8>.self)
        }
        store(0, r.0); store(1, r.1); store(2, r.2); store(3, r.3); store(4, r.4); store(5, r.5); store(6, r.6); store(7, r.7)
    }

    typealias Lanes = SIMD8<Int32>

    @inline(__always)
    static func descale(_ x: Lanes, _ n: Int32) -> Lanes { (x &+ Lanes(repeating: 1 &<< (n &- 1))) &>> n }

    /// 8x8 transpose by three perfect shuffles: interleaving rows i and i + 4 rotates the 6 index bits
    /// (row, column) left by one, so three rounds swap row and column.
    @inline(__always)
    static func transpose(_ r: inout (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes, Lanes, Lanes)) {
        @inline(__always) func lo(_ a: Lanes, _ b: Lanes) -> Lanes { Lanes(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3]) }
        @inline(__always) func hi(_ a: Lanes, _ b: Lanes) -> Lanes { Lanes(a[4], b[4], a[5], b[5], a[6], b[6], a[7], b[7]) }
        for _ in 0..<3 {
            r = (lo(r.0, r.4), hi(r.0, r.4), lo(r.1, r.5), hi(r.1, r.5), lo(r.2, r.6), hi(r.2, r.6), lo(r.3, r.7), hi(r.3, r.7))
        }
    }

    /// All ones in the lanes where `x` is zero (x | -x has its sign bit set exactly when x != 0).
    @inline(__always)
    static func zeroMask(_ x: Lanes) -> Lanes { ~((x | (Lanes(repeating: 0) &- x)) &>> 31) }

    /// `b` in the lanes where `m` is all ones, else `a`.
    @inline(__always)
    static func select(_ a: Lanes, _ b: Lanes, where m: Lanes) -> Lanes { (a & ~m) | (b & m) }

    /// One 8-point inverse transform per lane, outputs scaled by 2^constBits (before descaling).
    @inline(__always)
    static func butterfly(_ i0: Lanes, _ i1: Lanes, _ i2: Lanes, _ i3: Lanes,
                          _ i4: Lanes, _ i5: Lanes, _ i6: Lanes, _ i7: Lanes)
        -> (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes, Lanes, Lanes) {
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
