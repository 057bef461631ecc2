/// The 14 VP8L predictors (RFC 9649 §4.1) as row kernels: residuals (pixel − prediction, per channel mod 256) of
/// a run of pixels that all have left, top, top-left and top-right neighbours, one loop per mode.
enum VP8LPredictorKernels {
    @inline(__always) static func average2(_ a: UInt32, _ b: UInt32) -> UInt32 {
        (((a ^ b) & 0xfefe_fefe) >> 1) &+ (a & b)
    }

    @inline(__always) static func channel(_ p: UInt32, _ shift: UInt32) -> Int { Int((p >> shift) & 0xff) }

    /// Select (mode 11): the neighbour, left or top, closer to the gradient estimate L + T − TL in Manhattan
    /// distance; ties go to the top (§4.1).
    @inline(__always) static func select(_ l: UInt32, _ t: UInt32, _ tl: UInt32) -> UInt32 {
        var pl = 0, pt = 0
        var shift: UInt32 = 0
        while shift < 32 {
            let estimate = channel(l, shift) + channel(t, shift) - channel(tl, shift)
            pl += abs(estimate - channel(l, shift))
            pt += abs(estimate - channel(t, shift))
            shift += 8
        }
        return pl < pt ? l : t
    }

    @inline(__always) static func clamp255(_ v: Int) -> UInt32 { UInt32(v < 0 ? 0 : (v > 255 ? 255 : v)) }

    @inline(__always) static func clampAddSubtractFull(_ a: UInt32, _ b: UInt32, _ c: UInt32) -> UInt32 {
        var out: UInt32 = 0
        var shift: UInt32 = 0
        while shift < 32 {
            out |= clamp255(channel(a, shift) + channel(b, shift) - channel(c, shift)) << shift
            shift += 8
        }
        return out
    }

    @inline(__always) static func clampAddSubtractHalf(_ a: UInt32, _ b: UInt32) -> UInt32 {
        var out: UInt32 = 0
        var shift: UInt32 = 0
        while shift < 32 {
            let ca = channel(a, shift)
            out |= clamp255(ca + (ca - channel(b, shift)) / 2) << shift
            shift += 8
        }
        return out
    }

    /// Per-channel a − b (mod 256).
    @inline(__always) static func subtractPixels(_ a: UInt32, _ b: UInt32) -> UInt32 {
        let alphaGreen = 0x00ff_00ff &+ (a & 0xff00_ff00) &- (b & 0xff00_ff00)
        let redBlue = 0xff00_ff00 &+ (a & 0x00ff_00ff) &- (b & 0x00ff_00ff)
        return (alphaGreen & 0xff00_ff00) | (redBlue & 0x00ff_00ff)
    }

    /// Residuals of pixels `start ..< start + count` (row-major index; all with x ≥ 1 and y ≥ 1) under `mode`
    /// into `out[0 ..< count]`.
    static func residuals(mode: Int, _ p: UnsafePointer<UInt32>, start: Int, count: Int, width: Int,
                          out: UnsafeMutablePointer<UInt32>) {
        let c = p + start
        let t = p + start - width
        @inline(__always) func loop(_ predict: (Int) -> UInt32) {
            for k in 0..<count { out[k] = subtractPixels(c[k], predict(k)) }
        }
        switch mode {
        case 0: loop { _ in 0xff00_0000 }
        case 1: loop { c[$0 - 1] }
        case 2: loop { t[$0] }
        case 3: loop { t[$0 + 1] }
        case 4: loop { t[$0 - 1] }
        case 5: loop { average2(average2(c[$0 - 1], t[$0 + 1]), t[$0]) }
        case 6: loop { average2(c[$0 - 1], t[$0 - 1]) }
        case 7: loop { average2(c[$0 - 1], t[$0]) }
        case 8: loop { average2(t[$0 - 1], t[$0]) }
        case 9: loop { average2(t[$0], t[$0 + 1]) }
        case 10: loop { average2(average2(c[$0 - 1], t[$0 - 1]), average2(t[$0], t[$0 + 1])) }
        case 11: loop { select(c[$0 - 1], t[$0], t[$0 - 1]) }
        case 12: loop { clampAddSubtractFull(c[$0 - 1], t[$0], t[$0 - 1]) }
        default: loop { clampAddSubtractHalf(average2(c[$0 - 1], t[$0]), t[$0 - 1]) }
        }
    }

    /// Residual of the pixel at (x, y) under `mode`, with the border rules of RFC 9649 §4.1 (top-left: black,
    /// top row: L, left column: T; the top-right of the last column is the row's first pixel, index − w + 1).
    @inline(__always)
    static func residual(_ p: UnsafePointer<UInt32>, x: Int, y: Int, width: Int, mode: Int) -> UInt32 {
        let i = y * width + x
        if y == 0 { return subtractPixels(p[i], x == 0 ? 0xff00_0000 : p[i - 1]) }
        if x == 0 { return subtractPixels(p[i], p[i - width]) }
        var r: UInt32 = 0
        residuals(mode: mode, p, start: i, count: 1, width: width, out: &r)
        return r
    }
}
