import Glibc

/// Forward DCT and quantization of 8×8 blocks (T.81 §A.3.3), in single precision.
struct JPEGForwardDCT {
    /// basis[u * 8 + x] = C(u)/2 · cos((2x+1)uπ/16), so F = B · f · Bᵀ is exactly the T.81 FDCT.
    private let basis: [Float]

    init() {
        var b = [Float](repeating: 0, count: 64)
        for u in 0..<8 {
            let cu = u == 0 ? 1.0 / 2.0.squareRoot() : 1.0
            for x in 0..<8 {
                b[u * 8 + x] = Float(cu / 2 * cos(Double((2 * x + 1) * u) * Double.pi / 16))
            }
        }
        basis = b
    }

    /// Transforms and quantizes every block of `samples` (`blocksWide * 8` samples per row), writing 64 coefficients
    /// per block in zig-zag order. Division by the quantizer rounds to nearest, halves away from zero.
    func quantizedBlocks(samples: [UInt8], blocksWide: Int, blocksHigh: Int, quantTable: [UInt16]) -> [Int16] {
        var out = [Int16](repeating: 0, count: blocksWide * blocksHigh * 64)
        // Reciprocal of each quantizer, indexed by zig-zag position.
        var reciprocal = [Float](repeating: 0, count: 64)
        for k in 0..<64 { reciprocal[k] = 1 / Float(quantTable[JPEGTables.zigzagToNatural[k]]) }
        let stride = blocksWide * 8
        var block = [Float](repeating: 0, count: 64)
        var temp = [Float](repeating: 0, count: 64)
        samples.withUnsafeBufferPointer { src in
        out.withUnsafeMutableBufferPointer { dst in
        basis.withUnsafeBufferPointer { b in
        reciprocal.withUnsafeBufferPointer { recip in
        JPEGTables.zigzagToNatural.withUnsafeBufferPointer { zigzag in
        block.withUnsafeMutableBufferPointer { f in
        temp.withUnsafeMutableBufferPointer { t in
            for by in 0..<blocksHigh {
                for bx in 0..<blocksWide {
                    let origin = by * 8 * stride + bx * 8
                    for y in 0..<8 {
                        for x in 0..<8 { f[y * 8 + x] = Float(src[origin + y * stride + x]) - 128 }
                    }
                    // Rows: t[y][u] = Σx f[y][x] · b[u][x].
                    for y in 0..<8 {
                        for u in 0..<8 {
                            var s: Float = 0
                            for x in 0..<8 { s += f[y * 8 + x] * b[u * 8 + x] }
                            t[y * 8 + u] = s
                        }
                    }
                    // Columns: F[v][u] = Σy b[v][y] · t[y][u].
                    for v in 0..<8 {
                        for u in 0..<8 {
                            var s: Float = 0
                            for y in 0..<8 { s += b[v * 8 + y] * t[y * 8 + u] }
                            f[v * 8 + u] = s
                        }
                    }
                    let blockOut = (by * blocksWide + bx) * 64
                    for k in 0..<64 {
                        let q = f[zigzag[k]] * recip[k]
                        dst[blockOut + k] = Int16(q < 0 ? -(-q + 0.5).rounded(.down) : (q + 0.5).rounded(.down))
                    }
                }
            }
        }}}}}}}
        return out
    }
}
