/// The colour module's variant for lossy WebP (VP8, RFC 6386 §1: BT.601 YCbCr 4:2:0): YUV 4:2:0 → RGB as libwebp's `dwebp` outputs it by default, so decoded pixels are bit-identical
/// to dwebp's: "fancy" upsampling of the chroma, then a fixed-point BT.601 conversion.
///
/// Upsampling: each output pixel's chroma is interpolated from the 2x2 nearest chroma samples with weights 9, 3,
/// 3, 1 (/16), computed as libwebp computes it: for a chroma square [a b; c d] the two diagonals are averaged first,
/// (a + b + c + d + 2·(b + c) + 8) / 8 and (a + b + c + d + 2·(a + d) + 8) / 8, and the pixel nearest `a` gets
/// (diagonal(b, c) + a) / 2, each division truncating. The first column, and the last one of an even width, use
/// (3·near + far + 2) / 4 vertically only; the first row (and the last one of an even height) pairs a chroma row
/// with itself.
///
/// Conversion (ITU-R BT.601, studio range), with 14-bit constants:
///   R = (19077·Y >> 8) + (26149·V >> 8) - 14234
///   G = (19077·Y >> 8) - (6419·U >> 8) - (13320·V >> 8) + 8708
///   B = (19077·Y >> 8) + (33050·U >> 8) - 17685
/// each then divided by 64 and saturated to 0...255.
///
/// The row kernels work on 16 pixels at a time in 16-bit lanes; `yuvToRGB` and the scalar tails are the reference
/// the vector code reproduces exactly (WebPFancyUpsamplerTests compares them on random data).
public enum WebPFancyUpsampler {
    typealias Lanes = SIMD16<UInt16>

    @inline(__always)
    static func clip8(_ v: Int32) -> UInt8 {
        (v & ~16383) == 0 ? UInt8(truncatingIfNeeded: v &>> 6) : (v < 0 ? 0 : 255)
    }

    /// One pixel; `out` receives R, G, B.
    @inline(__always)
    public static func yuvToRGB(_ y: Int32, _ u: Int32, _ v: Int32, _ out: UnsafeMutablePointer<UInt8>) {
        let luma = (y &* 19077) &>> 8
        out[0] = clip8(luma &+ ((v &* 26149) &>> 8) &- 14234)
        out[1] = clip8(luma &- ((u &* 6419) &>> 8) &- ((v &* 13320) &>> 8) &+ 8708)
        out[2] = clip8(luma &+ ((u &* 33050) &>> 8) &- 17685)
    }

    /// (a · c) >> 8 for a ≤ 255 in 16-bit lanes: a·(c >> 8) + (a·(c & 255)) >> 8, no intermediate above 65535.
    @inline(__always)
    static func multiplyHigh(_ a: Lanes, _ c: UInt16) -> Lanes {
        a &* (c &>> 8) &+ ((a &* (c & 255)) &>> 8)
    }

    // Lane-wise min/max written out: the generic standard-library versions are not inlined here.
    @inline(__always) static func maximum(_ a: Lanes, _ b: Lanes) -> Lanes { a.replacing(with: b, where: b .> a) }
    @inline(__always) static func minimum(_ a: Lanes, _ b: Lanes) -> Lanes { a.replacing(with: b, where: b .< a) }

    @inline(__always)
    static func load(_ p: UnsafePointer<UInt8>) -> Lanes {
        Lanes(truncatingIfNeeded: UnsafeRawPointer(p).loadUnaligned(as: SIMD16<UInt8>.self))
    }

