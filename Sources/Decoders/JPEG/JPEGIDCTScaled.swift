/// The reduced-size inverse DCTs behind shrink-on-load (`djpeg -scale 1/N`): 4x4, 2x2 and 1x1 outputs computed
/// from the 8x8 coefficients (the high frequencies that a smaller output cannot show are dropped). Arithmetic as in
/// libjpeg-turbo, which djpeg uses: its SIMD 4x4 and 2x2 kernels (JPEGIDCTExact spells them out per sample) and its
/// C 1x1.
extension JPEGIDCT {
    /// The 4-point butterfly in lanes (inputs 0, 1, 2, 3, 5, 6, 7 of the 8), outputs scaled by 2^(constBits + 1).
    @inline(__always)
    static func butterfly4(_ i0: Lanes16, _ i1: Lanes16, _ i2: Lanes16, _ i3: Lanes16, _ i5: Lanes16, _ i6: Lanes16,
                           _ i7: Lanes16) -> (Lanes32, Lanes32, Lanes32, Lanes32) {
        let tmp2 = L.multiplyAdd(i1, f2_562915447, i3, f0_899976223) &+ L.multiplyAdd(i5, -f0_601344887, i7, -f0_509795579)
        let tmp0 = L.multiplyAdd(i1, f1_061594337, i3, -f2_172734803) &+ L.multiplyAdd(i5, f1_451774981, i7, -f0_211164243)
        let even0 = L.widen(i0) &<< Int32(constBits + 1)
        let even2 = L.multiplyAdd(i2, f1_847759065, i6, -f0_765366865)
        let t10 = even0 &+ even2, t12 = even0 &- even2
        return (t10 &+ tmp2, t12 &+ tmp0, t12 &- tmp0, t10 &- tmp2)
    }

    /// 4x4 output: eight columns in lanes, then the four rows in lanes.
    @inline(__always)
    static func idct4x4(_ coef: UnsafePointer<Int16>, _ q: UnsafePointer<Int16>, _ out: UnsafeMutablePointer<UInt8>,
                        _ stride: Int) {
        let raw = UnsafeRawPointer(coef), qraw = UnsafeRawPointer(q)
        @inline(__always) func row(_ k: Int) -> Lanes16 { raw.loadUnaligned(fromByteOffset: 16 &* k, as: Lanes16.self) }
        @inline(__always) func dq(_ k: Int) -> Lanes16 { row(k) &* qraw.loadUnaligned(fromByteOffset: 16 &* k, as: Lanes16.self) }
        let w: (Lanes16, Lanes16, Lanes16, Lanes16)
        if L.isZero(row(1) | row(2) | row(3) | row(5) | row(6) | row(7)) {
            // As in libjpeg-turbo: the first pass of such a block is its dequantised row 0 × 4 in 16 bits.
            let dc = dq(0) &<< 2
            w = (dc, dc, dc, dc)
        } else {
            let p = butterfly4(dq(0), dq(1), dq(2), dq(3), dq(5), dq(6), dq(7))
            var overflow = Lanes32(repeating: 0)
            @inline(__always) func pass1(_ x: Lanes32) -> Lanes16 {
                // (x + 2^11) >> 12 fits in 16 bits exactly when x + 2^11 + 2^27 lies in 0..<2^28.
                let t = x &+ Lanes32(repeating: 1 << 11)
                overflow |= t &+ Lanes32(repeating: 1 << 27)
                return L.narrowHigh(t &<< 4)
            }
            w = (pass1(p.0), pass1(p.1), pass1(p.2), pass1(p.3))
            let folded = unsafeBitCast(overflow, to: SIMD4<UInt64>.self)
            if (folded[0] | folded[1] | folded[2] | folded[3]) & 0xF000_0000_F000_0000 != 0 {
                JPEGIDCTExact.idct4x4(coef, q, out, stride)
                return
            }
        }
        let zero = Lanes16(repeating: 0)
        let c = L.transpose((w.0, w.1, w.2, w.3, zero, zero, zero, zero)) // c.k = column k, lanes 0...3 = rows
        let s = butterfly4(c.0, c.1, c.2, c.3, c.5, c.6, c.7)
        @inline(__always) func sample(_ x: Lanes32) -> Lanes16 {
            L.narrowLow((x &+ Lanes32(repeating: 1 << 18)) &>> 19) &+ 128
        }
        let o0 = sample(s.0), o1 = sample(s.1), o2 = sample(s.2), o3 = sample(s.3)
        let a = L.zipLow16(o0, o1), b = L.zipLow16(o2, o3)
        let bytes = unsafeBitCast(L.packBytes(L.zipLow32(a, b), L.zipHigh32(a, b)), to: SIMD4<UInt32>.self)
        for r in 0..<4 { UnsafeMutableRawPointer(out + r &* stride).storeBytes(of: bytes[r], as: UInt32.self) }
    }

    /// 2x2 output (only coefficients in rows/columns 0, 1, 3, 5, 7 matter): four samples, computed per sample.
    @inline(__always)
    static func idct2x2(_ coef: UnsafePointer<Int16>, _ q: UnsafePointer<Int16>, _ out: UnsafeMutablePointer<UInt8>,
                        _ stride: Int) {
        JPEGIDCTExact.idct2x2(coef, q, out, stride)
    }

    /// 1x1 output: the block's average, the dequantised DC descaled by 8 (libjpeg-turbo's C `jpeg_idct_1x1`: a
    /// 32-bit product, then its range-limit table, which clamps -512...511 and repeats with period 1024).
    @inline(__always)
    static func idct1x1(_ coef: UnsafePointer<Int16>, _ q: UnsafePointer<Int16>, _ out: UnsafeMutablePointer<UInt8>) {
        let dc = (Int32(coef[0]) &* Int32(q[0]) &+ 4) &>> 3
        let wrapped = ((dc &+ 512) & 1023) &- 512
        out[0] = UInt8(clamping: wrapped &+ 128)
    }
}
