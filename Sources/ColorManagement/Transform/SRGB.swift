#if canImport(Glibc)
import Glibc
#endif

/// The destination of every conversion: sRGB (IEC 61966-2-1:1999) as the ICC PCS sees it.
enum SRGB {
    /// IEC 61966-2-1 §5.2: the primaries' and the D65 white's chromaticities.
    static let primaries = (red: (x: 0.64, y: 0.33), green: (x: 0.30, y: 0.60), blue: (x: 0.15, y: 0.06))
    static let white = (x: 0.3127, y: 0.3290)

    /// Colorants of a matrix-shaper profile with these primaries and white, adapted to the D50 PCS by Bradford
    /// (ICC.1:2010 Annex E.3; every sRGB profile stores colorants computed this way).
    static func d50Colorants(red: (x: Double, y: Double), green: (x: Double, y: Double), blue: (x: Double, y: Double),
                             white: (x: Double, y: Double)) -> Matrix3? {
        func column(_ p: (x: Double, y: Double)) -> XYZ { XYZ.white(x: p.x, y: p.y) }
        let primariesMatrix = Matrix3(columns: column(red), column(green), column(blue))
        guard let inverse = primariesMatrix.inverse else { return nil }
        let w = XYZ.white(x: white.x, y: white.y)
        let s = inverse * w
        let scaled = Matrix3([[primariesMatrix.m[0][0] * s.x, primariesMatrix.m[0][1] * s.y, primariesMatrix.m[0][2] * s.z],
                              [primariesMatrix.m[1][0] * s.x, primariesMatrix.m[1][1] * s.y, primariesMatrix.m[1][2] * s.z],
                              [primariesMatrix.m[2][0] * s.x, primariesMatrix.m[2][1] * s.y, primariesMatrix.m[2][2] * s.z]])
        return Bradford.adaptation(from: w, to: .d50) * scaled
    }

    /// Linear sRGB → PCS XYZ (D50) and its inverse.
    static let toPCS: Matrix3 = d50Colorants(red: primaries.red, green: primaries.green, blue: primaries.blue, white: white)!
    static let fromPCS: Matrix3 = toPCS.inverse!

    /// IEC 61966-2-1 §5.3.2 (the inverse of the decoding in §5.2): linear light → encoded value, both in 0...1.
    @inline(__always)
    static func encode(_ linear: Double) -> Double {
        if linear <= 0 { return 0 }
        if linear >= 1 { return 1 }
        return linear <= 0.0031308 ? 12.92 * linear : 1.055 * pow(linear, 1 / 2.4) - 0.055
    }

    /// IEC 61966-2-1 §5.2: encoded value → linear light.
    static func decode(_ v: Double) -> Double {
        v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4)
    }
}

/// ITU-R BT.709-6 §1.2 opto-electronic transfer (also BT.2020's, §"Transfer characteristic"): linear → encoded.
enum BT709Transfer {
    static func encode(_ l: Double) -> Double { l < 0.018 ? 4.5 * l : 1.099 * pow(l, 0.45) - 0.099 }
    static func decode(_ v: Double) -> Double { v < 0.081 ? v / 4.5 : pow((v + 0.099) / 1.099, 1 / 0.45) }
}
