/// Distortion kernels of the AV1 encoder's mode search, written with SIMD vectors so that they run several
/// pixels per instruction on the baseline x86-64 target (SSE2). Each returns exactly what the plain scalar
/// definition in its comment returns; Tests/EncodersTests/AVIFSpeedKernelTests.swift checks that.
enum AV1Distortion {
    /// SATD of a square block: for every 4x4 sub-block, the 4x4 Hadamard transform of the difference
    /// `src - pred` (rows then columns, unnormalised), summed as absolute values, the total halved.
    /// `pred` is n*n with stride n; n is 4, 8, 16, 32 or 64.
    ///
    /// The last butterfly stage is folded with |a + b| + |a - b| = 2·max(|a|, |b|), which makes the halving exact.
    /// Differences fit in 9 bits and the transform grows them by at most 16x, so 16-bit lanes never overflow.
    static func satd(_ src: UnsafePointer<UInt8>, _ stride: Int, _ pred: UnsafePointer<UInt8>, _ n: Int) -> Int {
        var acc = SIMD4<Int32>()
        switch n {
        case 4:
            // One block; row i in the first 4 bytes of vector i, zeros elsewhere (zero differences add nothing).
            acc = strip { i in
                (SIMD4<UInt32>(UnsafeRawPointer(src + i * stride).loadUnaligned(as: UInt32.self), 0, 0, 0),
                 SIMD4<UInt32>(UnsafeRawPointer(pred + i * 4).loadUnaligned(as: UInt32.self), 0, 0, 0))
            }
        case 8:
            // Two 4-row strips side by side: rows y+i and y+4+i in one vector.
            var y = 0
            while y < 8 {
                acc &+= strip { i in
                    let s0 = UnsafeRawPointer(src + (y + i) * stride).loadUnaligned(as: UInt64.self)
                    let s1 = UnsafeRawPointer(src + (y + 4 + i) * stride).loadUnaligned(as: UInt64.self)
                    let p0 = UnsafeRawPointer(pred + (y + i) * 8).loadUnaligned(as: UInt64.self)
                    let p1 = UnsafeRawPointer(pred + (y + 4 + i) * 8).loadUnaligned(as: UInt64.self)
                    return (unsafeBitCast(SIMD2<UInt64>(s0, s1), to: SIMD4<UInt32>.self),
                            unsafeBitCast(SIMD2<UInt64>(p0, p1), to: SIMD4<UInt32>.self))
                }
                y += 8
            }
        default:
            var y = 0
            while y < n {
                var x = 0
                while x < n {
                    let s = src + y * stride + x, p = pred + y * n + x
                    acc &+= strip { i in
                        (UnsafeRawPointer(s + i * stride).loadUnaligned(as: SIMD4<UInt32>.self),
                         UnsafeRawPointer(p + i * n).loadUnaligned(as: SIMD4<UInt32>.self))
                    }
                    x += 16
                }
                y += 4
            }
        }
        return Int(acc.wrappedSum())
    }

    /// Half the absolute 4x4 Hadamard outputs of four 4x4 blocks: `rows(i)` gives row i of the source and of the
    /// prediction, 16 pixels each (4 per block). Pixels are split into even and odd columns by masking and
    /// shifting 16-bit words, which puts each first-stage horizontal pair in one lane; the second stage pairs
    /// are the two halves of 32-bit lanes, and |a + b| + |a - b| = 2·max(|a|, |b|) folds the last butterfly.
    /// All values stay below 2^12 in magnitude, so 16-bit lanes do not overflow.
    @inline(__always)
    private static func strip(_ rows: (Int) -> (SIMD4<UInt32>, SIMD4<UInt32>)) -> SIMD4<Int32> {
        @inline(__always) func split(_ i: Int) -> (SIMD8<Int16>, SIMD8<Int16>) {
            let (sv, pv) = rows(i)
            let s = unsafeBitCast(sv, to: SIMD8<UInt16>.self), p = unsafeBitCast(pv, to: SIMD8<UInt16>.self)
            let lowByte = SIMD8<UInt16>(repeating: 0x00FF)
            let even = unsafeBitCast(s & lowByte, to: SIMD8<Int16>.self) &- unsafeBitCast(p & lowByte, to: SIMD8<Int16>.self)
            let odd = unsafeBitCast(s &>> 8, to: SIMD8<Int16>.self) &- unsafeBitCast(p &>> 8, to: SIMD8<Int16>.self)
            return (even, odd)
        }
        let (e0, o0) = split(0), (e1, o1) = split(1), (e2, o2) = split(2), (e3, o3) = split(3)
        let ve = vertical(e0, e1, e2, e3), vo = vertical(o0, o1, o2, o3)
        return pairs(ve.0 &+ vo.0) &+ pairs(ve.0 &- vo.0) &+ pairs(ve.1 &+ vo.1) &+ pairs(ve.1 &- vo.1)
            &+ pairs(ve.2 &+ vo.2) &+ pairs(ve.2 &- vo.2) &+ pairs(ve.3 &+ vo.3) &+ pairs(ve.3 &- vo.3)
    }

