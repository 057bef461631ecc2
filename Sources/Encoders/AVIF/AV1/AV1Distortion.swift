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
        var y = 0
        while y < n {
            var x = 0
            if n >= 16 {
                while x < n {
                    let s = src + y * stride + x, p = pred + y * n + x
                    let e = vertical { i in
                        SIMD16<Int16>(truncatingIfNeeded: UnsafeRawPointer(s + i * stride).loadUnaligned(as: SIMD16<UInt8>.self))
                            &- SIMD16<Int16>(truncatingIfNeeded: UnsafeRawPointer(p + i * n).loadUnaligned(as: SIMD16<UInt8>.self))
                    }
                    acc &+= SIMD4<Int32>(truncatingIfNeeded: horizontal(e.0) &+ horizontal(e.1) &+ horizontal(e.2) &+ horizontal(e.3))
                    x += 16
                }
            } else if n == 8 {
                let s = src + y * stride, p = pred + y * n
                let e = vertical { i in
                    SIMD8<Int16>(truncatingIfNeeded: UnsafeRawPointer(s + i * stride).loadUnaligned(as: SIMD8<UInt8>.self))
                        &- SIMD8<Int16>(truncatingIfNeeded: UnsafeRawPointer(p + i * n).loadUnaligned(as: SIMD8<UInt8>.self))
                }
                let h = horizontal(e.0) &+ horizontal(e.1) &+ horizontal(e.2) &+ horizontal(e.3)
                acc &+= SIMD4<Int32>(truncatingIfNeeded: h)
            } else {
                // One 4x4 block: widen to 8 lanes with two rows per vector.
                @inline(__always) func pair(_ i: Int) -> SIMD8<Int16> {
                    var d = SIMD8<Int16>()
                    for k in 0..<4 {
                        d[k] = Int16(src[i * stride + k]) &- Int16(pred[i * 4 + k])
                        d[k + 4] = Int16(src[(i + 1) * stride + k]) &- Int16(pred[(i + 1) * 4 + k])
                    }
                    return d
                }
                let r01 = pair(0), r23 = pair(2)
                // Lanes 0-3 hold rows 0/2 and lanes 4-7 rows 1/3: vertical butterflies across the halves.
                let s = r01 &+ r23, t = r01 &- r23          // (d0+d2 | d1+d3), (d0-d2 | d1-d3)
                let e02 = SIMD8(lowHalf: s.lowHalf &+ s.highHalf, highHalf: s.lowHalf &- s.highHalf)
                let e13 = SIMD8(lowHalf: t.lowHalf &+ t.highHalf, highHalf: t.lowHalf &- t.highHalf)
                let h = horizontal(e02) &+ horizontal(e13)
                acc &+= SIMD4<Int32>(truncatingIfNeeded: h)
            }
            y += 4
        }
        return Int(acc.wrappedSum())
    }

    /// The vertical 4-point Hadamard, lane-wise, of the 4 difference rows `row(0...3)`.
    @inline(__always)
    private static func vertical<Lanes: SIMD>(_ row: (Int) -> Lanes) -> (Lanes, Lanes, Lanes, Lanes) where Lanes.Scalar == Int16 {
        let d0 = row(0), d1 = row(1), d2 = row(2), d3 = row(3)
        let a0 = d0 &+ d1, a1 = d0 &- d1, a2 = d2 &+ d3, a3 = d2 &- d3
        return (a0 &+ a2, a1 &+ a3, a0 &- a2, a1 &- a3)
    }

    // Swift's SIMD comparisons, masks and pointwise min/max compile to per-lane scalar loops, so the kernels below
    // use sign-mask arithmetic instead (`x &>> (bits - 1)` is all ones exactly when x < 0).

    @inline(__always) private static func magnitude<V: SIMD>(_ v: V) -> V where V.Scalar == Int16 {
        let m = v &>> 15
        return (v ^ m) &- m
    }

    /// max(a, b) lane-wise for |a - b| < 2^15.
    @inline(__always) private static func maximum<V: SIMD>(_ a: V, _ b: V) -> V where V.Scalar == Int16 {
        let d = a &- b
        return b &+ (d & ~(d &>> 15))
    }

    /// Horizontal 4-point Hadamard inside each group of 4 lanes, last stage folded: per group,
    /// max(|x0+x1|, |x2+x3|) + max(|x0-x1|, |x2-x3|) (half the group's absolute outputs). Each lane of the
    /// result is at most 2·4080, so sums of four results stay inside Int16.
    @inline(__always)
    private static func horizontal(_ e: SIMD16<Int16>) -> SIMD4<Int16> {
        let q = magnitude(e.evenHalf &+ e.oddHalf), r = magnitude(e.evenHalf &- e.oddHalf)
        return maximum(q.evenHalf, q.oddHalf) &+ maximum(r.evenHalf, r.oddHalf)
    }

    @inline(__always)
    private static func horizontal(_ e: SIMD8<Int16>) -> SIMD4<Int16> {
        let q = magnitude(e.evenHalf &+ e.oddHalf), r = magnitude(e.evenHalf &- e.oddHalf)
        let m = maximum(q.evenHalf, q.oddHalf) &+ maximum(r.evenHalf, r.oddHalf)
        return SIMD4(m[0], m[1], 0, 0)
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

    /// Dead-zone quantisation of `count` coefficients (a multiple of 8; index 0 is DC):
    /// level = sign(v)·floor(min(|v|·inv + rounding, 2^20)) with (inv, rounding) = (dcInv, dcRounding) at 0 and
    /// (acInv, acRounding) elsewhere. Returns whether any level is non-zero.
    static func quantize(_ coef: UnsafePointer<Float>, count: Int, dcInv: Float, acInv: Float, dcRounding: Float,
                         acRounding: Float, levels: UnsafeMutablePointer<Int32>) -> Bool {
        var first = SIMD8<Float>(repeating: acInv), firstR = SIMD8<Float>(repeating: acRounding)
        first[0] = dcInv; firstR[0] = dcRounding
        let inv = SIMD8<Float>(repeating: acInv), rnd = SIMD8<Float>(repeating: acRounding)
        let cap = SIMD8<Float>(repeating: Float(1 << 20))
        var any = SIMD8<Int32>()
        var k = 0
        while k < count {
            let v = UnsafeRawPointer(coef + k).loadUnaligned(as: SIMD8<Float>.self)
            let scaled = magnitude(v) * (k == 0 ? first : inv)
            let (_, l) = floorNonNegative(minimum(scaled + (k == 0 ? firstR : rnd), cap))
            any |= l
            UnsafeMutableRawPointer(levels + k).storeBytes(of: withSign(l, of: v), as: SIMD8<Int32>.self)
            k += 8
        }
        return (any[0] | any[1] | any[2] | any[3] | any[4] | any[5] | any[6] | any[7]) != 0
    }

    /// Quantisation as the RD search measures it: level = sign(v)·floor(min(|v|·denom/q + rounding, 2^20)) with
    /// (q, rounding) = (dcQ, dcRounding) at 0 and (acQ, acRounding) elsewhere, and returns the sum, in
    /// increasing index order, of (|v| - level·q/denom)². `temp` holds `count` floats.
    static func quantizeMeasure(_ coef: UnsafePointer<Float>, count: Int, denom: Float, dcQ: Float, acQ: Float,
                                dcRounding: Float, acRounding: Float, levels: UnsafeMutablePointer<Int32>,
                                temp: UnsafeMutablePointer<Float>) -> Float {
        var first = SIMD8<Float>(repeating: acQ), firstR = SIMD8<Float>(repeating: acRounding)
        first[0] = dcQ; firstR[0] = dcRounding
        let q = SIMD8<Float>(repeating: acQ), rnd = SIMD8<Float>(repeating: acRounding)
        let cap = SIMD8<Float>(repeating: Float(1 << 20))
        var k = 0
        while k < count {
            let v = UnsafeRawPointer(coef + k).loadUnaligned(as: SIMD8<Float>.self)
            let qv = k == 0 ? first : q
            let av = magnitude(v)
            let scaled = av * denom / qv
            let (lf, l) = floorNonNegative(minimum(scaled + (k == 0 ? firstR : rnd), cap))
            UnsafeMutableRawPointer(levels + k).storeBytes(of: withSign(l, of: v), as: SIMD8<Int32>.self)
            let e = av - lf * qv / denom
            UnsafeMutableRawPointer(temp + k).storeBytes(of: e * e, as: SIMD8<Float>.self)
            k += 8
        }
        var dist: Float = 0
        for k in 0..<count { dist += temp[k] }
        return dist
    }
}
