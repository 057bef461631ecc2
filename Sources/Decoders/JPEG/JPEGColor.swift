/// Step 7 of decoding: colour conversion to RGB. JFIF YCbCr (JFIF 1.02 §7, ITU-R BT.601 full range) is computed in
/// the 16-bit fixed point libjpeg uses, so the result is bit-identical to djpeg's:
///   R = Y + round(1.402·Cr'), G = Y + ⌊(-0.34414·Cb' - 0.71414·Cr') + ½⌋, B = Y + round(1.772·Cb')
/// with Cb' = Cb - 128, Cr' = Cr - 128 and each constant as round(c · 2^16).
/// Adobe CMYK (stored inverted) and YCCK are reduced to RGB as djpeg's PPM writer does: R = C·K/255, rounded —
/// or, when the caller converts through a CMYK profile, kept as libjpeg's four CMYK samples.
enum JPEGColorTransform: String {
    case gray = "Gray", ycbcr = "YCbCr", rgb = "RGB", cmyk = "CMYK", ycck = "YCCK"

    var hasInks: Bool { self == .cmyk || self == .ycck }
}

enum JPEGColor {
    /// round(c · 2^16) for the BT.601 conversion constants.
    static let crToR: Int32 = 91881   // 1.40200
    static let cbToB: Int32 = 116130  // 1.77200
    static let cbToG: Int32 = 22554   // 0.34414
    static let crToG: Int32 = 46802   // 0.71414
    static let half: Int32 = 1 << 15

    @inline(__always)
    static func rgb(_ y: Int32, _ cb: Int32, _ cr: Int32) -> (UInt8, UInt8, UInt8) {
        let cb = cb &- 128, cr = cr &- 128
        return (UInt8(clamping: y &+ ((crToR &* cr &+ half) &>> 16)),
                UInt8(clamping: y &+ ((-cbToG &* cb &- crToG &* cr &+ half) &>> 16)),
                UInt8(clamping: y &+ ((cbToB &* cb &+ half) &>> 16)))
    }

    /// Converts one row of `width` pixels from component rows `c` to interleaved output `out`.
    @inline(__always)
    static func convertRow(_ transform: JPEGColorTransform, _ c: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>>,
                           _ out: UnsafeMutablePointer<UInt8>, _ width: Int) {
        switch transform {
        case .gray:
            out.update(from: c[0], count: width)
        case .rgb:
            let r = c[0], g = c[1], b = c[2]
            for x in 0..<width {
                out[3 &* x] = r[x]; out[3 &* x &+ 1] = g[x]; out[3 &* x &+ 2] = b[x]
            }
        case .ycbcr:
            let yp = c[0], cbp = c[1], crp = c[2]
            var o = out
            for x in 0..<width {
                (o[0], o[1], o[2]) = rgb(Int32(yp[x]), Int32(cbp[x]), Int32(crp[x]))
                o += 3
            }
        case .cmyk:
            for x in 0..<width {
                let k = Int32(c[3][x])
                out[3 &* x] = cmykChannel(Int32(c[0][x]), k)
                out[3 &* x &+ 1] = cmykChannel(Int32(c[1][x]), k)
                out[3 &* x &+ 2] = cmykChannel(Int32(c[2][x]), k)
            }
        case .ycck:
            for x in 0..<width {
                // YCC → RGB gives the complements of the stored (inverted) CMY inks.
                let (r, g, b) = rgb(Int32(c[0][x]), Int32(c[1][x]), Int32(c[2][x]))
                let k = Int32(c[3][x])
                out[3 &* x] = cmykChannel(255 &- Int32(r), k)
                out[3 &* x &+ 1] = cmykChannel(255 &- Int32(g), k)
                out[3 &* x &+ 2] = cmykChannel(255 &- Int32(b), k)
            }
        }
    }

    /// CMYK and YCCK rows as libjpeg's JCS_CMYK output: CMYK samples as stored; YCCK's YCC converted like
    /// YCbCr and complemented (C = 255 − R, ...), K as stored.
    @inline(__always)
    static func convertRowToInks(_ transform: JPEGColorTransform, _ c: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>>,
                                 _ out: UnsafeMutablePointer<UInt8>, _ width: Int) {
        if transform == .ycck {
            for x in 0..<width {
                let (r, g, b) = rgb(Int32(c[0][x]), Int32(c[1][x]), Int32(c[2][x]))
                out[4 &* x] = 255 &- r; out[4 &* x &+ 1] = 255 &- g; out[4 &* x &+ 2] = 255 &- b
                out[4 &* x &+ 3] = c[3][x]
            }
        } else {
            for x in 0..<width {
                out[4 &* x] = c[0][x]; out[4 &* x &+ 1] = c[1][x]; out[4 &* x &+ 2] = c[2][x]; out[4 &* x &+ 3] = c[3][x]
            }
        }
    }

    /// round(ink · k / 255) with integers: floor((2·ink·k + 255) / 510).
    @inline(__always)
    static func cmykChannel(_ ink: Int32, _ k: Int32) -> UInt8 {
        UInt8(truncatingIfNeeded: (2 &* ink &* k &+ 255) / 510)
    }
}
