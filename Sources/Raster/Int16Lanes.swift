/// Eight 16-bit lanes (one SSE2 register) and the 32-bit lanes of their products: the building blocks that the
/// codecs' fixed-point kernels share (JPEG IDCT and colour rows, RGB→YCbCr). Each is written so that the compiler
/// maps it onto one or two SSE2 instructions (checked against the generated assembly): `multiplyAdd` with constant
/// coefficients becomes an interleave plus `pmaddwd`, `high` becomes `psrad` plus `packssdw`.
public enum Int16Lanes {
    public typealias Samples = SIMD8<Int16>
    public typealias Sums = SIMD8<Int32>

    /// Sign-extends each lane to 32 bits: each value interleaved above a zero half, then shifted back down
    /// (`punpcklwd`/`punpckhwd` + `psrad`). The stdlib's generic `init(truncatingIfNeeded:)` is avoided in kernels:
    /// it is emitted as an out-of-line specialised loop.
    @inlinable @inline(__always)
    public static func widen(_ a: Samples) -> Sums {
        let z: Int16 = 0
        let spread = SIMD16<Int16>(z, a[0], z, a[1], z, a[2], z, a[3], z, a[4], z, a[5], z, a[6], z, a[7])
        return unsafeBitCast(spread, to: Sums.self) &>> 16
    }

    /// Eight bytes zero-extended to 16-bit lanes (`punpcklbw` with zero).
    @inlinable @inline(__always)
    public static func widenBytes(_ b: SIMD8<UInt8>) -> Samples {
        let z: UInt8 = 0
        return unsafeBitCast(SIMD16<UInt8>(b[0], z, b[1], z, b[2], z, b[3], z, b[4], z, b[5], z, b[6], z, b[7], z),
                             to: Samples.self)
    }

    /// a·ca + b·cb per lane with exact 32-bit products and a wrapping sum (`pmaddwd` on the interleaved inputs).
    /// The coefficients must fit in 16 bits.
    @inlinable @inline(__always)
    public static func multiplyAdd(_ a: Samples, _ ca: Int32, _ b: Samples, _ cb: Int32) -> Sums {
        widen(a) &* ca &+ widen(b) &* cb
    }

    /// The high 16 bits of each 32-bit lane.
    @inlinable @inline(__always)
    public static func high(_ a: Sums) -> Samples { unsafeBitCast(a, to: SIMD16<Int16>.self).oddHalf }
}
