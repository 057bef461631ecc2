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
    /// scratch[i][k] = sum_j R[i][j]·Fr[k][j] (`rowPass`), then out[k1][k2] = sum_i (Fc[k1][i]·gain)·scratch[i][k2]
    /// (`columnPass`): each sum runs in increasing j (resp. i) and skips zero terms, lane-wise over k (resp. k2),
    /// so the result is the same, bit for bit, as the scalar loops.
    static func forward2D(_ residual: UnsafePointer<Int32>, log2: Int, txType: Int,
                          out: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        let (colKind, rowKind) = AV1InverseTransform.kinds(txType)
        rowPass(residual, log2: log2, kind: rowKind, scratch: scratch)
        columnPass(scratch, log2: log2, kind: colKind, out: out)
    }

    static func rowPass(_ residual: UnsafePointer<Int32>, log2: Int, kind: AV1InverseTransform.Kind, scratch: UnsafeMutablePointer<Float>) {
        let frT = packedBase + packedOffsets[kindIndex(kind) * 5 + log2 - 2] + (1 << (2 * log2))
        switch log2 {
        case 2: rowPass(residual, log2, frT, scratch, SIMD4<Float>.self)
        case 3: rowPass(residual, log2, frT, scratch, SIMD8<Float>.self)
        default: rowPass(residual, log2, frT, scratch, SIMD16<Float>.self)
        }
    }

    static func columnPass(_ scratch: UnsafePointer<Float>, log2: Int, kind: AV1InverseTransform.Kind, out: UnsafeMutablePointer<Float>) {
        let fc = packedBase + packedOffsets[kindIndex(kind) * 5 + log2 - 2]
        switch log2 {
        case 2: columnPass(scratch, log2, fc, out, SIMD4<Float>.self)
        case 3: columnPass(scratch, log2, fc, out, SIMD8<Float>.self)
        default: columnPass(scratch, log2, fc, out, SIMD16<Float>.self)
        }
    }

    @inline(__always)
    private static func rowPass<V: SIMD>(_ residual: UnsafePointer<Int32>, _ log2: Int, _ frT: UnsafePointer<Float>,
                                         _ scratch: UnsafeMutablePointer<Float>, _: V.Type) where V.Scalar == Float {
        let n = 1 << log2
        let tw = min(32, n)
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
                k += V.scalarCount
            }
        }
    }

    @inline(__always)
    private static func columnPass<V: SIMD>(_ scratch: UnsafePointer<Float>, _ log2: Int, _ fc: UnsafePointer<Float>,
                                            _ out: UnsafeMutablePointer<Float>, _: V.Type) where V.Scalar == Float {
        let n = 1 << log2
        let tw = min(32, n)
        let gain = Float(1 << (Int(transformRowShift[log2 - 2]) + 4))
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
                k2 += V.scalarCount
            }
        }
    }
}

/// Remembers the row pass of the last residual for each row kernel: the RD search transforms one prediction with
/// several transform types, and types with the same row kernel (DCT_DCT / ADST_DCT, ADST_ADST / DCT_ADST) share
/// it. The residual is identified by plane, position, size and the prediction's bytes (the source never changes),
/// so a hit returns exactly what recomputing would.
final class AV1ForwardCache {
    private let pred = UnsafeMutablePointer<UInt8>.allocate(capacity: 64 * 64)
    private let rows = UnsafeMutablePointer<Float>.allocate(capacity: 3 * 64 * 32)
    private var key = (plane: -1, x: 0, y: 0, log2: 0)
    private var have = (false, false, false)

    deinit { pred.deallocate(); rows.deallocate() }

    /// Forward 2D transform of src - pred (n*n, as `AV1PixelKernels.residual`) into `out`; `resid` is scratch.
    func forward(plane: Int, x: Int, y: Int, log2: Int, txType: Int, src: UnsafePointer<UInt8>, stride: Int,
                 pred p: UnsafePointer<UInt8>, resid: UnsafeMutablePointer<Int32>, out: UnsafeMutablePointer<Float>) {
        let count = 1 << (2 * log2)
        if key != (plane, x, y, log2) || !AV1ForwardCache.equal(pred, p, count) {
            key = (plane, x, y, log2)
            pred.update(from: p, count: count)
            have = (false, false, false)
        }
        let (colKind, rowKind) = AV1InverseTransform.kinds(txType)
        let k = AV1ForwardTransform.kindIndex(rowKind)
        let slot = rows + k * 64 * 32
        let cached = k == 0 ? have.0 : (k == 1 ? have.1 : have.2)
        if !cached {
            AV1PixelKernels.residual(src, stride, p, 1 << log2, into: resid)
            AV1ForwardTransform.rowPass(resid, log2: log2, kind: rowKind, scratch: slot)
            if k == 0 { have.0 = true } else if k == 1 { have.1 = true } else { have.2 = true }
        }
        AV1ForwardTransform.columnPass(slot, log2: log2, kind: colKind, out: out)
    }

    private static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        var k = 0
        while k + 8 <= count {
            if UnsafeRawPointer(a + k).loadUnaligned(as: UInt64.self) != UnsafeRawPointer(b + k).loadUnaligned(as: UInt64.self) { return false }
            k += 8
        }
        while k < count { if a[k] != b[k] { return false }; k += 1 }
        return true
    }
}
