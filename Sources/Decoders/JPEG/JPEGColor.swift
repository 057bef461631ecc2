import Raster

/// Step 7 of decoding: colour conversion to RGB. JFIF YCbCr (JFIF 1.02 §7, ITU-R BT.601 full range) in the 16-bit
/// fixed point libjpeg uses (`FixedPointYCbCrToRGB.jfif`), so the result is bit-identical to djpeg's.
/// Adobe CMYK (stored inverted) and YCCK are reduced to RGB as djpeg's PPM writer does: R = C·K/255, rounded —
/// or, when the caller converts through a CMYK profile, kept as libjpeg's four CMYK samples.
enum JPEGColorTransform: String {
    case gray = "Gray", ycbcr = "YCbCr", rgb = "RGB", cmyk = "CMYK", ycck = "YCCK"

    var hasInks: Bool { self == .cmyk || self == .ycck }
}

enum JPEGColor {
    @inline(__always) static var ycbcr: FixedPointYCbCrToRGB { .jfif }

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
            ycbcr.convertRow(y: c[0], cb: c[1], cr: c[2], into: out, width: width)
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
                let (r, g, b) = ycbcr.rgb(Int32(c[0][x]), Int32(c[1][x]), Int32(c[2][x]))
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
                let (r, g, b) = ycbcr.rgb(Int32(c[0][x]), Int32(c[1][x]), Int32(c[2][x]))
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
