import Raster

/// SIMD building blocks for the JPEG kernels, written so that the compiler maps each onto one or two SSE2
/// instructions on x86-64 (the baseline we build for) and onto their NEON counterparts elsewhere:
/// 16-bit lanes (`Lanes16`, eight per 128-bit register) for samples and coefficients, 32-bit lanes (`Lanes32`,
/// eight in two registers) for products. Checked against the generated assembly when written: `multiplyAdd`
/// becomes an interleave plus `pmaddwd`, `narrowHigh` `psrad` plus `packssdw`, `packBytes` `packuswb`.
/// Comparisons that yield `SIMDMask` and `any(_:)` are avoided on purpose: the compiler turns them into scalar
/// loops.
typealias Lanes16 = SIMD8<Int16>
typealias Lanes32 = SIMD8<Int32>

enum JPEGLanes {
    /// Sign-extends each lane to 32 bits (`Int16Lanes.widen`).
    @inline(__always)
    static func widen(_ a: Lanes16) -> Lanes32 { Int16Lanes.widen(a) }

    /// The low 16 bits of each 32-bit lane.
    @inline(__always)
    static func narrowLow(_ a: Lanes32) -> Lanes16 { unsafeBitCast(a, to: SIMD16<Int16>.self).evenHalf }

    /// Eight bytes as 16-bit lanes (`Int16Lanes.widenBytes`: `punpcklbw` with zero).
    @inline(__always)
    static func widenBytes(_ b: SIMD8<UInt8>) -> Lanes16 { Int16Lanes.widenBytes(b) }

    /// a·ca + b·cb per lane, exact (`Int16Lanes.multiplyAdd`: `pmaddwd`); the constants must fit in 16 bits.
    @inline(__always)
    static func multiplyAdd(_ a: Lanes16, _ ca: Int32, _ b: Lanes16, _ cb: Int32) -> Lanes32 {
        Int16Lanes.multiplyAdd(a, ca, b, cb)
    }

    /// The high 16 bits of each 32-bit lane (`Int16Lanes.high`).
    @inline(__always)
    static func narrowHigh(_ a: Lanes32) -> Lanes16 { Int16Lanes.high(a) }

