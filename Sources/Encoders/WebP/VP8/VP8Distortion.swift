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
    /// The values of `hadamardWeight(u, v)`, written out so the kernels load constants instead of calling a lazy
    /// global's initialiser check on every block (the tests compare the two).
    @inline(__always) static var hadamardWeights: VP8Transform.Rows {
        (SIMD4(38, 32, 19, 8), SIMD4(32, 27, 16, 7), SIMD4(19, 16, 10, 4), SIMD4(8, 7, 4, 2))
    }
    /// round(38 · e^(−0.17 · (u² + v²))).
    static func hadamardWeight(_ u: Int, _ v: Int) -> Int32 { Int32((38.0 * exp(-0.17 * Double(u * u + v * v))).rounded()) }

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
        weightedMagnitude(hadamard(rows(p, stride)))
    }

    /// Σ weight·|coefficient| of Walsh–Hadamard coefficients.
    @inline(__always)
    static func weightedMagnitude(_ h: VP8Transform.Rows) -> Int32 {
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

    /// `satd4x4` of one 4x4 source block against 16 predictions at once, before the final halving, into
    /// `out[0..15]`: `predictions` holds 16 rows of 16 bytes, row p = pixel p of the block (raster order), byte m =
    /// prediction m of that pixel (`VP8Predict.allSubblocksByLane`). The lanes are the predictions, so the
    /// transform is lane-wise additions with no transposes; 16-bit lanes suffice (|coefficient| ≤ 16·255, sum ≤
    /// 16·16·255 < 2^16). Even and odd predictions are split by masking each row read as eight 16-bit lanes, which
    /// needs no widening conversion. The Walsh–Hadamard transform is linear and exact, so `out[m] >> 1` equals
    /// `satd4x4(source, prediction m)`.
    @inline(__always)
    static func satd4x4ByLane(_ source: UnsafePointer<UInt8>, _ stride: Int, predictions: UnsafePointer<UInt8>,
                              out: UnsafeMutablePointer<UInt16>) {
        typealias Lanes = SIMD8<Int16>
        let raw = UnsafeRawPointer(predictions)
        let lowByte = Lanes(repeating: 0xFF)
        @inline(__always) func abs16(_ v: Lanes) -> Lanes { let s = v &>> 15; return (v ^ s) &- s }
        for odd in 0..<2 {
            @inline(__always) func residual(_ p: Int) -> Lanes {
                let pair = raw.loadUnaligned(fromByteOffset: p * 16, as: Lanes.self)
                let prediction = odd == 0 ? pair & lowByte : (pair &>> 8) & lowByte
                return Lanes(repeating: Int16(source[(p >> 2) * stride + (p & 3)])) &- prediction
            }
            // Horizontal pass along each row, then vertical pass along each column with the magnitudes summed.
            @inline(__always) func rowPass(_ r: Int) -> (Lanes, Lanes, Lanes, Lanes) {
                let d0 = residual(r * 4), d1 = residual(r * 4 + 1), d2 = residual(r * 4 + 2), d3 = residual(r * 4 + 3)
                let s02 = d0 &+ d2, s13 = d1 &+ d3, e02 = d0 &- d2, e13 = d1 &- d3
                return (s02 &+ s13, e02 &+ e13, e02 &- e13, s02 &- s13)
            }
            @inline(__always) func columnPass(_ x0: Lanes, _ x1: Lanes, _ x2: Lanes, _ x3: Lanes) -> Lanes {
                let s02 = x0 &+ x2, s13 = x1 &+ x3, e02 = x0 &- x2, e13 = x1 &- x3
                return abs16(s02 &+ s13) &+ abs16(e02 &+ e13) &+ abs16(e02 &- e13) &+ abs16(s02 &- s13)
            }
            let r0 = rowPass(0), r1 = rowPass(1), r2 = rowPass(2), r3 = rowPass(3)
            let sum = columnPass(r0.0, r1.0, r2.0, r3.0) &+ columnPass(r0.1, r1.1, r2.1, r3.1)
                &+ columnPass(r0.2, r1.2, r2.2, r3.2) &+ columnPass(r0.3, r1.3, r2.3, r3.3)
            for j in 0..<8 { out[2 * j + odd] = UInt16(bitPattern: sum[j]) }
        }
    }

    /// `satd4x4` from the two blocks' Walsh–Hadamard transforms (the transform is linear and exact, so
    /// H(a − b) = H(a) − H(b)).
    @inline(__always)
    static func satd(transforms a: VP8Transform.Rows, _ b: VP8Transform.Rows) -> Int32 {
        (magnitude(a.0 &- b.0) &+ magnitude(a.1 &- b.1) &+ magnitude(a.2 &- b.2) &+ magnitude(a.3 &- b.3)).wrappedSum() >> 1
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
