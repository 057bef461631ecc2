import Raster

/// The per-pixel work of a LUT profile (RGB or CMYK): the whole chain device → A2B → PCS → sRGB is sampled once on
/// a regular grid (sRGB code values per node) and pixels interpolate in it — tetrahedrally in three dimensions,
/// and for CMYK linearly along C between two tetrahedral lookups in M, Y, K. Tetrahedral rather than trilinear:
/// four nodes per pixel instead of eight, and a neutral input (on the cube's diagonal) is interpolated from
/// neutral nodes only, so grays stay gray; it is also what CMMs use for their own CLUTs, which keeps our results
/// next to LittleCMS's.
struct GridKernel: Sendable {
    let inputs: Int
    let points: Int
    /// Nodes in sRGB code values 0...1 (x, y, z = R, G, B), the first input most significant.
    let nodes: [SIMD4<Float>]
    /// For each stored level (256 or 65536): the cell index along an axis and the fraction inside it; `inverted`
    /// reads level L as (max − L), for Adobe CMYK JPEGs whose samples are stored as 255 − ink.
    let index: [Int32], fraction: [Float]
    let invertedIndex: [Int32], invertedFraction: [Float]

    /// Grid points per axis: 33 for three inputs, 17 for four (LittleCMS's defaults; 33³ and 17⁴ nodes keep the
    /// interpolation error well under an 8-bit step for smooth profiles).
    static func points(inputs: Int) -> Int { inputs >= 4 ? 17 : 33 }

    init(_ evaluator: DeviceToPCS, levels: Int) {
        let e = evaluator
        inputs = e.inputs
        points = GridKernel.points(inputs: inputs)
        var total = 1
        for _ in 0..<inputs { total *= points }
        var nodes = [SIMD4<Float>](repeating: .zero, count: total)
        let step = 1 / Double(points - 1)
        let points = self.points, inputs = self.inputs
        let perSlice = total / points
        // One slice per node of the first axis, filled in parallel (each worker evaluates with its own copy).
        nodes.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let shared = UncheckedPointer(base)
            Job.parallelFor(points) { slice in
                var evaluator = e
                var device = [Double](repeating: 0, count: inputs)
                for n in (slice * perSlice)..<((slice + 1) * perSlice) {
                    var rest = n
                    for axis in stride(from: inputs - 1, through: 0, by: -1) {
                        device[axis] = Double(rest % points) * step
                        rest /= points
                    }
                    let (r, g, b) = evaluator.srgb(device)
                    shared.pointer[n] = SIMD4<Float>(Float(r), Float(g), Float(b), 0)
                }
            }
        }
        self.nodes = nodes
        (index, fraction) = GridKernel.cells(points: points, levels: levels, inverted: false)
        (invertedIndex, invertedFraction) = GridKernel.cells(points: points, levels: levels, inverted: true)
    }

    /// Cell index and fraction along one axis for every stored level.
    static func cells(points: Int, levels: Int, inverted: Bool) -> ([Int32], [Float]) {
        var idx = [Int32](repeating: 0, count: levels), frac = [Float](repeating: 0, count: levels)
        for l in 0..<levels {
            let level = inverted ? levels - 1 - l : l
            let p = Double(level) * Double(points - 1) / Double(levels - 1)
            let i = min(Int(p), points - 2)
            idx[l] = Int32(i); frac[l] = Float(p - Double(i))
        }
        return (idx, frac)
    }

    @inline(__always)
    static func tetrahedral(_ n: UnsafeBufferPointer<SIMD4<Float>>, _ base: Int, _ sx: Int, _ sy: Int, _ sz: Int,
                            _ rx: Float, _ ry: Float, _ rz: Float) -> SIMD4<Float> {
        let c0 = n[base], c1 = n[base + sx + sy + sz]
        if rx >= ry {
            if ry >= rz {
                let a = n[base + sx], b = n[base + sx + sy]
                return c0 + rx * (a - c0) + ry * (b - a) + rz * (c1 - b)
            }
            if rx >= rz {
                let a = n[base + sx], b = n[base + sx + sz]
                return c0 + rx * (a - c0) + rz * (b - a) + ry * (c1 - b)
            }
            let a = n[base + sz], b = n[base + sx + sz]
            return c0 + rz * (a - c0) + rx * (b - a) + ry * (c1 - b)
        }
        if rx >= rz {
            let a = n[base + sy], b = n[base + sx + sy]
            return c0 + ry * (a - c0) + rx * (b - a) + rz * (c1 - b)
        }
        if ry >= rz {
            let a = n[base + sy], b = n[base + sy + sz]
            return c0 + ry * (a - c0) + rz * (b - a) + rx * (c1 - b)
        }
        let a = n[base + sz], b = n[base + sy + sz]
        return c0 + rz * (a - c0) + ry * (b - a) + rx * (c1 - b)
    }

    /// Interpolates `count` pixels of `sourceChannels` samples (`inputs` colour channels first) from `src` into
    /// `dst` (`destinationChannels`, RGB first). `maxValue` 255 or 65535; `inverted` for Adobe CMYK.
    @inline(__always)
    func run<S: FixedWidthInteger, D: FixedWidthInteger>(_ src: UnsafePointer<S>, sourceChannels: Int,
                                                         _ dst: UnsafeMutablePointer<D>, destinationChannels: Int,
                                                         count: Int, maxValue: Float, inverted: Bool) {
        let sz = 1, sy = points, sx = points * points, sw = sx * points
        (inverted ? invertedIndex : index).withUnsafeBufferPointer { idx in
        (inverted ? invertedFraction : fraction).withUnsafeBufferPointer { frac in
        nodes.withUnsafeBufferPointer { n in
            var s = src, d = dst

            for _ in 0..<count {
                var v: SIMD4<Float>
                if inputs == 4 {
                    let c = Int(s[0]), m = Int(s[1]), y = Int(s[2]), k = Int(s[3])
                    let base = Int(idx[c]) * sw + Int(idx[m]) * sx + Int(idx[y]) * sy + Int(idx[k])
                    let lo = GridKernel.tetrahedral(n, base, sx, sy, sz, frac[m], frac[y], frac[k])
                    let fc = frac[c]
                    if fc > 0 {
                        let hi = GridKernel.tetrahedral(n, base + sw, sx, sy, sz, frac[m], frac[y], frac[k])
                        v = lo + fc * (hi - lo)
                    } else {
                        v = lo
                    }
                } else {
                    let r = Int(s[0]), g = Int(s[1]), b = Int(s[2])
                    let base = Int(idx[r]) * sx + Int(idx[g]) * sy + Int(idx[b])
                    v = GridKernel.tetrahedral(n, base, sx, sy, sz, frac[r], frac[g], frac[b])
                }
                // Node values are in 0...1 and interpolation is convex: no clamp needed, only rounding.
                d[0] = D(truncatingIfNeeded: Int(v.x * maxValue + 0.5))
                d[1] = D(truncatingIfNeeded: Int(v.y * maxValue + 0.5))
                d[2] = D(truncatingIfNeeded: Int(v.z * maxValue + 0.5))
                s += sourceChannels
                d += destinationChannels
            }
        }}}
    }
}