    /// Lanes 0...3 of a and b interleaved, then narrowed to their high halves: (a0, b0, a1, b1, a2, b2, a3, b3).
    @inline(__always)
    static func zipNarrowLow(_ a: Lanes32, _ b: Lanes32) -> Lanes16 {
        narrowHigh(Lanes32(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3]))
    }

    /// Lanes 4...7 of a and b interleaved, then narrowed to their high halves.
    @inline(__always)
    static func zipNarrowHigh(_ a: Lanes32, _ b: Lanes32) -> Lanes16 {
        narrowHigh(Lanes32(a[4], b[4], a[5], b[5], a[6], b[6], a[7], b[7]))
    }

    @inline(__always)
    static func zipLow16(_ a: Lanes16, _ b: Lanes16) -> Lanes16 { Lanes16(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3]) }
    @inline(__always)
    static func zipHigh16(_ a: Lanes16, _ b: Lanes16) -> Lanes16 { Lanes16(a[4], b[4], a[5], b[5], a[6], b[6], a[7], b[7]) }

    /// Interleaves of 32-bit pairs of 16-bit lanes.
    @inline(__always)
    static func zipLow32(_ a: Lanes16, _ b: Lanes16) -> Lanes16 {
        let x = unsafeBitCast(a, to: SIMD4<Int32>.self), y = unsafeBitCast(b, to: SIMD4<Int32>.self)
        return unsafeBitCast(SIMD4<Int32>(x[0], y[0], x[1], y[1]), to: Lanes16.self)
    }
    @inline(__always)
    static func zipHigh32(_ a: Lanes16, _ b: Lanes16) -> Lanes16 {
        let x = unsafeBitCast(a, to: SIMD4<Int32>.self), y = unsafeBitCast(b, to: SIMD4<Int32>.self)
        return unsafeBitCast(SIMD4<Int32>(x[2], y[2], x[3], y[3]), to: Lanes16.self)
    }

    /// Interleaves of 64-bit quarters (the low or high halves of a and b, concatenated).
    @inline(__always)
    static func zipLow64(_ a: Lanes16, _ b: Lanes16) -> Lanes16 {
        let x = unsafeBitCast(a, to: SIMD2<Int64>.self), y = unsafeBitCast(b, to: SIMD2<Int64>.self)
        return unsafeBitCast(SIMD2<Int64>(x[0], y[0]), to: Lanes16.self)
    }
    @inline(__always)
    static func zipHigh64(_ a: Lanes16, _ b: Lanes16) -> Lanes16 {
        let x = unsafeBitCast(a, to: SIMD2<Int64>.self), y = unsafeBitCast(b, to: SIMD2<Int64>.self)
        return unsafeBitCast(SIMD2<Int64>(x[1], y[1]), to: Lanes16.self)
    }

    typealias Rows = (Lanes16, Lanes16, Lanes16, Lanes16, Lanes16, Lanes16, Lanes16, Lanes16)

    /// The second and third rounds of an 8x8 16-bit transpose whose first round (16-bit interleaves of row pairs
    /// 0/1, 2/3, 4/5, 6/7, low then high halves) produced `r`.
    @inline(__always)
    static func finishTranspose(_ r: Rows) -> Rows {
        let b0 = zipLow32(r.0, r.2), b1 = zipHigh32(r.0, r.2), b2 = zipLow32(r.1, r.3), b3 = zipHigh32(r.1, r.3)
        let b4 = zipLow32(r.4, r.6), b5 = zipHigh32(r.4, r.6), b6 = zipLow32(r.5, r.7), b7 = zipHigh32(r.5, r.7)
        return (zipLow64(b0, b4), zipHigh64(b0, b4), zipLow64(b1, b5), zipHigh64(b1, b5),
                zipLow64(b2, b6), zipHigh64(b2, b6), zipLow64(b3, b7), zipHigh64(b3, b7))
    }

    /// 8x8 transpose of 16-bit lanes.
    @inline(__always)
    static func transpose(_ r: Rows) -> Rows {
        finishTranspose((zipLow16(r.0, r.1), zipHigh16(r.0, r.1), zipLow16(r.2, r.3), zipHigh16(r.2, r.3),
                         zipLow16(r.4, r.5), zipHigh16(r.4, r.5), zipLow16(r.6, r.7), zipHigh16(r.6, r.7)))
    }

    /// 16-bit values saturated to 0...255 (in lanes whose low byte is the result): negatives become 0, values above
    /// 255 all ones. Arithmetic shifts instead of `pointwiseMin`/`pointwiseMax`, which are emitted out of line.
    @inline(__always)
    static func saturateToByte(_ v: Lanes16) -> Lanes16 {
        let nonNegative = v & ~(v &>> 15)
        return nonNegative | ((Lanes16(repeating: 255) &- nonNegative) &>> 15)
    }

    /// Two rows of 16-bit values saturated to 0...255 and packed into bytes.
    @inline(__always)
    static func packBytes(_ a: Lanes16, _ b: Lanes16) -> SIMD16<UInt8> {
        let both = SIMD16<Int16>(lowHalf: saturateToByte(a), highHalf: saturateToByte(b))
        return unsafeBitCast(both, to: SIMD32<UInt8>.self).evenHalf
    }

    /// Stores the two 8-byte halves of `v` at `p` and `p + stride`.
    @inline(__always)
    static func storeRows(_ v: SIMD16<UInt8>, _ p: UnsafeMutablePointer<UInt8>, _ stride: Int) {
        let d = unsafeBitCast(v, to: SIMD2<UInt64>.self)
        UnsafeMutableRawPointer(p).storeBytes(of: d[0], as: UInt64.self)
        UnsafeMutableRawPointer(p + stride).storeBytes(of: d[1], as: UInt64.self)
    }

    /// True when every lane of `v` is zero (an OR of its two 64-bit halves, without a mask).
    @inline(__always)
    static func isZero(_ v: Lanes16) -> Bool {
        let d = unsafeBitCast(v, to: SIMD2<UInt64>.self)
        return d[0] | d[1] == 0
    }
}
