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
            // Section 12.2: clamp(left + above − corner), eight lanes at a time.
            let corner = Int16(top[-1])
            let zero = SIMD8<Int16>(repeating: 0), full = SIMD8<Int16>(repeating: 255)
            for half in Swift.stride(from: 0, to: size, by: 8) {
                let above = SIMD8<Int16>(truncatingIfNeeded: UnsafeRawPointer(top + half).loadUnaligned(as: SIMD8<UInt8>.self))
                    &- SIMD8(repeating: corner)
                for r in 0..<size {
                    var v = above &+ SIMD8(repeating: Int16(left[r]))
                    v.replace(with: zero, where: v .< zero)
                    v.replace(with: full, where: v .> full)
                    UnsafeMutableRawPointer(out + r * stride + half).storeBytes(of: SIMD8<UInt8>(truncatingIfNeeded: v),
                                                                                 as: SIMD8<UInt8>.self)
                }
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

    /// The eight directional subblock modes (VE ... HU) as lookups into the values every one of them is made of
    /// (section 12.3): along the edge E = L3 L3 L2 L1 L0 P A0 ... A7 A7 A7 (bottom-left to top-right, ends
    /// repeated), the 3-tap averages (E[i−1] + 2·E[i] + E[i+1] + 2) / 4 at index i, the 2-tap averages
    /// (E[i] + E[i+1] + 1) / 2 at 16 + i, and E[i] itself at 32 + i. One row of 16 per mode, raster order.
    static let directionalTaps: UnsafePointer<UInt8> = {
        let t: [UInt8] = [
            6, 7, 8, 9, 6, 7, 8, 9, 6, 7, 8, 9, 6, 7, 8, 9,
            4, 4, 4, 4, 3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1,
            7, 8, 9, 10, 8, 9, 10, 11, 9, 10, 11, 12, 10, 11, 12, 13,
            5, 6, 7, 8, 4, 5, 6, 7, 3, 4, 5, 6, 2, 3, 4, 5,
            21, 22, 23, 24, 5, 6, 7, 8, 4, 21, 22, 23, 3, 5, 6, 7,
            22, 23, 24, 25, 7, 8, 9, 10, 23, 24, 25, 11, 8, 9, 10, 12,
            20, 5, 6, 7, 19, 4, 20, 5, 18, 3, 19, 4, 17, 2, 18, 3,
            19, 3, 18, 2, 18, 2, 17, 1, 17, 1, 33, 33, 33, 33, 33, 33,
        ]
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: t.count)
        p.initialize(from: t, count: t.count)
        return UnsafePointer(p)
    }()

    /// The 48 edge values of `directionalTaps` for a subblock with corner `top[-1]`, 8 pixels above `top[0..7]`
    /// and 4 to the left `left[0..3]`, stored at `scratch + 24` (`subblockScratchBytes`).
    @inline(__always)
    static func edgeValues(top a: UnsafePointer<UInt8>, left l: UnsafePointer<UInt8>,
                           scratch: UnsafeMutablePointer<UInt8>) -> UnsafePointer<UInt8> {
        // B[k] = E[k − 1]: B[0] repeats L3, B[1..17] = E[0..16].
        let b = scratch
        b[0] = l[3]; b[1] = l[3]; b[2] = l[3]; b[3] = l[2]; b[4] = l[1]; b[5] = l[0]; b[6] = a[-1]
        for i in 0..<8 { b[7 + i] = a[i] }
        b[15] = a[7]; b[16] = a[7]; b[17] = a[7]
        let raw = UnsafeRawPointer(b)
        let e0 = SIMD16<UInt16>(truncatingIfNeeded: raw.loadUnaligned(as: SIMD16<UInt8>.self))
        let e1 = SIMD16<UInt16>(truncatingIfNeeded: raw.loadUnaligned(fromByteOffset: 1, as: SIMD16<UInt8>.self))
        let e2 = SIMD16<UInt16>(truncatingIfNeeded: raw.loadUnaligned(fromByteOffset: 2, as: SIMD16<UInt8>.self))
        let values = scratch + 24
        let v = UnsafeMutableRawPointer(values)
        v.storeBytes(of: SIMD16<UInt8>(truncatingIfNeeded: (e0 &+ (e1 &<< 1) &+ e2 &+ 2) &>> 2), as: SIMD16<UInt8>.self)
        v.storeBytes(of: SIMD16<UInt8>(truncatingIfNeeded: (e1 &+ e2 &+ 1) &>> 1), toByteOffset: 16, as: SIMD16<UInt8>.self)
        v.storeBytes(of: SIMD16<UInt8>(truncatingIfNeeded: e1), toByteOffset: 32, as: SIMD16<UInt8>.self)
        return UnsafePointer(values)
    }

    /// All ten subblock predictions (section 12.3) into `out`: 10 blocks of 16 bytes (row stride 4), mode order.
    /// Edges and scratch as for `edgeValues`.
    @inline(__always)
    static func allSubblocks(top a: UnsafePointer<UInt8>, left l: UnsafePointer<UInt8>, out: UnsafeMutablePointer<UInt8>,
                             scratch: UnsafeMutablePointer<UInt8>) {
        let values = edgeValues(top: a, left: l, scratch: scratch)
        let taps = directionalTaps
        for k in 0..<128 { out[32 + k] = values[Int(taps[k])] }
        subblockDCAndTM(top: a, left: l, out: out)
    }

    /// Scratch bytes `edgeValues`, `subblock`, `allSubblocks` and `allSubblocksByLane` need.
    static let subblockScratchBytes = 112

    /// All ten subblock predictions laid out for scoring them together (`VP8Distortion.satd4x4ByLane`): 16 rows
    /// of 16 bytes, row p = pixel p of the block (raster order), byte m = mode m's prediction of it (bytes 10–15
    /// are left as they were). Edges and scratch as for `edgeValues`.
    @inline(__always)
    static func allSubblocksByLane(top a: UnsafePointer<UInt8>, left l: UnsafePointer<UInt8>,
                                   out: UnsafeMutablePointer<UInt8>, scratch: UnsafeMutablePointer<UInt8>) {
        let values = edgeValues(top: a, left: l, scratch: scratch)
        let dcAndTM = UnsafeMutablePointer(mutating: values) + 48
        subblockDCAndTM(top: a, left: l, out: dcAndTM)
        // `directionalTaps` transposed (pixel p: the taps of VE, HE, LD, RD, VR, VL, HD, HU), spelled out so every
        // lookup has a constant index.
        @inline(__always) func row(_ p: Int, _ ve: Int, _ he: Int, _ ld: Int, _ rd: Int, _ vr: Int, _ vl: Int,
                                   _ hd: Int, _ hu: Int) {
            let o = out + p * 16
            o[bDC] = dcAndTM[p]; o[bTM] = dcAndTM[16 + p]
            o[bVE] = values[ve]; o[bHE] = values[he]; o[bLD] = values[ld]; o[bRD] = values[rd]
            o[bVR] = values[vr]; o[bVL] = values[vl]; o[bHD] = values[hd]; o[bHU] = values[hu]
        }
        row( 0,  6,  4,  7,  5, 21, 22, 20, 19)
        row( 1,  7,  4,  8,  6, 22, 23,  5,  3)
        row( 2,  8,  4,  9,  7, 23, 24,  6, 18)
        row( 3,  9,  4, 10,  8, 24, 25,  7,  2)
        row( 4,  6,  3,  8,  4,  5,  7, 19, 18)
        row( 5,  7,  3,  9,  5,  6,  8,  4,  2)
        row( 6,  8,  3, 10,  6,  7,  9, 20, 17)
        row( 7,  9,  3, 11,  7,  8, 10,  5,  1)
        row( 8,  6,  2,  9,  3,  4, 23, 18, 17)
        row( 9,  7,  2, 10,  4, 21, 24,  3,  1)
        row(10,  8,  2, 11,  5, 22, 25, 19, 33)
        row(11,  9,  2, 12,  6, 23, 11,  4, 33)
        row(12,  6,  1, 10,  2,  3,  8, 17, 33)
        row(13,  7,  1, 11,  3,  5,  9,  2, 33)
        row(14,  8,  1, 12,  4,  6, 10, 18, 33)
        row(15,  9,  1, 13,  5,  7, 12,  3, 33)
    }

    /// One subblock prediction into `out` (row stride 4).
    @inline(__always)
    static func subblock(mode: Int, top a: UnsafePointer<UInt8>, left l: UnsafePointer<UInt8>,
                         out: UnsafeMutablePointer<UInt8>, scratch: UnsafeMutablePointer<UInt8>) {
        if mode <= bTM {
            subblockDCAndTM(top: a, left: l, out: scratch + 8)
            (out).update(from: scratch + 8 + mode * 16, count: 16)
            return
        }
        let values = edgeValues(top: a, left: l, scratch: scratch)
        let taps = directionalTaps + (mode - 2) * 16
        for k in 0..<16 { out[k] = values[Int(taps[k])] }
    }

    /// B_DC_PRED and B_TM_PRED into `out[0..15]` and `out[16..31]`.
    @inline(__always)
    private static func subblockDCAndTM(top a: UnsafePointer<UInt8>, left l: UnsafePointer<UInt8>,
                                        out: UnsafeMutablePointer<UInt8>) {
        var sum: UInt32 = 4
        for i in 0..<4 { sum += UInt32(a[i]) + UInt32(l[i]) }
        out.update(repeating: UInt8(truncatingIfNeeded: sum >> 3), count: 16)
        let above = VP8Transform.load4(a) &- Int32(a[-1])
        for r in 0..<4 {
            let row = (above &+ Int32(l[r])).maximum(SIMD4(repeating: 0)).minimum(SIMD4(repeating: 255))
            UnsafeMutableRawPointer(out + 16 + r * 4).storeBytes(of: SIMD4<UInt8>(truncatingIfNeeded: row),
                                                                 as: SIMD4<UInt8>.self)
        }
    }
}
