/// Branch-free lane arithmetic for the kernels. Written with shifts and masks rather than comparisons against
/// scalars or the generic `pointwiseMin`/`clamped`, which the compiler turns into per-lane loops or calls.
extension SIMD where Scalar == Int32 {
    /// All ones in negative lanes, zero elsewhere.
    @inline(__always) var signMask: Self { self &>> 31 }
    /// |v| (two's complement: flip and add one where negative).
    @inline(__always) var magnitude: Self { let s = signMask; return (self ^ s) &- s }
    /// v with the sign of `mask` (a `signMask`) applied.
    @inline(__always) func withSign(_ mask: Self) -> Self { (self ^ mask) &- mask }
    /// min(v, m) lane-wise.
    @inline(__always) func minimum(_ m: Self) -> Self { let d = self &- m; return m &+ (d & d.signMask) }
    /// max(v, m) lane-wise.
    @inline(__always) func maximum(_ m: Self) -> Self { let d = self &- m; return self &- (d & d.signMask) }
    /// 1 where the lane is non-zero, else 0.
    @inline(__always) var isNonZero: Self { ((self | (0 &- self)) &>> 31) & Self(repeating: 1) }
}
