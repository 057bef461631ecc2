import Glibc

/// Distortion kernels of mode decision: sum of squared errors, and a texture term comparing the weighted
/// spectral energy of source and reconstruction (a reconstruction that is smoother or noisier than its source
/// looks worse than its SSE says: SSE alone prefers blur).
enum VP8Distortion {
    @inline(__always)
    static func sse(_ a: UnsafePointer<UInt8>, _ aStride: Int, _ b: UnsafePointer<UInt8>, _ bStride: Int,
                    width: Int, height: Int) -> Int32 {
        var s: Int32 = 0
        for r in 0..<height {
            let pa = a + r * aStride, pb = b + r * bStride
            for c in 0..<width { let d = Int32(pa[c]) &- Int32(pb[c]); s &+= d &* d }
        }
        return s
    }

    @inline(__always) static func magnitude(_ v: SIMD4<Int32>) -> SIMD4<Int32> { v.magnitude }

    /// SSE of a 4x4 block.
    @inline(__always)
    static func sse4x4(_ a: UnsafePointer<UInt8>, _ aStride: Int, _ b: UnsafePointer<UInt8>, _ bStride: Int) -> Int32 {
        let d0 = VP8Transform.load4(a) &- VP8Transform.load4(b)
        let d1 = VP8Transform.load4(a + aStride) &- VP8Transform.load4(b + bStride)
        let d2 = VP8Transform.load4(a + 2 * aStride) &- VP8Transform.load4(b + 2 * bStride)
        let d3 = VP8Transform.load4(a + 3 * aStride) &- VP8Transform.load4(b + 3 * bStride)
        return (d0 &* d0 &+ d1 &* d1 &+ d2 &* d2 &+ d3 &* d3).wrappedSum()
    }

    /// SSE of a block whose width is a multiple of 16 (16x16 luma, 16x8 chroma side by side).
    @inline(__always)
    static func sse16(_ a: UnsafePointer<UInt8>, _ aStride: Int, _ b: UnsafePointer<UInt8>, _ bStride: Int,
                      height: Int) -> Int32 {
        var acc = SIMD16<Int32>(repeating: 0)
        for r in 0..<height {
            let va = SIMD16<Int32>(truncatingIfNeeded: UnsafeRawPointer(a + r * aStride).loadUnaligned(as: SIMD16<UInt8>.self))
            let vb = SIMD16<Int32>(truncatingIfNeeded: UnsafeRawPointer(b + r * bStride).loadUnaligned(as: SIMD16<UInt8>.self))
            let d = va &- vb
            acc &+= d &* d
        }
        return acc.wrappedSum()
    }

    /// Weight of each sequency-ordered Walsh–Hadamard coefficient (row-major, low frequencies first): a Gaussian
    /// fall-off with frequency, since the eye's contrast sensitivity drops at high frequencies.
    static let hadamardWeights: VP8Transform.Rows = {
        func w(_ u: Int, _ v: Int) -> Int32 { Int32((38.0 * exp(-0.17 * Double(u * u + v * v))).rounded()) }
        return (SIMD4(w(0, 0), w(0, 1), w(0, 2), w(0, 3)), SIMD4(w(1, 0), w(1, 1), w(1, 2), w(1, 3)),
                SIMD4(w(2, 0), w(2, 1), w(2, 2), w(2, 3)), SIMD4(w(3, 0), w(3, 1), w(3, 2), w(3, 3)))
    }()

    /// 4x4 Walsh–Hadamard transform in sequency order (rows: vertical frequency, lanes: horizontal frequency).
    @inline(__always)
    static func hadamard(_ r: VP8Transform.Rows) -> VP8Transform.Rows {
        let s02 = r.0 &+ r.2, s13 = r.1 &+ r.3, d02 = r.0 &- r.2, d13 = r.1 &- r.3
        let c = VP8Transform.transpose((s02 &+ s13, d02 &+ d13, d02 &- d13, s02 &- s13))
        let t02 = c.0 &+ c.2, t13 = c.1 &+ c.3, e02 = c.0 &- c.2, e13 = c.1 &- c.3
        return VP8Transform.transpose((t02 &+ t13, e02 &+ e13, e02 &- e13, t02 &- t13))
    }

    @inline(__always)
    static func rows(_ p: UnsafePointer<UInt8>, _ stride: Int) -> VP8Transform.Rows {
        (VP8Transform.load4(p), VP8Transform.load4(p + stride), VP8Transform.load4(p + 2 * stride),
         VP8Transform.load4(p + 3 * stride))
    }

    /// Σ weight·|coefficient| of the 4x4 Walsh–Hadamard transform of a block.
    @inline(__always)
    static func weightedHadamard(_ p: UnsafePointer<UInt8>, _ stride: Int) -> Int32 {
        let h = hadamard(rows(p, stride))
        let w = hadamardWeights
        return (w.0 &* magnitude(h.0) &+ w.1 &* magnitude(h.1) &+ w.2 &* magnitude(h.2) &+ w.3 &* magnitude(h.3)).wrappedSum()
    }

    /// Sum of absolute 4x4 Walsh–Hadamard coefficients of `a − b`, halved (≈ the orthonormal transform's L1 norm
    /// ×2): a cheap estimate of how costly a residual is to code, for ranking prediction modes.
    @inline(__always)
    static func satd4x4(_ a: UnsafePointer<UInt8>, _ aStride: Int, _ b: UnsafePointer<UInt8>, _ bStride: Int) -> Int32 {
        let ra = rows(a, aStride), rb = rows(b, bStride)
        let h = hadamard((ra.0 &- rb.0, ra.1 &- rb.1, ra.2 &- rb.2, ra.3 &- rb.3))
        return (magnitude(h.0) &+ magnitude(h.1) &+ magnitude(h.2) &+ magnitude(h.3)).wrappedSum() >> 1
    }

    /// Texture distortion of one 4x4 block: |weighted spectral energy(a) − (b)| / 32.
    @inline(__always)
    static func texture4x4(_ a: UnsafePointer<UInt8>, _ aStride: Int, _ b: UnsafePointer<UInt8>, _ bStride: Int) -> Int32 {
        abs(weightedHadamard(b, bStride) &- weightedHadamard(a, aStride)) >> 5
    }

    /// Texture distortion summed over the sixteen 4x4 blocks of a 16x16 block.
    @inline(__always)
    static func texture16x16(_ a: UnsafePointer<UInt8>, _ aStride: Int, _ b: UnsafePointer<UInt8>, _ bStride: Int) -> Int32 {
        var d: Int32 = 0
        for y in stride(from: 0, to: 16, by: 4) {
            for x in stride(from: 0, to: 16, by: 4) { d &+= texture4x4(a + y * aStride + x, aStride, b + y * bStride + x, bStride) }
        }
        return d
    }
}
