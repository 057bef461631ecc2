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

    /// Weight of each sequency-ordered Walsh–Hadamard coefficient (row-major, low frequencies first): a Gaussian
    /// fall-off with frequency, since the eye's contrast sensitivity drops at high frequencies.
    static let hadamardWeights: SIMD16<Int32> = {
        var w = SIMD16<Int32>(repeating: 0)
        for u in 0..<4 { for v in 0..<4 { w[u * 4 + v] = Int32((38.0 * exp(-0.17 * Double(u * u + v * v))).rounded()) } }
        return w
    }()

    /// Σ weight·|coefficient| of the 4x4 Walsh–Hadamard transform of a block.
    @inline(__always)
    static func weightedHadamard(_ p: UnsafePointer<UInt8>, _ stride: Int) -> Int32 {
        var t = SIMD16<Int32>(repeating: 0)
        for i in 0..<4 {
            let row = p + i * stride
            let x0 = Int32(row[0]), x1 = Int32(row[1]), x2 = Int32(row[2]), x3 = Int32(row[3])
            let s02 = x0 &+ x2, s13 = x1 &+ x3, d02 = x0 &- x2, d13 = x1 &- x3
            t[i * 4] = s02 &+ s13; t[i * 4 + 1] = d02 &+ d13; t[i * 4 + 2] = d02 &- d13; t[i * 4 + 3] = s02 &- s13
        }
        var sum: Int32 = 0
        let w = hadamardWeights
        for i in 0..<4 {
            let s02 = t[i] &+ t[8 + i], s13 = t[4 + i] &+ t[12 + i]
            let d02 = t[i] &- t[8 + i], d13 = t[4 + i] &- t[12 + i]
            let b0 = s02 &+ s13, b1 = d02 &+ d13, b2 = d02 &- d13, b3 = s02 &- s13
            sum &+= w[i] &* abs(b0) &+ w[4 + i] &* abs(b1) &+ w[8 + i] &* abs(b2) &+ w[12 + i] &* abs(b3)
        }
        return sum
    }

    /// Sum of absolute 4x4 Walsh–Hadamard coefficients of `a − b`, halved (≈ the orthonormal transform's L1 norm
    /// ×2): a cheap estimate of how costly a residual is to code, for ranking prediction modes.
    @inline(__always)
    static func satd4x4(_ a: UnsafePointer<UInt8>, _ aStride: Int, _ b: UnsafePointer<UInt8>, _ bStride: Int) -> Int32 {
        var t = SIMD16<Int32>(repeating: 0)
        for i in 0..<4 {
            let pa = a + i * aStride, pb = b + i * bStride
            let x0 = Int32(pa[0]) &- Int32(pb[0]), x1 = Int32(pa[1]) &- Int32(pb[1])
            let x2 = Int32(pa[2]) &- Int32(pb[2]), x3 = Int32(pa[3]) &- Int32(pb[3])
            let s02 = x0 &+ x2, s13 = x1 &+ x3, d02 = x0 &- x2, d13 = x1 &- x3
            t[i * 4] = s02 &+ s13; t[i * 4 + 1] = d02 &+ d13; t[i * 4 + 2] = d02 &- d13; t[i * 4 + 3] = s02 &- s13
        }
        var sum: Int32 = 0
        for i in 0..<4 {
            let s02 = t[i] &+ t[8 + i], s13 = t[4 + i] &+ t[12 + i]
            let d02 = t[i] &- t[8 + i], d13 = t[4 + i] &- t[12 + i]
            sum &+= abs(s02 &+ s13) &+ abs(d02 &+ d13) &+ abs(d02 &- d13) &+ abs(s02 &- s13)
        }
        return sum >> 1
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
