/// Intra predictors of RFC 6386 section 12. Edges are passed as pointers: `top[-1]` is the corner pixel P,
/// `top[0..]` the row above (for 4x4 blocks 8 pixels, the last 4 above-right), `left[0..]` the column to the left.
/// Missing frame edges have already been replaced by 127 (above) and 129 (left) by the caller (section 12.2).
enum VP8Predict {
    /// Whole-block modes, numbered as the key-frame y mode enumeration (section 11.2).
    static let dc = 0, vertical = 1, horizontal = 2, trueMotion = 3

    /// 16x16 luma or 8x8 chroma prediction (`size` 16 or 8) into `out` with row stride `stride` (default `size`).
    @inline(__always)
    static func block(mode: Int, size: Int, top: UnsafePointer<UInt8>, left: UnsafePointer<UInt8>,
                      hasTop: Bool, hasLeft: Bool, out: UnsafeMutablePointer<UInt8>, stride: Int = 0) {
        let stride = stride == 0 ? size : stride
        switch mode {
        case vertical:
            for r in 0..<size { (out + r * stride).update(from: top, count: size) }
        case horizontal:
            for r in 0..<size { (out + r * stride).update(repeating: left[r], count: size) }
        case trueMotion:
            let corner = Int32(top[-1])
            for r in 0..<size {
                let base = Int32(left[r]) - corner
                let row = out + r * stride
                for c in 0..<size { row[c] = VP8Transform.clamp255(base + Int32(top[c])) }
            }
        default:
            // Section 12.2/12.3 DC: average of the edges that exist, 128 when neither does.
            let shift = size == 16 ? 4 : 3
            var value: Int32 = 128
            var sum: Int32 = 0
            if hasTop && hasLeft {
                for i in 0..<size { sum += Int32(top[i]) + Int32(left[i]) }
                value = (sum + Int32(size)) >> Int32(shift + 1)
            } else if hasTop {
                for i in 0..<size { sum += Int32(top[i]) }
                value = (sum + Int32(size >> 1)) >> Int32(shift)
            } else if hasLeft {
                for i in 0..<size { sum += Int32(left[i]) }
                value = (sum + Int32(size >> 1)) >> Int32(shift)
            }
            for r in 0..<size { (out + r * stride).update(repeating: UInt8(truncatingIfNeeded: value), count: size) }
        }
    }

    /// Subblock modes (section 11.2 enumeration order).
    static let bDC = 0, bTM = 1, bVE = 2, bHE = 3, bLD = 4, bRD = 5, bVR = 6, bVL = 7, bHD = 8, bHU = 9

    @inline(__always) private static func avg3(_ x: UInt8, _ y: UInt8, _ z: UInt8) -> UInt8 {
        UInt8(truncatingIfNeeded: (UInt16(x) + 2 * UInt16(y) + UInt16(z) + 2) >> 2)
    }
    @inline(__always) private static func avg2(_ x: UInt8, _ y: UInt8) -> UInt8 {
        UInt8(truncatingIfNeeded: (UInt16(x) + UInt16(y) + 1) >> 1)
    }

