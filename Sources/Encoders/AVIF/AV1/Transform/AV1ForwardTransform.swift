/// Forward transforms: the exact linear inverse of the spec's inverse kernels (AV1 §7.13), obtained once per
/// kernel and size by measuring the inverse transform's basis and inverting that matrix. Quantisation errors,
/// not forward-transform precision, dominate, so single precision suffices.
enum AV1ForwardTransform {
    /// Forward matrices indexed by kind (0 dct, 1 adst, 2 identity) * 5 + (log2 - 2), each n*n, row k = basis k.
    static let matrices: [[Float]] = {
        var out: [[Float]] = []
        for kind in [AV1InverseTransform.Kind.dct, .adst, .identity] {
            for log2 in 2...6 {
                let n = 1 << log2
                if (kind == .adst && log2 > 4) || (kind == .identity && log2 > 5) { out.append([]); continue }
                // M[i][k] = output i of the inverse for a unit impulse at input k.
                var m = [Double](repeating: 0, count: n * n)
                let scale = 1 << 20
                withUnsafeTemporaryAllocation(of: Int.self, capacity: 64) { tb in
                    let t = tb.baseAddress!
                    for k in 0..<n {
                        for i in 0..<n { t[i] = i == k ? scale : 0 }
                        AV1InverseTransform.run1D(kind, t, log2, 60)
                        for i in 0..<n { m[i * n + k] = Double(t[i]) / Double(scale) }
                    }
                }
                out.append(invert(m, n).map { Float($0) })
            }
        }
        return out
    }()

    /// Gauss–Jordan inverse of an n*n matrix (well conditioned: scaled orthogonal).
    private static func invert(_ a: [Double], _ n: Int) -> [Double] {
        var m = a
        var inv = [Double](repeating: 0, count: n * n)
        for i in 0..<n { inv[i * n + i] = 1 }
        for col in 0..<n {
            var pivot = col
            for r in col..<n where abs(m[r * n + col]) > abs(m[pivot * n + col]) { pivot = r }
            if pivot != col {
                for j in 0..<n { m.swapAt(col * n + j, pivot * n + j); inv.swapAt(col * n + j, pivot * n + j) }
            }
            let p = m[col * n + col]
            for j in 0..<n { m[col * n + j] /= p; inv[col * n + j] /= p }
            for r in 0..<n where r != col {
                let f = m[r * n + col]
                if f == 0 { continue }
                for j in 0..<n { m[r * n + j] -= f * m[col * n + j]; inv[r * n + j] -= f * inv[col * n + j] }
            }
        }
        return inv
    }

    static func kindIndex(_ k: AV1InverseTransform.Kind) -> Int {
        switch k { case .dct: return 0; case .adst: return 1; case .identity: return 2 }
    }

    /// Transposed forward matrices (column k of the original in row k... i.e. T[j][k] = F[k][j]) so the inner loops
    /// run over contiguous outputs and vectorise.
    static let transposed: [[Float]] = matrices.enumerated().map { idx, m in
        if m.isEmpty { return [] }
        let n = 1 << (idx % 5 + 2)
        var t = [Float](repeating: 0, count: n * n)
        for k in 0..<n { for j in 0..<n { t[j * n + k] = m[k * n + j] } }
        return t
    }

    /// `matrices` and `transposed` flattened into one buffer that lives for the process: entry `idx` (as in
    /// `matrices`) starts at `offsets[idx]`, the transposed copy at `offsets[idx] + n*n`.
    private static let packed: (base: UnsafePointer<Float>, offsets: [Int]) = {
        var flat: [Float] = []
        var offsets: [Int] = []
        for idx in matrices.indices {
            offsets.append(flat.count)
            flat += matrices[idx]
            flat += transposed[idx]
        }
        let p = UnsafeMutablePointer<Float>.allocate(capacity: max(1, flat.count))
        p.initialize(from: flat, count: flat.count)
        return (UnsafePointer(p), offsets)
    }()
    nonisolated(unsafe) private static let packedBase = packed.base
    private static let packedOffsets = packed.offsets

    /// Forward 2D transform of the n*n residual into the tw*tw coefficient block in the decoder's Dequant scale.
    ///
    /// scratch[i][k] = sum_j R[i][j]·Fr[k][j], then out[k1][k2] = sum_i (Fc[k1][i]·gain)·scratch[i][k2]: each
    /// sum runs in increasing j (resp. i) and skips zero terms, lane-wise over k (resp. k2), so the result is
    /// the same, bit for bit, as the scalar loops.
    static func forward2D(_ residual: UnsafePointer<Int32>, log2: Int, txType: Int,
                          out: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        let (colKind, rowKind) = AV1InverseTransform.kinds(txType)
        let frT = packedBase + packedOffsets[kindIndex(rowKind) * 5 + log2 - 2] + (1 << (2 * log2))
        let fc = packedBase + packedOffsets[kindIndex(colKind) * 5 + log2 - 2]
        switch log2 {
        case 2: forward2D(residual, log2, frT, fc, out, scratch, SIMD4<Float>.self)
        case 3: forward2D(residual, log2, frT, fc, out, scratch, SIMD8<Float>.self)
        default: forward2D(residual, log2, frT, fc, out, scratch, SIMD16<Float>.self)
        }
    }

    @inline(__always)
    private static func forward2D<V: SIMD>(_ residual: UnsafePointer<Int32>, _ log2: Int, _ frT: UnsafePointer<Float>,
                                           _ fc: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                                           _ scratch: UnsafeMutablePointer<Float>, _: V.Type) where V.Scalar == Float {
        let n = 1 << log2
        let tw = min(32, n)
        let w = V.scalarCount
        let rowShift = Int(transformRowShift[log2 - 2])
        let gain = Float(1 << (rowShift + 4))
        for i in 0..<n {
            let rrow = residual + i * n
            var k = 0
            while k < tw {
                var acc = V()
                for j in 0..<n {
                    let r = Float(rrow[j])
                    if r == 0 { continue }
                    acc += r * UnsafeRawPointer(frT + j * n + k).loadUnaligned(as: V.self)
                }
                UnsafeMutableRawPointer(scratch + i * tw + k).storeBytes(of: acc, as: V.self)
                k += w
            }
        }
        for k1 in 0..<tw {
            let crow = fc + k1 * n
            var k2 = 0
            while k2 < tw {
                var acc = V()
                for i in 0..<n {
                    let cv = crow[i] * gain
                    if cv == 0 { continue }
                    acc += cv * UnsafeRawPointer(scratch + i * tw + k2).loadUnaligned(as: V.self)
                }
                UnsafeMutableRawPointer(out + k1 * tw + k2).storeBytes(of: acc, as: V.self)
                k2 += w
            }
        }
    }
}