    /// The vertical 4-point Hadamard, lane-wise.
    @inline(__always)
    private static func vertical(_ d0: SIMD8<Int16>, _ d1: SIMD8<Int16>, _ d2: SIMD8<Int16>, _ d3: SIMD8<Int16>)
        -> (SIMD8<Int16>, SIMD8<Int16>, SIMD8<Int16>, SIMD8<Int16>) {
        let a0 = d0 &+ d1, a1 = d0 &- d1, a2 = d2 &+ d3, a3 = d2 &- d3
        return (a0 &+ a2, a1 &+ a3, a0 &- a2, a1 &- a3)
    }

    /// max(|lane 2k|, |lane 2k+1|) per pair of 16-bit lanes, in 32-bit lanes (`x &>> 31` is all ones when x < 0).
    @inline(__always)
    private static func pairs(_ v: SIMD8<Int16>) -> SIMD4<Int32> {
        let w = unsafeBitCast(v, to: SIMD4<Int32>.self)
        var lo = (w &<< 16) &>> 16, hi = w &>> 16
        lo = (lo ^ (lo &>> 31)) &- (lo &>> 31)
        hi = (hi ^ (hi &>> 31)) &- (hi &>> 31)
        let d = lo &- hi
        return hi &+ (d & ~(d &>> 31))
    }
}

/// Residual, reconstruction and quantisation loops of the block coder, 8 or 16 lanes at a time.
enum AV1PixelKernels {
    /// out[i*n + j] = src[i*stride + j] - pred[i*n + j] for an n*n block (n a power of two >= 4).
    static func residual(_ src: UnsafePointer<UInt8>, _ stride: Int, _ pred: UnsafePointer<UInt8>, _ n: Int,
                         into out: UnsafeMutablePointer<Int32>) {
        for i in 0..<n {
            let s = src + i * stride, p = pred + i * n, o = out + i * n
            var j = 0
            while j + 8 <= n {
                let a = SIMD8<Int32>(truncatingIfNeeded: UnsafeRawPointer(s + j).loadUnaligned(as: SIMD8<UInt8>.self))
                let b = SIMD8<Int32>(truncatingIfNeeded: UnsafeRawPointer(p + j).loadUnaligned(as: SIMD8<UInt8>.self))
                UnsafeMutableRawPointer(o + j).storeBytes(of: a &- b, as: SIMD8<Int32>.self)
                j += 8
            }
            while j < n { o[j] = Int32(s[j]) - Int32(p[j]); j += 1 }
        }
    }

    /// Writes clamp(pred + resid, 0, 255) (or pred alone when `resid` is nil) to `dst` and returns the sum of
    /// squared differences to `src`.
    static func reconstruct(pred: UnsafePointer<UInt8>, resid: UnsafePointer<Int32>?, _ n: Int,
                            dst: UnsafeMutablePointer<UInt8>, _ dstStride: Int,
                            src: UnsafePointer<UInt8>, _ srcStride: Int) -> Int {
        var acc = SIMD8<Int32>()
        var sse = 0
        for i in 0..<n {
            let p = pred + i * n, d = dst + i * dstStride, s = src + i * srcStride
            var j = 0
            while j + 8 <= n {
                var v = SIMD8<Int32>(truncatingIfNeeded: UnsafeRawPointer(p + j).loadUnaligned(as: SIMD8<UInt8>.self))
                if let resid {
                    v &+= UnsafeRawPointer(resid + i * n + j).loadUnaligned(as: SIMD8<Int32>.self)
                    v &= ~(v &>> 31)                                 // max(v, 0)
                    let over = v &- SIMD8(repeating: 255)
                    v = SIMD8(repeating: 255) &+ (over & (over &>> 31))  // min(v, 255)
                }
                UnsafeMutableRawPointer(d + j).storeBytes(of: SIMD8<UInt8>(truncatingIfNeeded: v), as: SIMD8<UInt8>.self)
                let e = v &- SIMD8<Int32>(truncatingIfNeeded: UnsafeRawPointer(s + j).loadUnaligned(as: SIMD8<UInt8>.self))
                acc &+= e &* e
                j += 8
            }
            while j < n {
                var v = Int32(p[j])
                if let resid { v = min(max(v + resid[i * n + j], 0), 255) }
                d[j] = UInt8(v)
                let e = Int(v) - Int(s[j])
                sse += e * e
                j += 1
            }
            // Flush before the 32-bit lanes could overflow (255² · 8 per row of 64 is far below 2^31, so per row is plenty).
            if i & 15 == 15 { sse += Int(acc.wrappedSum()); acc = SIMD8() }
        }
        return sse + Int(acc.wrappedSum())
    }

