import Raster

/// The per-pixel work of a matrix-shaper profile (ICC.1:2010 §F.3): three table reads give each channel's
/// linear value already multiplied by its column of (sRGB ← PCS) × (PCS ← device), so a pixel costs three SIMD
/// loads, two adds, a clamp and three lookups into the sRGB encoding table.
struct MatrixShaperKernel: Sendable {
    /// columns[c][level]: column c of the combined matrix × the channel's linear value, scaled to the encoding
    /// table's index range.
    let columns: [[SIMD4<Float>]]

    /// `levels` = 256 for 8-bit sources, 65536 for 16-bit.
    init(curves: [ICCCurve], red: XYZ, green: XYZ, blue: XYZ, levels: Int) {
        let device = Matrix3(columns: red, green, blue)
        let combined = SRGB.fromPCS * device
        let scale = Double(SRGBEncodingTables.steps)
        var columns: [[SIMD4<Float>]] = []
        var linear: [Double] = []
        for c in 0..<3 {
            // Curves shared by channels (the usual case) are evaluated once.
            if c == 0 || curves[c] != curves[c - 1] {
                linear = (0..<levels).map { curves[c].evaluate(Double($0) / Double(levels - 1)) }
            }
            let column = SIMD4<Double>(combined.m[0][c], combined.m[1][c], combined.m[2][c], 0) * scale
            columns.append(linear.map { SIMD4<Float>(column * $0) })
        }
        self.columns = columns
    }

    /// The encoding-table index of a pre-scaled linear value: clamped (out-of-gamut colours clip, as in every
    /// 8/16-bit CMM) and rounded. Scalar on purpose: the generic SIMD rounding conversions are not vectorised and
    /// cost several times more.
    @inline(__always)
    static func index(_ x: Float) -> Int { Int(min(max(x, 0), Float(SRGBEncodingTables.steps)) + 0.5) }

    /// Converts `count` pixels of `channels` (3 or 4; the 4th, alpha, untouched) in place.
    func apply8(_ p: UnsafeMutablePointer<UInt8>, count: Int, channels: Int) {
        columns[0].withUnsafeBufferPointer { tr in
        columns[1].withUnsafeBufferPointer { tg in
        columns[2].withUnsafeBufferPointer { tb in
        SRGBEncodingTables.eightBit.withUnsafeBufferPointer { enc in
            var q = p
            for _ in 0..<count {
                let v = tr[Int(q[0])] + tg[Int(q[1])] + tb[Int(q[2])]
                q[0] = enc[MatrixShaperKernel.index(v.x)]; q[1] = enc[MatrixShaperKernel.index(v.y)]
                q[2] = enc[MatrixShaperKernel.index(v.z)]
                q += channels
            }
        }}}}
    }

    func apply16(_ p: UnsafeMutablePointer<UInt16>, count: Int, channels: Int) {
        columns[0].withUnsafeBufferPointer { tr in
        columns[1].withUnsafeBufferPointer { tg in
        columns[2].withUnsafeBufferPointer { tb in
        SRGBEncodingTables.sixteenBit.withUnsafeBufferPointer { enc in
            var q = p
            @inline(__always) func encode(_ x: Float) -> UInt16 {
                let v = min(max(x, 0), Float(SRGBEncodingTables.steps))
                let i = Int(v)
                let lo = enc[i], hi = enc[i + 1]
                return UInt16(lo + (hi - lo) * (v - Float(i)) + 0.5)
            }
            for _ in 0..<count {
                let v = tr[Int(q[0])] + tg[Int(q[1])] + tb[Int(q[2])]
                q[0] = encode(v.x); q[1] = encode(v.y); q[2] = encode(v.z)
                q += channels
            }
        }}}}
    }
}
