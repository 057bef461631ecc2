/// The integer IDCTs one sample at a time, with exactly the arithmetic of libjpeg-turbo's SIMD kernels (which is
/// what `djpeg` runs on x86-64 and Arm): 16-bit dequantisation products and 16-bit sums where the SIMD code keeps
/// 16-bit lanes, 32-bit wrapping sums of the two-term products, and saturation to 16 bits between the passes and to
/// bytes at the end. On data from a real encoder nothing wraps or saturates and this equals the plain islow
/// arithmetic; on hostile data the lanes overflow the way djpeg's do.
///
/// The SIMD kernels (JPEGIDCT, JPEGIDCTScaled) hand a block here when its first pass would saturate (rare: only
/// extreme coefficients); the tests use it as the reference for those kernels.
enum JPEGIDCTExact {
    typealias K = JPEGIDCT

    @inline(__always) static func wrap16(_ x: Int32) -> Int32 { Int32(Int16(truncatingIfNeeded: x)) }
    @inline(__always) static func saturate16(_ x: Int32) -> Int32 { Int32(Int16(clamping: x)) }
    /// The final step of every kernel: saturate to 16 bits, then to -128...127, then add 128.
    @inline(__always) static func sample(_ x: Int32) -> UInt8 { UInt8(min(max(x, -128), 127) + 128) }

    /// The 8-point islow butterfly on 16-bit inputs as the SIMD code computes it (T.81 A.3.3 via the
    /// Loeffler–Ligtenberg–Moschytz factorisation, each rotation as two products summed).
    static func butterfly8(_ i: SIMD8<Int32>) -> SIMD8<Int32> {
        let tmp3 = i[2] &* K.c2PlusC6 &+ i[6] &* K.f0_541196100
        let tmp2 = i[2] &* K.f0_541196100 &+ i[6] &* K.c6MinusC2
        let tmp0 = wrap16(i[0] &+ i[4]) &<< Int32(K.constBits)
        let tmp1 = wrap16(i[0] &- i[4]) &<< Int32(K.constBits)
        let t10 = tmp0 &+ tmp3, t13 = tmp0 &- tmp3, t11 = tmp1 &+ tmp2, t12 = tmp1 &- tmp2
        let z3 = wrap16(i[3] &+ i[7]), z4 = wrap16(i[1] &+ i[5])
        let z3r = z3 &* K.z3FromZ3 &+ z4 &* K.f1_175875602
        let z4r = z3 &* K.f1_175875602 &+ z4 &* K.z4FromZ4
        let o0 = (i[7] &* K.t0From7 &+ i[1] &* -K.f0_899976223) &+ z3r
        let o3 = (i[7] &* -K.f0_899976223 &+ i[1] &* K.t3From1) &+ z4r
        let o1 = (i[5] &* K.t1From5 &+ i[3] &* -K.f2_562915447) &+ z4r
        let o2 = (i[5] &* -K.f2_562915447 &+ i[3] &* K.t2From3) &+ z3r
        return SIMD8(t10 &+ o3, t11 &+ o2, t12 &+ o1, t13 &+ o0, t13 &- o0, t12 &- o1, t11 &- o2, t10 &- o3)
    }

    /// 8x8 output (libjpeg-turbo `jsimd_idct_islow`).
    static func idct8x8(_ coef: UnsafePointer<Int16>, _ q: UnsafePointer<Int16>, _ out: UnsafeMutablePointer<UInt8>,
                        _ stride: Int) {
        // w[r] = row r of the first pass's output.
        withUnsafeTemporaryAllocation(of: SIMD8<Int32>.self, capacity: 8) { w in
            // The SIMD code tests the whole block: with rows 1...7 all zero, every column is its dequantised DC × 4.
            var acRowsZero = true
            for k in 8..<64 where coef[k] != 0 { acRowsZero = false }
            let s1 = Int32(K.constBits - K.pass1Bits)
            for col in 0..<8 {
                var input = SIMD8<Int32>.zero
                for r in 0..<8 { input[r] = wrap16(Int32(coef[r * 8 + col]) &* Int32(q[r * 8 + col])) }
                if acRowsZero {
                    for r in 0..<8 { w[r][col] = wrap16(input[0] &<< Int32(K.pass1Bits)) }
                    continue
                }
                let o = butterfly8(input)
                for r in 0..<8 { w[r][col] = saturate16((o[r] &+ (1 &<< (s1 - 1))) &>> s1) }
            }
            let s2 = Int32(K.constBits + K.pass1Bits + 3)
            for r in 0..<8 {
                let o = butterfly8(w[r])
                for col in 0..<8 { out[r * stride + col] = sample(saturate16((o[col] &+ (1 &<< (s2 - 1))) &>> s2)) }
            }
        }
    }

