/// Gray sources (a `kTRC`, or a one-input LUT): one table from every stored level to its sRGB gray level.
struct GrayKernel: Sendable {
    let table8: [UInt8]
    let table16: [UInt16]

    init(_ evaluator: DeviceToPCS, levels: Int) {
        var e = evaluator
        let values = (0..<levels).map { e.srgbGray(Double($0) / Double(levels - 1)) }
        table8 = levels == 256 ? values.map { UInt8(($0 * 255).rounded()) } : []
        table16 = levels == 65536 ? values.map { UInt16(($0 * 65535).rounded()) } : []
    }

    func apply8(_ p: UnsafeMutablePointer<UInt8>, count: Int, channels: Int) {
        table8.withUnsafeBufferPointer { t in
            var q = p
            for _ in 0..<count { q[0] = t[Int(q[0])]; q += channels }
        }
    }

    func apply16(_ p: UnsafeMutablePointer<UInt16>, count: Int, channels: Int) {
        table16.withUnsafeBufferPointer { t in
            var q = p
            for _ in 0..<count { q[0] = t[Int(q[0])]; q += channels }
        }
    }
}