    /// Converts `count` pixels of full-resolution Y, U, V rows to RGB (`channels` 3) or RGBA (4, alpha from
    /// `alpha`, or 255 when nil).
    public static func convertRow(y: UnsafePointer<UInt8>, u: UnsafePointer<UInt8>, v: UnsafePointer<UInt8>,
                           alpha: UnsafePointer<UInt8>?, out: UnsafeMutablePointer<UInt8>, count: Int, channels: Int) {
        var x = 0
        while x + 16 <= count {
            let luma = multiplyHigh(load(y + x), 19077)
            let cu = load(u + x), cv = load(v + x)
            let redSum = luma &+ multiplyHigh(cv, 26149)
            let red = minimum((maximum(redSum, Lanes(repeating: 14234)) &- 14234) &>> 6, Lanes(repeating: 255))
            let greenPlus = luma &+ 8708
            let greenMinus = multiplyHigh(cu, 6419) &+ multiplyHigh(cv, 13320)
            let green = minimum((maximum(greenPlus, greenMinus) &- greenMinus) &>> 6, Lanes(repeating: 255))
            let blueSum = luma &+ multiplyHigh(cu, 33050)
            let blue = minimum((maximum(blueSum, Lanes(repeating: 17685)) &- 17685) &>> 6, Lanes(repeating: 255))
            var packed = SIMD16<UInt32>(truncatingIfNeeded: red) | SIMD16<UInt32>(truncatingIfNeeded: green) &<< 8
                | SIMD16<UInt32>(truncatingIfNeeded: blue) &<< 16
            if channels == 4 {
                let a = alpha.map { SIMD16<UInt32>(truncatingIfNeeded: UnsafeRawPointer($0 + x).loadUnaligned(as: SIMD16<UInt8>.self)) }
                    ?? SIMD16<UInt32>(repeating: 255)
                packed |= a &<< 24
                UnsafeMutableRawPointer(out + 4 * x).storeBytes(of: packed, as: SIMD16<UInt32>.self)
            } else {
                // Two pixels per 64-bit lane, squeezed to 48 bits, then stitched into six words (48 bytes).
                let words = unsafeBitCast(packed, to: SIMD8<UInt64>.self)
                let pairs = (words & 0xFF_FFFF) | ((words &>> 8) & 0xFFFF_FF00_0000)
                let o = UnsafeMutableRawPointer(out + 3 * x)
                o.storeBytes(of: pairs[0] | pairs[1] &<< 48, toByteOffset: 0, as: UInt64.self)
                o.storeBytes(of: pairs[1] &>> 16 | pairs[2] &<< 32, toByteOffset: 8, as: UInt64.self)
                o.storeBytes(of: pairs[2] &>> 32 | pairs[3] &<< 16, toByteOffset: 16, as: UInt64.self)
                o.storeBytes(of: pairs[4] | pairs[5] &<< 48, toByteOffset: 24, as: UInt64.self)
                o.storeBytes(of: pairs[5] &>> 16 | pairs[6] &<< 32, toByteOffset: 32, as: UInt64.self)
                o.storeBytes(of: pairs[6] &>> 32 | pairs[7] &<< 16, toByteOffset: 40, as: UInt64.self)
            }
            x += 16
        }
        while x < count {
            let o = out + channels * x
            yuvToRGB(Int32(y[x]), Int32(u[x]), Int32(v[x]), o)
            if channels == 4 { o[3] = alpha?[x] ?? 255 }
            x += 1
        }
    }

    /// Upsamples one chroma plane for one or two output rows: `topOut` interpolated 3:1 towards `top` (the
    /// chroma row nearer to it), `bottomOut` 3:1 towards `current`. `width` is the luma width.
    public static func upsampleRows(top: UnsafePointer<UInt8>, current: UnsafePointer<UInt8>,
                             topOut: UnsafeMutablePointer<UInt8>, bottomOut: UnsafeMutablePointer<UInt8>?, width: Int) {
        let lastPair = (width - 1) >> 1
        @inline(__always) func edge(_ near: UInt8, _ far: UInt8) -> UInt8 {
            UInt8(truncatingIfNeeded: (3 &* UInt16(near) &+ UInt16(far) &+ 2) &>> 2)
        }
        topOut[0] = edge(top[0], current[0])
        bottomOut?[0] = edge(current[0], top[0])
        var j = 1
        while j + 15 <= lastPair {
            let topLeft = load(top + j - 1), above = load(top + j)
            let left = load(current + j - 1), here = load(current + j)
            let sum = topLeft &+ above &+ left &+ here &+ 8
            let diagonal12 = (sum &+ 2 &* (above &+ left)) &>> 3
            let diagonal03 = (sum &+ 2 &* (topLeft &+ here)) &>> 3
            // Odd output positions in the low bytes, even ones in the high bytes: stored as 32 interleaved bytes.
            let topPair = ((diagonal12 &+ topLeft) &>> 1) | ((diagonal03 &+ above) &>> 1) &<< 8
            UnsafeMutableRawPointer(topOut + 2 * j - 1).storeBytes(of: topPair, as: Lanes.self)
            if let bottomOut {
                let bottomPair = ((diagonal03 &+ left) &>> 1) | ((diagonal12 &+ here) &>> 1) &<< 8
                UnsafeMutableRawPointer(bottomOut + 2 * j - 1).storeBytes(of: bottomPair, as: Lanes.self)
            }
            j += 16
        }
        while j <= lastPair {
            let topLeft = UInt16(top[j - 1]), above = UInt16(top[j]), left = UInt16(current[j - 1]), here = UInt16(current[j])
            let sum = topLeft &+ above &+ left &+ here &+ 8
            let diagonal12 = (sum &+ 2 &* (above &+ left)) &>> 3
            let diagonal03 = (sum &+ 2 &* (topLeft &+ here)) &>> 3
            topOut[2 * j - 1] = UInt8(truncatingIfNeeded: (diagonal12 &+ topLeft) &>> 1)
            topOut[2 * j] = UInt8(truncatingIfNeeded: (diagonal03 &+ above) &>> 1)
            if let bottomOut {
                bottomOut[2 * j - 1] = UInt8(truncatingIfNeeded: (diagonal03 &+ left) &>> 1)
                bottomOut[2 * j] = UInt8(truncatingIfNeeded: (diagonal12 &+ here) &>> 1)
            }
            j += 1
        }
        if width & 1 == 0 {
            topOut[width - 1] = edge(top[lastPair], current[lastPair])
            bottomOut?[width - 1] = edge(current[lastPair], top[lastPair])
        }
    }
}