    /// 4x4 luma subblock prediction (section 12.3) into `out` with row stride `stride`.
    @inline(__always)
    static func subblock(mode: Int, top a: UnsafePointer<UInt8>, left l: UnsafePointer<UInt8>,
                         out b: UnsafeMutablePointer<UInt8>, stride: Int) {
        @inline(__always) func set(_ r: Int, _ c: Int, _ v: UInt8) { b[r * stride + c] = v }
        let p = a[-1]
        switch mode {
        case bTM:
            for r in 0..<4 {
                for c in 0..<4 { set(r, c, VP8Transform.clamp255(Int32(l[r]) + Int32(a[c]) - Int32(p))) }
            }
        case bVE:
            let v0 = avg3(p, a[0], a[1]), v1 = avg3(a[0], a[1], a[2]), v2 = avg3(a[1], a[2], a[3])
            let v3 = avg3(a[2], a[3], a[4])
            for r in 0..<4 { set(r, 0, v0); set(r, 1, v1); set(r, 2, v2); set(r, 3, v3) }
        case bHE:
            let v0 = avg3(p, l[0], l[1]), v1 = avg3(l[0], l[1], l[2]), v2 = avg3(l[1], l[2], l[3])
            let v3 = avg3(l[2], l[3], l[3])
            for c in 0..<4 { set(0, c, v0); set(1, c, v1); set(2, c, v2); set(3, c, v3) }
        case bLD:
            let d0 = avg3(a[0], a[1], a[2]), d1 = avg3(a[1], a[2], a[3]), d2 = avg3(a[2], a[3], a[4])
            let d3 = avg3(a[3], a[4], a[5]), d4 = avg3(a[4], a[5], a[6]), d5 = avg3(a[5], a[6], a[7])
            let d6 = avg3(a[6], a[7], a[7])
            let d = (d0, d1, d2, d3, d4, d5, d6)
            withUnsafeBytes(of: d) { v in for r in 0..<4 { for c in 0..<4 { set(r, c, v[r + c]) } } }
        case bRD:
            // Edge E from bottom-left up to the corner and along the top: L3 L2 L1 L0 P A0 A1 A2 A3.
            let e0 = l[3], e1 = l[2], e2 = l[1], e3 = l[0], e4 = p, e5 = a[0], e6 = a[1], e7 = a[2], e8 = a[3]
            let s1 = avg3(e0, e1, e2), s2 = avg3(e1, e2, e3), s3 = avg3(e2, e3, e4), s4 = avg3(e3, e4, e5)
            let s5 = avg3(e4, e5, e6), s6 = avg3(e5, e6, e7), s7 = avg3(e6, e7, e8)
            let d = (s1, s2, s3, s4, s5, s6, s7)
            // B[r][c] lies on the diagonal r - c; B[3][0] uses s1, B[0][3] uses s7.
            withUnsafeBytes(of: d) { v in for r in 0..<4 { for c in 0..<4 { set(r, c, v[3 - r + c]) } } }
        case bVR:
            let e1 = l[2], e2 = l[1], e3 = l[0], e4 = p, e5 = a[0], e6 = a[1], e7 = a[2], e8 = a[3]
            set(3, 0, avg3(e1, e2, e3))
            set(2, 0, avg3(e2, e3, e4))
            let s4 = avg3(e3, e4, e5); set(3, 1, s4); set(1, 0, s4)
            let h4 = avg2(e4, e5); set(2, 1, h4); set(0, 0, h4)
            let s5 = avg3(e4, e5, e6); set(3, 2, s5); set(1, 1, s5)
            let h5 = avg2(e5, e6); set(2, 2, h5); set(0, 1, h5)
            let s6 = avg3(e5, e6, e7); set(3, 3, s6); set(1, 2, s6)
            let h6 = avg2(e6, e7); set(2, 3, h6); set(0, 2, h6)
            set(1, 3, avg3(e6, e7, e8))
            set(0, 3, avg2(e7, e8))
        case bVL:
            set(0, 0, avg2(a[0], a[1]))
            set(1, 0, avg3(a[0], a[1], a[2]))
            let h1 = avg2(a[1], a[2]); set(2, 0, h1); set(0, 1, h1)
            let s2 = avg3(a[1], a[2], a[3]); set(1, 1, s2); set(3, 0, s2)
            let h2 = avg2(a[2], a[3]); set(2, 1, h2); set(0, 2, h2)
            let s3 = avg3(a[2], a[3], a[4]); set(3, 1, s3); set(1, 2, s3)
            let h3 = avg2(a[3], a[4]); set(2, 2, h3); set(0, 3, h3)
            let s4 = avg3(a[3], a[4], a[5]); set(3, 2, s4); set(1, 3, s4)
            set(2, 3, avg3(a[4], a[5], a[6]))
            set(3, 3, avg3(a[5], a[6], a[7]))
        case bHD:
            let e0 = l[3], e1 = l[2], e2 = l[1], e3 = l[0], e4 = p, e5 = a[0], e6 = a[1], e7 = a[2]
            set(3, 0, avg2(e0, e1))
            set(3, 1, avg3(e0, e1, e2))
            let h1 = avg2(e1, e2); set(2, 0, h1); set(3, 2, h1)
            let s2 = avg3(e1, e2, e3); set(2, 1, s2); set(3, 3, s2)
            let h2 = avg2(e2, e3); set(2, 2, h2); set(1, 0, h2)
            let s3 = avg3(e2, e3, e4); set(2, 3, s3); set(1, 1, s3)
            let h3 = avg2(e3, e4); set(1, 2, h3); set(0, 0, h3)
            let s4 = avg3(e3, e4, e5); set(1, 3, s4); set(0, 1, s4)
            set(0, 2, avg3(e4, e5, e6))
            set(0, 3, avg3(e5, e6, e7))
        case bHU:
            set(0, 0, avg2(l[0], l[1]))
            set(0, 1, avg3(l[0], l[1], l[2]))
            let h1 = avg2(l[1], l[2]); set(0, 2, h1); set(1, 0, h1)
            let s2 = avg3(l[1], l[2], l[3]); set(0, 3, s2); set(1, 1, s2)
            let h2 = avg2(l[2], l[3]); set(1, 2, h2); set(2, 0, h2)
            let s3 = avg3(l[2], l[3], l[3]); set(1, 3, s3); set(2, 1, s3)
            let last = l[3]
            set(2, 2, last); set(2, 3, last); set(3, 0, last); set(3, 1, last); set(3, 2, last); set(3, 3, last)
        default:
            var sum: UInt32 = 4
            for i in 0..<4 { sum += UInt32(a[i]) + UInt32(l[i]) }
            let v = UInt8(truncatingIfNeeded: sum >> 3)
            for r in 0..<4 { for c in 0..<4 { set(r, c, v) } }
        }
    }
}
