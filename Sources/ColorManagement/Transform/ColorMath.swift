/// A CIE XYZ triple (Y = 1 for the reference white).
public struct XYZ: Sendable, Equatable {
    public var x: Double, y: Double, z: Double
    public init(_ x: Double, _ y: Double, _ z: Double) { self.x = x; self.y = y; self.z = z }

    /// The ICC PCS illuminant, D50 (ICC.1:2010 §7.2.16: X = 0.9642, Y = 1.0, Z = 0.8249).
    public static let d50 = XYZ(0.9642, 1.0, 0.8249)

    /// The white of chromaticity (x, y) at Y = 1.
    static func white(x: Double, y: Double) -> XYZ { XYZ(x / y, 1, (1 - x - y) / y) }

    func maxDifference(_ o: XYZ) -> Double { max(abs(x - o.x), abs(y - o.y), abs(z - o.z)) }
}

/// A 3×3 matrix, row-major: `m[r][c]`.
struct Matrix3: Sendable, Equatable {
    var m: [[Double]]

    init(_ rows: [[Double]]) { m = rows }
    init(columns a: XYZ, _ b: XYZ, _ c: XYZ) { m = [[a.x, b.x, c.x], [a.y, b.y, c.y], [a.z, b.z, c.z]] }

    static let identity = Matrix3([[1, 0, 0], [0, 1, 0], [0, 0, 1]])

    static func * (a: Matrix3, b: Matrix3) -> Matrix3 {
        var r = [[Double]](repeating: [0, 0, 0], count: 3)
        for i in 0..<3 { for j in 0..<3 { r[i][j] = a.m[i][0] * b.m[0][j] + a.m[i][1] * b.m[1][j] + a.m[i][2] * b.m[2][j] } }
        return Matrix3(r)
    }

    static func * (a: Matrix3, v: XYZ) -> XYZ {
        XYZ(a.m[0][0] * v.x + a.m[0][1] * v.y + a.m[0][2] * v.z,
            a.m[1][0] * v.x + a.m[1][1] * v.y + a.m[1][2] * v.z,
            a.m[2][0] * v.x + a.m[2][1] * v.y + a.m[2][2] * v.z)
    }

    var determinant: Double {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    }

    /// nil when singular (a profile whose colorants are collinear cannot be inverted).
    var inverse: Matrix3? {
        let d = determinant
        guard d.isFinite, abs(d) > 1e-12 else { return nil }
        let a = m
        return Matrix3([
            [(a[1][1] * a[2][2] - a[1][2] * a[2][1]) / d, (a[0][2] * a[2][1] - a[0][1] * a[2][2]) / d, (a[0][1] * a[1][2] - a[0][2] * a[1][1]) / d],
            [(a[1][2] * a[2][0] - a[1][0] * a[2][2]) / d, (a[0][0] * a[2][2] - a[0][2] * a[2][0]) / d, (a[0][2] * a[1][0] - a[0][0] * a[1][2]) / d],
            [(a[1][0] * a[2][1] - a[1][1] * a[2][0]) / d, (a[0][1] * a[2][0] - a[0][0] * a[2][1]) / d, (a[0][0] * a[1][1] - a[0][1] * a[1][0]) / d],
        ])
    }
}

/// Chromatic adaptation by the linearised Bradford transform (ICC.1:2010 Annex E.3): cone responses are scaled by
/// the ratio of the two whites, then mapped back.
enum Bradford {
    /// The Bradford cone-response matrix (ICC.1:2010 Annex E, equation E.5).
    static let cone = Matrix3([[0.8951, 0.2664, -0.1614],
                               [-0.7502, 1.7135, 0.0367],
                               [0.0389, -0.0685, 1.0296]])

    /// The matrix that maps colours seen under `source` white to the colours that look the same under `destination`.
    static func adaptation(from source: XYZ, to destination: XYZ) -> Matrix3 {
        guard let coneInverse = cone.inverse else { return .identity }
        let s = cone * source, d = cone * destination
        let scale = Matrix3([[d.x / s.x, 0, 0], [0, d.y / s.y, 0], [0, 0, d.z / s.z]])
        return coneInverse * scale * cone
    }
}

/// CIE L*a*b* → XYZ relative to `white` (CIE 15:2004 §8.2.1, the inverse of the cube-root function with its
/// linear segment below (6/29)³).
func labToXYZ(l: Double, a: Double, b: Double, white: XYZ = .d50) -> XYZ {
    let fy = (l + 16) / 116
    let fx = fy + a / 500
    let fz = fy - b / 200
    func finv(_ t: Double) -> Double {
        let delta = 6.0 / 29.0
        return t > delta ? t * t * t : 3 * delta * delta * (t - 4.0 / 29.0)
    }
    return XYZ(white.x * finv(fx), white.y * finv(fy), white.z * finv(fz))
}

/// XYZ → L* only (CIE 15:2004 §8.2.1), for gray profiles whose PCS is Lab.
func lightnessToY(_ l: Double) -> Double { labToXYZ(l: l, a: 0, b: 0).y }
