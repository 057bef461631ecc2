import Foundation
@testable import ColorManagement

/// Writes small ICC profiles byte by byte (ICC.1:2010 layouts) for the forms no installed profile uses: `mAB ` with
/// every element (A curves, CLUT, M curves, matrix, B curves) and `mft1`. LittleCMS reads the same bytes and is the
/// oracle for what they mean; the robustness tests also start from them.
enum TestProfileBuilder {
    static func be16(_ v: Int) -> [UInt8] { [UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
    static func be32(_ v: Int) -> [UInt8] { [UInt8((v >> 24) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
    static func s15(_ v: Double) -> [UInt8] { be32(Int(Int32(truncatingIfNeeded: Int((v * 65536).rounded())))) }
    static func sig(_ s: String) -> [UInt8] { Array(s.utf8) }
    static func pad4(_ b: [UInt8]) -> [UInt8] { b + [UInt8](repeating: 0, count: (4 - b.count % 4) % 4) }

    static func xyzTag(_ x: Double, _ y: Double, _ z: Double) -> [UInt8] { sig("XYZ ") + be32(0) + s15(x) + s15(y) + s15(z) }
    static func para(_ type: Int, _ p: [Double]) -> [UInt8] { sig("para") + be32(0) + be16(type) + be16(0) + p.flatMap(s15) }
    static func curvIdentity() -> [UInt8] { sig("curv") + be32(0) + be32(0) }
    static func mluc(_ text: String) -> [UInt8] {
        let units = Array(text.utf16).flatMap { be16(Int($0)) }
        return sig("mluc") + be32(0) + be32(1) + be32(12) + sig("en") + sig("US") + be32(units.count) + be32(28) + units
    }

    /// A whole profile: header (version, class, colour space, PCS) and the tags in order.
    static func profile(version: Int, colorSpace: String, pcs: String, tags: [(String, [UInt8])]) -> [UInt8] {
        let tableSize = 4 + 12 * tags.count
        var offset = 128 + tableSize
        var table = be32(tags.count), data: [UInt8] = []
        for (name, bytes) in tags {
            let padded = pad4(bytes)
            table += sig(name) + be32(offset) + be32(bytes.count)
            data += padded
            offset += padded.count
        }
        var header = be32(offset) + sig("none") + [UInt8(version), 0x20, 0, 0] + sig("mntr") + sig(colorSpace) + sig(pcs)
        header += [UInt8](repeating: 0, count: 12) + sig("acsp") + [UInt8](repeating: 0, count: 24)
        header += be32(1) // relative colorimetric
        header += s15(0.9642) + s15(1.0) + s15(0.8249)
        header += [UInt8](repeating: 0, count: 128 - header.count)
        return header + table + data
    }

    /// A smooth, slightly nonlinear RGB → RGB mixing used as CLUT content (each output 0...1).
    static func mix(_ r: Double, _ g: Double, _ b: Double) -> [Double] {
        [min(1, 0.8 * r + 0.2 * g * g), min(1, 0.1 * r + 0.7 * g + 0.2 * b.squareRoot()), min(1, 0.1 * g + 0.9 * b)]
    }

    static let adobeColorants: [[Double]] = [[0.6097, 0.2053, 0.1492], [0.3111, 0.6257, 0.0632], [0.0195, 0.0609, 0.7446]]

    /// v4 RGB profile whose A2B0 is a `mAB ` with all five elements, PCS XYZ.
    static func lutAToBXYZ() -> [UInt8] {
        let grid = 9
        var clut: [UInt8] = [UInt8](repeating: UInt8(grid), count: 3) + [UInt8](repeating: 0, count: 13) + [2, 0, 0, 0]
        for i in 0..<grid { for j in 0..<grid { for k in 0..<grid {
            for v in mix(Double(i) / 8, Double(j) / 8, Double(k) / 8) { clut += be16(Int((v * 65535).rounded())) }
        } } }
        let aCurves = pad4(para(3, [2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045])) + pad4(para(0, [2.0]))
            + pad4(para(1, [2.2, 1.0, 0.0]))
        let mCurves = pad4(para(0, [1.1])) + pad4(para(0, [0.9])) + pad4(curvIdentity())
        let scale = 32768.0 / 65535.0 // PCS XYZ encoding: 1.0 is 0x8000 (ICC.1:2010 §6.3.4.2)
        var matrix: [UInt8] = []
        for row in adobeColorants { for v in row { matrix += s15(v * scale) } }
        for _ in 0..<3 { matrix += s15(0) }
        let bCurves = pad4(curvIdentity()) + pad4(curvIdentity()) + pad4(curvIdentity())
        var body: [UInt8] = []
        let start = 32
        let bOff = start, matOff = bOff + bCurves.count, mOff = matOff + 48, clutOff = mOff + mCurves.count
        let aOff = clutOff + pad4(clut).count
        body += bCurves
        body += matrix
        body += mCurves
        body += pad4(clut)
        body += aCurves
        var tag = sig("mAB ") + be32(0) + [3, 3, 0, 0]
        tag += be32(bOff) + be32(matOff) + be32(mOff)
        tag += be32(clutOff) + be32(aOff)
        tag += body
        return profile(version: 4, colorSpace: "RGB ", pcs: "XYZ ",
                       tags: [("desc", mluc("Test mAB XYZ")), ("wtpt", xyzTag(0.9642, 1.0, 0.8249)), ("A2B0", tag)])
    }

    /// v2 RGB profile whose A2B0 is an 8-bit `mft1`, PCS Lab: gamma input tables, a CLUT of Lab values.
    static func lut8Lab() -> [UInt8] {
        let grid = 9
        var tag = sig("mft1") + be32(0) + [3, 3, UInt8(grid), 0]
        for (r, row) in Matrix3.identity.m.enumerated() { for v in row { tag += s15(v) }; _ = r }
        for c in 0..<3 { for v in 0..<256 { tag.append(UInt8((pow(Double(v) / 255, c == 1 ? 1.0 : 0.8) * 255).rounded())) } }
        for i in 0..<grid { for j in 0..<grid { for k in 0..<grid {
            let m = mix(Double(i) / 8, Double(j) / 8, Double(k) / 8)
            // Linear mix → XYZ by the Adobe colorants → Lab (D50), 8-bit encoding L·255/100, a + 128, b + 128.
            let lin = m.map { pow($0, 2.2) }
            let xyz = (0..<3).map { r in (0..<3).reduce(0.0) { $0 + adobeColorants[r][$1] * lin[$1] } }
            func f(_ t: Double) -> Double { t > pow(6.0 / 29, 3) ? cbrt(t) : t / (3 * pow(6.0 / 29, 2)) + 4.0 / 29 }
            let fx = f(xyz[0] / 0.9642), fy = f(xyz[1]), fz = f(xyz[2] / 0.8249)
            let lab = [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)]
            tag += [UInt8(min(255, max(0, (lab[0] * 255 / 100).rounded()))),
                    UInt8(min(255, max(0, (lab[1] + 128).rounded()))), UInt8(min(255, max(0, (lab[2] + 128).rounded())))]
        } } }
        for _ in 0..<3 { for v in 0..<256 { tag.append(UInt8(v)) } }
        return profile(version: 2, colorSpace: "RGB ", pcs: "Lab ",
                       tags: [("wtpt", xyzTag(0.9642, 1.0, 0.8249)), ("A2B0", tag)])
    }
}