    /// floor(x) for 0 <= x < 2^22, as a float and as an integer, exactly: x + 2^23 rounds x to the nearest
    /// integer (the spacing of floats in [2^23, 2^24) is 1), whose mantissa bits are that integer; one less
    /// where the rounding went up, i.e. where t - x (exact, at most 1/2) is positive.
    @inline(__always)
    static func floorNonNegative(_ x: SIMD8<Float>) -> (SIMD8<Float>, SIMD8<Int32>) {
        let magic = SIMD8<Float>(repeating: 8_388_608)
        let s = x + magic
        let t = s - magic
        let up = (SIMD8<Int32>() &- bits(t - x)) &>> 31      // all ones where t > x
        let i = bits(s) &- SIMD8(repeating: 0x4B00_0000)
        return (t - float(up & SIMD8(repeating: 0x3F80_0000)), i &+ up)
    }

    @inline(__always) static func bits(_ v: SIMD8<Float>) -> SIMD8<Int32> { unsafeBitCast(v, to: SIMD8<Int32>.self) }
    @inline(__always) static func float(_ v: SIMD8<Int32>) -> SIMD8<Float> { unsafeBitCast(v, to: SIMD8<Float>.self) }

    @inline(__always)
    static func magnitude(_ v: SIMD8<Float>) -> SIMD8<Float> { float(bits(v) & SIMD8(repeating: 0x7FFF_FFFF)) }

    /// min(x, cap) for non-negative floats (including -0): their bit patterns order like the values.
    @inline(__always)
    static func minimum(_ x: SIMD8<Float>, _ cap: SIMD8<Float>) -> SIMD8<Float> {
        let xb = bits(x) & SIMD8(repeating: 0x7FFF_FFFF), cb = bits(cap)
        let d = xb &- cb
        return float(cb &+ (d & (d &>> 31)))
    }

    /// -l where v has its sign bit set, else l (l is 0 wherever v is -0).
    @inline(__always)
    static func withSign(_ l: SIMD8<Int32>, of v: SIMD8<Float>) -> SIMD8<Int32> {
        let m = bits(v) &>> 31
        return (l ^ m) &- m
    }

    /// Dead-zone quantisation of `count` coefficients (a multiple of 8; index 0 is DC) as AV1Quantizer defines it:
    /// u = |v|·inv, level = sign(v)·floor(min(u + rounding, cap)), with (inv, rounding, weight) = (dcInv, dcRounding,
    /// dcWeight) at 0 and the AC values elsewhere. Returns the sum, in increasing index order, of (u − |level|)²·weight
    /// and whether any level is non-zero. `temp` holds `count` floats.
    static func quantizeWeighted(_ coef: UnsafePointer<Float>, count: Int, dcInv: Float, acInv: Float, dcRounding: Float,
                                 acRounding: Float, dcWeight: Float, acWeight: Float, cap: Float,
                                 levels: UnsafeMutablePointer<Int32>, temp: UnsafeMutablePointer<Float>) -> (distortion: Float, nonzero: Bool) {
        var first = SIMD8<Float>(repeating: acInv), firstR = SIMD8<Float>(repeating: acRounding)
        var firstW = SIMD8<Float>(repeating: acWeight)
        first[0] = dcInv; firstR[0] = dcRounding; firstW[0] = dcWeight
        let inv = SIMD8<Float>(repeating: acInv), rnd = SIMD8<Float>(repeating: acRounding)
        let weight = SIMD8<Float>(repeating: acWeight)
        let capv = SIMD8<Float>(repeating: cap)
        var any = SIMD8<Int32>()
        var k = 0
        while k < count {
            let v = UnsafeRawPointer(coef + k).loadUnaligned(as: SIMD8<Float>.self)
            let u = magnitude(v) * (k == 0 ? first : inv)
            let (lf, l) = floorNonNegative(minimum(u + (k == 0 ? firstR : rnd), capv))
            any |= l
            UnsafeMutableRawPointer(levels + k).storeBytes(of: withSign(l, of: v), as: SIMD8<Int32>.self)
            let e = u - lf
            UnsafeMutableRawPointer(temp + k).storeBytes(of: e * e * (k == 0 ? firstW : weight), as: SIMD8<Float>.self)
            k += 8
        }
        var dist: Float = 0
        for k in 0..<count { dist += temp[k] }
        return (dist, (any[0] | any[1] | any[2] | any[3] | any[4] | any[5] | any[6] | any[7]) != 0)
    }
}
