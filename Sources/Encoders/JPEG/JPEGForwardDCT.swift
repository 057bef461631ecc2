import Glibc
import Raster

/// Forward DCT and quantization of 8×8 blocks (T.81 §A.3.3) in single precision, with the Arai–Agui–Nakajima
/// factorization (Trans. IEICE E-71(11), 1988): 5 multiplications per 8-point pass, its output scaled per
/// frequency by a factor that is folded into the quantizer reciprocals.
struct JPEGForwardDCT {
    /// AAN output scale of frequency k: 1 for k = 0, √2·cos(kπ/16) otherwise.
    private static let aanScale: [Double] = (0..<8).map { k in k == 0 ? 1 : 2.0.squareRoot() * cos(Double(k) * Double.pi / 16) }

    /// Transforms and quantizes every block of `samples` (`blocksWide * 8` samples per row), writing 64 coefficients
    /// per block in zig-zag order. Division by the quantizer rounds to nearest, halves away from zero.
    func quantizedBlocks(samples: [UInt8], blocksWide: Int, blocksHigh: Int, quantTable: [UInt16]) -> [Int16] {
        var out = [Int16](repeating: 0, count: blocksWide * blocksHigh * 64)
        // For each zig-zag position: 1 / (quantizer · AAN scale(u) · AAN scale(v) · 8), the 8 making the 2-D
        // AAN output (8× the T.81 DCT after descaling) equal to the T.81 definition.
        var reciprocal = [Float](repeating: 0, count: 64)
        for k in 0..<64 {
            let natural = JPEGTables.zigzagToNatural[k]
            let scale = Self.aanScale[natural / 8] * Self.aanScale[natural % 8] * 8
            reciprocal[k] = Float(1 / (Double(quantTable[natural]) * scale))
        }
        let stride = blocksWide * 8
        // Block rows split over the job's threads: each worker owns its rows of `out` and its scratch block.
        let workers = blocksWide * blocksHigh >= 4096 ? min(blocksHigh, Job.current.threads) : 1
        samples.withUnsafeBufferPointer { src in
        out.withUnsafeMutableBufferPointer { dst in
        reciprocal.withUnsafeBufferPointer { recip in
        JPEGTables.zigzagToNatural.withUnsafeBufferPointer { zigzag in
            Job.parallelFor(workers) { worker in
                let rows = (blocksHigh * worker / workers)..<(blocksHigh * (worker + 1) / workers)
                withUnsafeTemporaryAllocation(of: Float.self, capacity: 64) { f in
                    let base = f.baseAddress!
                    for by in rows {
                        for bx in 0..<blocksWide {
                            let origin = by * 8 * stride + bx * 8
                            for y in 0..<8 {
                                for x in 0..<8 { f[y * 8 + x] = Float(src[origin + y * stride + x]) - 128 }
                            }
                            for row in 0..<8 { Self.transform8(base + row * 8, step: 1) }
                            for column in 0..<8 { Self.transform8(base + column, step: 8) }
                            let blockOut = (by * blocksWide + bx) * 64
                            for k in 0..<64 {
                                let q = f[zigzag[k]] * recip[k]
                                dst[blockOut + k] = Int16(q < 0 ? q - 0.5 : q + 0.5)
                            }
                        }
                    }
                }
            }
        }}}}
        return out
    }

    /// One in-place 8-point AAN DCT over p[0], p[step], ..., p[7·step]; outputs carry the AAN scale factors.
    @inline(__always)
    private static func transform8(_ p: UnsafeMutablePointer<Float>, step: Int) {
        let d0 = p[0], d1 = p[step], d2 = p[2 * step], d3 = p[3 * step]
        let d4 = p[4 * step], d5 = p[5 * step], d6 = p[6 * step], d7 = p[7 * step]
        let s07 = d0 + d7, a07 = d0 - d7
        let s16 = d1 + d6, a16 = d1 - d6
        let s25 = d2 + d5, a25 = d2 - d5
        let s34 = d3 + d4, a34 = d3 - d4

        // Even half: a 4-point DCT of the sums.
        let e0 = s07 + s34, e3 = s07 - s34
        let e1 = s16 + s25, e2 = s16 - s25
        p[0] = e0 + e1
        p[4 * step] = e0 - e1
        let rotated = (e2 + e3) * 0.707106781
        p[2 * step] = e3 + rotated
        p[6 * step] = e3 - rotated

        // Odd half: butterflies of the differences with one shared rotation.
        let o0 = a34 + a25, o1 = a25 + a16, o2 = a16 + a07
        let shared = (o0 - o2) * 0.382683433
        let r0 = 0.541196100 * o0 + shared
        let r2 = 1.306562965 * o2 + shared
        let r1 = o1 * 0.707106781
        let high = a07 + r1, low = a07 - r1
        p[5 * step] = low + r0
        p[3 * step] = low - r0
        p[step] = high + r2
        p[7 * step] = high - r2
    }
}