    /// The 4-point butterfly of the 4x4 reduced IDCT (inputs 0, 1, 2, 3, 5, 6, 7 of the 8; 4 is unused).
    static func butterfly4(_ i: SIMD8<Int32>) -> SIMD4<Int32> {
        let tmp2 = (i[1] &* K.f2_562915447 &+ i[3] &* K.f0_899976223) &+ (i[5] &* -K.f0_601344887 &+ i[7] &* -K.f0_509795579)
        let tmp0 = (i[1] &* K.f1_061594337 &+ i[3] &* -K.f2_172734803) &+ (i[5] &* K.f1_451774981 &+ i[7] &* -K.f0_211164243)
        let even0 = i[0] &<< Int32(K.constBits + 1)
        let even2 = i[2] &* K.f1_847759065 &+ i[6] &* -K.f0_765366865
        let t10 = even0 &+ even2, t12 = even0 &- even2
        return SIMD4(t10 &+ tmp2, t12 &+ tmp0, t12 &- tmp0, t10 &- tmp2)
    }

    /// 4x4 output (libjpeg-turbo `jsimd_idct_4x4`, used by djpeg -scale 1/2).
    static func idct4x4(_ coef: UnsafePointer<Int16>, _ q: UnsafePointer<Int16>, _ out: UnsafeMutablePointer<UInt8>,
                        _ stride: Int) {
        withUnsafeTemporaryAllocation(of: SIMD8<Int32>.self, capacity: 4) { w in // w[r]: row r of the first pass
            var usedRowsZero = true
            for r in 1..<8 where r != 4 { for col in 0..<8 where coef[r * 8 + col] != 0 { usedRowsZero = false } }
            let s1 = Int32(K.constBits - K.pass1Bits + 1)
            for col in 0..<8 {
                var input = SIMD8<Int32>.zero
                for r in 0..<8 { input[r] = wrap16(Int32(coef[r * 8 + col]) &* Int32(q[r * 8 + col])) }
                if usedRowsZero {
                    for r in 0..<4 { w[r][col] = wrap16(input[0] &<< Int32(K.pass1Bits)) }
                    continue
                }
                let o = butterfly4(input)
                for r in 0..<4 { w[r][col] = saturate16((o[r] &+ (1 &<< (s1 - 1))) &>> s1) }
            }
            let s2 = Int32(K.constBits + K.pass1Bits + 3 + 1)
            for r in 0..<4 {
                let o = butterfly4(w[r])
                for col in 0..<4 { out[r * stride + col] = sample(saturate16((o[col] &+ (1 &<< (s2 - 1))) &>> s2)) }
            }
        }
    }

    /// The odd part of the 2x2 reduced IDCT (inputs 1, 3, 5, 7).
    @inline(__always)
    static func odd2(_ i1: Int32, _ i3: Int32, _ i5: Int32, _ i7: Int32) -> Int32 {
        (i1 &* K.f3_624509785 &+ i3 &* -K.f1_272758580) &+ (i5 &* K.f0_850430095 &+ i7 &* -K.f0_720959822)
    }

    /// 2x2 output (libjpeg-turbo `jsimd_idct_2x2`, used by djpeg -scale 1/4). Its first pass keeps 32 bits; the
    /// second saturates the odd inputs to 16 bits and shifts the even one in 32 bits.
    static func idct2x2(_ coef: UnsafePointer<Int16>, _ q: UnsafePointer<Int16>, _ out: UnsafeMutablePointer<UInt8>,
                        _ stride: Int) {
        @inline(__always) func dq(_ k: Int) -> Int32 { wrap16(Int32(coef[k]) &* Int32(q[k])) }
        let s1 = Int32(K.constBits - K.pass1Bits + 2)
        let s2 = Int32(K.constBits + K.pass1Bits + 3 + 2)
        // Pass 1 over columns 0, 1, 3, 5, 7 (the others never reach the output): row 0 and row 1 of its result.
        @inline(__always) func column(_ col: Int) -> (Int32, Int32) {
            let even = dq(col) &<< Int32(K.constBits + 2)
            let odd = odd2(dq(8 + col), dq(24 + col), dq(40 + col), dq(56 + col))
            return ((even &+ odd &+ (1 &<< (s1 - 1))) &>> s1, (even &- odd &+ (1 &<< (s1 - 1))) &>> s1)
        }
        let w0 = column(0), w1 = column(1), w3 = column(3), w5 = column(5), w7 = column(7)
        @inline(__always) func row(_ r: Int, _ x0: Int32, _ x1: Int32, _ x3: Int32, _ x5: Int32, _ x7: Int32) {
            let even = x0 &<< Int32(K.constBits + 2)
            let odd = odd2(saturate16(x1), saturate16(x3), saturate16(x5), saturate16(x7))
            out[r &* stride] = sample(saturate16((even &+ odd &+ (1 &<< (s2 - 1))) &>> s2))
            out[r &* stride &+ 1] = sample(saturate16((even &- odd &+ (1 &<< (s2 - 1))) &>> s2))
        }
        row(0, w0.0, w1.0, w3.0, w5.0, w7.0)
        row(1, w0.1, w1.1, w3.1, w5.1, w7.1)
    }
}
