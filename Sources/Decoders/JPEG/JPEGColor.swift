/// Step 7 of decoding: colour conversion to RGB. JFIF YCbCr (JFIF 1.02 §7, ITU-R BT.601 full range) uses the same
/// 16-bit fixed-point tables as libjpeg so the result is bit-identical to djpeg's: R = Y + 1.402 Cr',
/// G = Y - 0.34414 Cb' - 0.71414 Cr', B = Y + 1.772 Cb' (Cb' = Cb - 128), each product rounded as libjpeg does.
/// Adobe CMYK (stored inverted) and YCCK are reduced to RGB as djpeg's PPM writer does: R = C·K/255, rounded.
enum JPEGColorTransform: String {
    case gray = "Gray", ycbcr = "YCbCr", rgb = "RGB", cmyk = "CMYK", ycck = "YCCK"
}

final class JPEGColorTables: @unchecked Sendable {
    static let shared = JPEGColorTables()
    let crToR: [Int32], cbToB: [Int32], crToG: [Int32], cbToG: [Int32]

    private init() {
        let scale = 16
        let half: Int32 = 1 << (scale - 1)
        func fix(_ x: Double) -> Int32 { Int32(x * Double(1 << scale) + 0.5) }
        var r = [Int32](repeating: 0, count: 256), b = r, gr = r, gb = r
        for i in 0..<256 {
            let x = Int32(i - 128)
            r[i] = (fix(1.40200) &* x &+ half) >> scale
            b[i] = (fix(1.77200) &* x &+ half) >> scale
            gr[i] = -fix(0.71414) &* x
            gb[i] = -fix(0.34414) &* x &+ half
        }
        crToR = r; cbToB = b; crToG = gr; cbToG = gb
    }
}

enum JPEGColor {
    /// Converts one row of `width` pixels from component rows `c` to interleaved output `out`.
    @inline(__always)
    static func convertRow(_ transform: JPEGColorTransform, _ c: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>>,
                           _ out: UnsafeMutablePointer<UInt8>, _ width: Int, _ tables: JPEGColorTables) {
        switch transform {
        case .gray:
            out.update(from: c[0], count: width)
        case .rgb:
            let r = c[0], g = c[1], b = c[2]
            for x in 0..<width {
                out[3 &* x] = r[x]; out[3 &* x &+ 1] = g[x]; out[3 &* x &+ 2] = b[x]
            }
        case .ycbcr:
            // The tables' entries computed inline (identical values): R = Y + (91881·Cr' + 2^15) >> 16, ...
            let yp = c[0], cbp = c[1], crp = c[2]
            var o = out
            for x in 0..<width {
                let y = Int32(yp[x]), cb = Int32(cbp[x]) &- 128, cr = Int32(crp[x]) &- 128
                o[0] = UInt8(clamping: y &+ ((91881 &* cr &+ 32768) &>> 16))
                o[1] = UInt8(clamping: y &+ ((-22554 &* cb &- 46802 &* cr &+ 32768) &>> 16))
                o[2] = UInt8(clamping: y &+ ((116130 &* cb &+ 32768) &>> 16))
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
                let y = Int32(c[0][x]), cb = Int(c[1][x]), cr = Int(c[2][x]), k = Int32(c[3][x])
                // YCC → RGB, then the CMY ink values are their complements (Adobe stores YCCK inverted likewise).
                let r = Int32(UInt8(clamping: y &+ tables.crToR[cr]))
                let g = Int32(UInt8(clamping: y &+ ((tables.cbToG[cb] &+ tables.crToG[cr]) &>> 16)))
                let b = Int32(UInt8(clamping: y &+ tables.cbToB[cb]))
                out[3 &* x] = cmykChannel(255 &- r, k)
                out[3 &* x &+ 1] = cmykChannel(255 &- g, k)
                out[3 &* x &+ 2] = cmykChannel(255 &- b, k)
            }
        }
    }

    /// round(ink · k / 255) with integers: floor((2·ink·k + 255) / 510).
    @inline(__always)
    static func cmykChannel(_ ink: Int32, _ k: Int32) -> UInt8 {
        UInt8(truncatingIfNeeded: (2 &* ink &* k &+ 255) / 510)
    }
}
