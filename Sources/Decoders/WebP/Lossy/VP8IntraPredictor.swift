/// The work area one macroblock is reconstructed in: luma 16x16 and chroma 8x8 blocks with their prediction edges
/// (the row above, the column to the left, the corner and, for luma, four pixels above-right), row stride 32.
///
/// Layout (rows of 32 bytes): row 0 holds the luma top edge (corner at column 7, above at 8-23, above-right at
/// 24-27); rows 1-16 the luma block (left edge at column 7); row 17 the chroma top edges (U corner at 7, V corner
/// at 23); rows 18-25 U at columns 8-15 and V at 24-31 (left edges at 7 and 23). Columns 24-27 of luma rows 4, 8
/// and 12 repeat the above-right pixels, so the right column of subblocks sees the macroblock's above-right
/// neighbours on every subblock row (RFC 6386 section 12.3).
enum VP8WorkBuffer {
    static let stride = 32
    static let size = 26 * stride
    static let lumaOffset = stride + 8
    static let uOffset = 18 * stride + 8
    static let vOffset = 18 * stride + 24
}

/// Intra prediction (RFC 6386 section 12) in place in the work buffer: each predictor reads the edges around the
/// block at `dst` and fills the block. Frame edges have been filled in by the caller: 127 above the frame, 129 left
/// of it (section 12.2); only DC prediction treats missing edges apart.
enum VP8IntraPredictor {
    static let stride = VP8WorkBuffer.stride

