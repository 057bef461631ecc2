#if canImport(Glibc)
import Glibc
#endif

/// One tone curve: a TRC (`rTRC`, `kTRC`...), or an element of a LUT (ICC.1:2010 §10.6 curveType, §10.18
/// parametricCurveType). Maps 0...1 to 0...1; results are clipped to that range, as every 16-bit CMM does.
public enum ICCCurve: Sendable, Equatable {
    case identity
    /// Y = X^γ (a `curv` with one entry, or `para` type 0).
    case gamma(Double)
    /// Equally spaced samples over 0...1, interpolated linearly (a `curv` with ≥ 2 entries, or a LUT table).
    case table([Float])
    /// `para` function types 1–4 with parameters g, a, b, c, d, e, f (missing ones 0).
    case parametric(type: Int, g: Double, a: Double, b: Double, c: Double, d: Double, e: Double, f: Double)

    /// The number of parameters of each `para` function type 0...4 (ICC.1:2010 Table 67).
    static let parameterCounts = [1, 3, 4, 5, 7]

    public func evaluate(_ x: Double) -> Double {
        let y: Double
        switch self {
        case .identity:
            y = x
        case .gamma(let g):
            y = x <= 0 ? 0 : pow(x, g)
        case .table(let t):
            let n = t.count
            if n == 0 { return min(max(x, 0), 1) }
            let p = min(max(x, 0), 1) * Double(n - 1)
            let i = min(Int(p), n - 2 < 0 ? 0 : n - 2)
            if n == 1 { y = Double(t[0]) } else {
                let f = p - Double(i)
                y = Double(t[i]) + (Double(t[i + 1]) - Double(t[i])) * f
            }
        case let .parametric(type, g, a, b, c, d, e, f):
            func power(_ base: Double) -> Double { base <= 0 ? 0 : pow(base, g) }
            switch type {
            case 1:
                y = a != 0 && x >= -b / a ? power(a * x + b) : 0
            case 2:
                y = a != 0 && x >= -b / a ? power(a * x + b) + c : c
            case 3:
                y = x >= d ? power(a * x + b) : c * x
            default:
                y = x >= d ? power(a * x + b) + e : c * x + f
            }
        }
        guard y.isFinite else { return 0 }
        return min(max(y, 0), 1)
    }

    /// Reads a `curv` or `para` element at `offset` (at most `limit` bytes long); returns it and its length in
    /// bytes (without padding).
    static func read(_ data: ICCData, at offset: Int, limit: Int, limits: ICCLimits) throws -> (ICCCurve, Int) {
        try data.require(offset, min(limit, 12), "curve")
        let type = try data.signature(offset)
        switch type {
        case "curv":
            let count = try data.u32(offset + 8)
            guard count <= limits.maxCurveEntries else {
                throw iccError(.limit, offset + 8, "curve of \(count) entries exceeds the limit of \(limits.maxCurveEntries)")
            }
            let length = 12 + 2 * count
            guard length <= limit else { throw iccError(.truncated, offset, "curve of \(count) entries does not fit its tag") }
            try data.require(offset, length, "curve entries")
            if count == 0 { return (.identity, length) }
            if count == 1 { return (.gamma(try data.u8Fixed8(offset + 12)), length) }
            var table = [Float](repeating: 0, count: count)
            data.bytes.withUnsafeBufferPointer { b in
                for i in 0..<count {
                    let o = offset + 12 + 2 * i
                    table[i] = Float(Int(b[o]) << 8 | Int(b[o + 1])) / 65535
                }
            }
            return (.table(table), length)
        case "para":
            let function = try data.u16(offset + 8)
            guard function < parameterCounts.count else {
                throw iccError(.unsupported, offset + 8, "parametric curve function type \(function)")
            }
            let length = 12 + 4 * parameterCounts[function]
            guard length <= limit else { throw iccError(.truncated, offset, "parametric curve does not fit its tag") }
            var p = [Double](repeating: 0, count: 7)
            for i in 0..<parameterCounts[function] { p[i] = try data.s15Fixed16(offset + 12 + 4 * i) }
            if function == 0 { return (.gamma(p[0]), length) }
            return (.parametric(type: function, g: p[0], a: p[1], b: p[2], c: p[3], d: p[4], e: p[5], f: p[6]), length)
        default:
            throw iccError(.malformed, offset, "curve element of type '\(type)' (expected 'curv' or 'para')")
        }
    }
}