    @inline(__always) static func clamp(_ v: Int32) -> UInt8 { UInt8(truncatingIfNeeded: v < 0 ? 0 : (v > 255 ? 255 : v)) }
    @inline(__always) static func avg3(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt8 {
        UInt8(truncatingIfNeeded: (UInt16(a) &+ 2 &* UInt16(b) &+ UInt16(c) &+ 2) &>> 2)
    }
    @inline(__always) static func avg2(_ a: UInt8, _ b: UInt8) -> UInt8 {
        UInt8(truncatingIfNeeded: (UInt16(a) &+ UInt16(b) &+ 1) &>> 1)
    }

    @inline(__always)
    static func fill(_ dst: UnsafeMutablePointer<UInt8>, size: Int, _ v: UInt8) {
        for r in 0..<size { VP8Bytes.fill(dst + r * stride, v, size) }
    }

    /// 16x16 luma or 8x8 chroma prediction with a whole-block mode. `hasAbove`/`hasLeft` say whether the block
    /// touches the top/left frame edge (section 12.2: DC uses only the edges that exist, 128 with none).
    @inline(__always)
    static func predictBlock(_ dst: UnsafeMutablePointer<UInt8>, size: Int, mode: UInt8, hasAbove: Bool, hasLeft: Bool) {
        let above = dst - stride
        switch mode {
        case VP8Mode.ve:
            for r in 0..<size { VP8Bytes.copy(dst + r * stride, above, size) }
        case VP8Mode.he:
            for r in 0..<size { VP8Bytes.fill(dst + r * stride, dst[r * stride - 1], size) }
        case VP8Mode.tm:
            trueMotion(dst, size: size)
        default:
            let shift = size == 16 ? 4 : 3
            var sum = 0
            if hasAbove && hasLeft {
                for i in 0..<size { sum &+= Int(above[i]) &+ Int(dst[i * stride - 1]) }
                fill(dst, size: size, UInt8(truncatingIfNeeded: (sum &+ size) >> (shift + 1)))
            } else if hasAbove {
                for i in 0..<size { sum &+= Int(above[i]) }
                fill(dst, size: size, UInt8(truncatingIfNeeded: (sum &+ size / 2) >> shift))
            } else if hasLeft {
                for i in 0..<size { sum &+= Int(dst[i * stride - 1]) }
                fill(dst, size: size, UInt8(truncatingIfNeeded: (sum &+ size / 2) >> shift))
            } else {
                fill(dst, size: size, 128)
            }
        }
    }

    /// TM_PRED (section 12.2): left + above - corner, saturated.
    @inline(__always)
    static func trueMotion(_ dst: UnsafeMutablePointer<UInt8>, size: Int) {
        let above = dst - stride
        let corner = Int32(above[-1])
        for r in 0..<size {
            let row = dst + r * stride
            let base = Int32(row[-1]) &- corner
            for c in 0..<size { row[c] = clamp(base &+ Int32(above[c])) }
        }
    }

    /// 4x4 subblock prediction (section 12.3). Edges: A-H above (E-H above-right), I-L left, X the corner.
    @inline(__always)
    static func predictSubblock(_ dst: UnsafeMutablePointer<UInt8>, mode: UInt8) {
        @inline(__always) func set(_ x: Int, _ y: Int, _ v: UInt8) { dst[x + y * stride] = v }
        let top = dst - stride
        switch mode {
        case VP8Mode.tm:
            trueMotion(dst, size: 4)
        case VP8Mode.ve:
            let x = top[-1], a = top[0], b = top[1], c = top[2], d = top[3], e = top[4]
            let v0 = avg3(x, a, b), v1 = avg3(a, b, c), v2 = avg3(b, c, d), v3 = avg3(c, d, e)
            for y in 0..<4 { set(0, y, v0); set(1, y, v1); set(2, y, v2); set(3, y, v3) }
        case VP8Mode.he:
            let x = top[-1], i = dst[-1], j = dst[stride - 1], k = dst[2 * stride - 1], l = dst[3 * stride - 1]
            VP8Bytes.fill(dst, avg3(x, i, j), 4)
            VP8Bytes.fill(dst + stride, avg3(i, j, k), 4)
            VP8Bytes.fill(dst + 2 * stride, avg3(j, k, l), 4)
            VP8Bytes.fill(dst + 3 * stride, avg3(k, l, l), 4)
        case VP8Mode.ld:
            let a = top[0], b = top[1], c = top[2], d = top[3], e = top[4], f = top[5], g = top[6], h = top[7]
            set(0, 0, avg3(a, b, c))
            let bcd = avg3(b, c, d); set(1, 0, bcd); set(0, 1, bcd)
            let cde = avg3(c, d, e); set(2, 0, cde); set(1, 1, cde); set(0, 2, cde)
            let def = avg3(d, e, f); set(3, 0, def); set(2, 1, def); set(1, 2, def); set(0, 3, def)
            let efg = avg3(e, f, g); set(3, 1, efg); set(2, 2, efg); set(1, 3, efg)
            let fgh = avg3(f, g, h); set(3, 2, fgh); set(2, 3, fgh)
            set(3, 3, avg3(g, h, h))
        case VP8Mode.rd:
            let i = dst[-1], j = dst[stride - 1], k = dst[2 * stride - 1], l = dst[3 * stride - 1]
            let x = top[-1], a = top[0], b = top[1], c = top[2], d = top[3]
            set(0, 3, avg3(j, k, l))
            let ijk = avg3(i, j, k); set(1, 3, ijk); set(0, 2, ijk)
            let xij = avg3(x, i, j); set(2, 3, xij); set(1, 2, xij); set(0, 1, xij)
            let axi = avg3(a, x, i); set(3, 3, axi); set(2, 2, axi); set(1, 1, axi); set(0, 0, axi)
            let bax = avg3(b, a, x); set(3, 2, bax); set(2, 1, bax); set(1, 0, bax)
            let cba = avg3(c, b, a); set(3, 1, cba); set(2, 0, cba)
            set(3, 0, avg3(d, c, b))
        case VP8Mode.vr:
            let i = dst[-1], j = dst[stride - 1], k = dst[2 * stride - 1]
            let x = top[-1], a = top[0], b = top[1], c = top[2], d = top[3]
            let xa = avg2(x, a); set(0, 0, xa); set(1, 2, xa)
            let ab = avg2(a, b); set(1, 0, ab); set(2, 2, ab)
            let bc = avg2(b, c); set(2, 0, bc); set(3, 2, bc)
            set(3, 0, avg2(c, d))
            set(0, 3, avg3(k, j, i))
            set(0, 2, avg3(j, i, x))
            let ixa = avg3(i, x, a); set(0, 1, ixa); set(1, 3, ixa)
            let xab = avg3(x, a, b); set(1, 1, xab); set(2, 3, xab)
            let abc = avg3(a, b, c); set(2, 1, abc); set(3, 3, abc)
            set(3, 1, avg3(b, c, d))
        case VP8Mode.vl:
            let a = top[0], b = top[1], c = top[2], d = top[3], e = top[4], f = top[5], g = top[6], h = top[7]
            set(0, 0, avg2(a, b))
            let bc = avg2(b, c); set(1, 0, bc); set(0, 2, bc)
            let cd = avg2(c, d); set(2, 0, cd); set(1, 2, cd)
            let de = avg2(d, e); set(3, 0, de); set(2, 2, de)
            set(0, 1, avg3(a, b, c))
            let bcd = avg3(b, c, d); set(1, 1, bcd); set(0, 3, bcd)
            let cde = avg3(c, d, e); set(2, 1, cde); set(1, 3, cde)
            let def = avg3(d, e, f); set(3, 1, def); set(2, 3, def)
            set(3, 2, avg3(e, f, g))
            set(3, 3, avg3(f, g, h))
        case VP8Mode.hd:
            let i = dst[-1], j = dst[stride - 1], k = dst[2 * stride - 1], l = dst[3 * stride - 1]
            let x = top[-1], a = top[0], b = top[1], c = top[2]
            let ix = avg2(i, x); set(0, 0, ix); set(2, 1, ix)
            let ji = avg2(j, i); set(0, 1, ji); set(2, 2, ji)
            let kj = avg2(k, j); set(0, 2, kj); set(2, 3, kj)
            set(0, 3, avg2(l, k))
            set(3, 0, avg3(a, b, c))
            set(2, 0, avg3(x, a, b))
            let ixa = avg3(i, x, a); set(1, 0, ixa); set(3, 1, ixa)
            let jix = avg3(j, i, x); set(1, 1, jix); set(3, 2, jix)
            let kji = avg3(k, j, i); set(1, 2, kji); set(3, 3, kji)
            set(1, 3, avg3(l, k, j))
        case VP8Mode.hu:
            let i = dst[-1], j = dst[stride - 1], k = dst[2 * stride - 1], l = dst[3 * stride - 1]
            set(0, 0, avg2(i, j))
            let jk = avg2(j, k); set(2, 0, jk); set(0, 1, jk)
            let kl = avg2(k, l); set(2, 1, kl); set(0, 2, kl)
            set(1, 0, avg3(i, j, k))
            let jkl = avg3(j, k, l); set(3, 0, jkl); set(1, 1, jkl)
            let kll = avg3(k, l, l); set(3, 1, kll); set(1, 2, kll)
            set(3, 2, l); set(2, 2, l); set(0, 3, l); set(1, 3, l); set(2, 3, l); set(3, 3, l)
        default:
            var sum: UInt32 = 4
            for n in 0..<4 { sum &+= UInt32(top[n]) &+ UInt32(dst[n * stride - 1]) }
            fill(dst, size: 4, UInt8(truncatingIfNeeded: sum &>> 3))
        }
    }
}

/// Copies and fills of 4, 8 or 16 bytes as single moves: for these sizes a `memmove`/`memset` call costs more
/// than the copy itself, and reconstruction does several per block.
enum VP8Bytes {
    @inline(__always)
    static func copy(_ dst: UnsafeMutablePointer<UInt8>, _ src: UnsafePointer<UInt8>, _ count: Int) {
        let d = UnsafeMutableRawPointer(dst), s = UnsafeRawPointer(src)
        switch count {
        case 4: d.storeBytes(of: s.loadUnaligned(as: UInt32.self), as: UInt32.self)
        case 8: d.storeBytes(of: s.loadUnaligned(as: UInt64.self), as: UInt64.self)
        default: d.storeBytes(of: s.loadUnaligned(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
        }
    }

    @inline(__always)
    static func fill(_ dst: UnsafeMutablePointer<UInt8>, _ value: UInt8, _ count: Int) {
        let d = UnsafeMutableRawPointer(dst)
        switch count {
        case 4: d.storeBytes(of: UInt32(value) &* 0x0101_0101, as: UInt32.self)
        case 8: d.storeBytes(of: UInt64(value) &* 0x0101_0101_0101_0101, as: UInt64.self)
        default: d.storeBytes(of: SIMD16<UInt8>(repeating: value), as: SIMD16<UInt8>.self)
        }
    }
}
