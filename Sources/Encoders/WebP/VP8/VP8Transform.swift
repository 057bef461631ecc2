/// The 4x4 transforms of RFC 6386 section 14. The inverse ones reproduce the decoder's integer arithmetic exactly
/// (sections 14.3 and 14.4), since the encoder predicts from what the decoder will reconstruct; the forward ones
/// are this encoder's own fixed-point approximations of their mathematical inverses.
enum VP8Transform {
    /// sqrt(2)·cos(π/8) − 1 and sqrt(2)·sin(π/8) in 16-bit fixed point (section 14.4).
    static let cosMinusOne: Int32 = 20091
    static let sine: Int32 = 35468

    /// Forward DCT of a 4x4 residual (`source − prediction`, both with row stride `stride`), coefficients in
    /// raster order, scaled like the decoder's input (about twice the orthonormal transform).
    @inline(__always)
    static func forwardDCT(source: UnsafePointer<UInt8>, sourceStride: Int, prediction: UnsafePointer<UInt8>,
                           predictionStride: Int, out: UnsafeMutablePointer<Int32>) {
        var tmp = (Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0),
                   Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0))
        withUnsafeMutableBytes(of: &tmp) { raw in
            let t = raw.baseAddress!.assumingMemoryBound(to: Int32.self)
            for row in 0..<4 {
                let s = source + row * sourceStride, p = prediction + row * predictionStride
                let d0 = Int32(s[0]) - Int32(p[0]), d1 = Int32(s[1]) - Int32(p[1])
                let d2 = Int32(s[2]) - Int32(p[2]), d3 = Int32(s[3]) - Int32(p[3])
                let a = (d0 + d3) << 3, b = (d1 + d2) << 3
                let c = (d1 - d2) << 3, d = (d0 - d3) << 3
                t[row * 4 + 0] = a + b
                t[row * 4 + 2] = a - b
                t[row * 4 + 1] = (c * 2217 + d * 5352 + 14500) >> 12
                t[row * 4 + 3] = (d * 2217 - c * 5352 + 7500) >> 12
            }
            for col in 0..<4 {
                let a = t[col] + t[12 + col], b = t[4 + col] + t[8 + col]
                let c = t[4 + col] - t[8 + col], d = t[col] - t[12 + col]
                out[col] = (a + b + 7) >> 4
                out[8 + col] = (a - b + 7) >> 4
                out[4 + col] = ((c * 2217 + d * 5352 + 12000) >> 16) + (d != 0 ? 1 : 0)
                out[12 + col] = (d * 2217 - c * 5352 + 51000) >> 16
            }
        }
    }

    /// Inverse DCT of dequantized coefficients (section 14.4, vertical pass first, then horizontal with
    /// rounding by 8), added to `prediction` and saturated into `destination`.
    @inline(__always)
    static func inverseDCTAdd(_ input: UnsafePointer<Int32>, prediction: UnsafePointer<UInt8>, predictionStride: Int,
                              destination: UnsafeMutablePointer<UInt8>, destinationStride: Int) {
        var tmp = (Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0),
                   Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0))
        withUnsafeMutableBytes(of: &tmp) { raw in
            let t = raw.baseAddress!.assumingMemoryBound(to: Int32.self)
            for i in 0..<4 {
                let i0 = input[i], i4 = input[4 + i], i8 = input[8 + i], i12 = input[12 + i]
                let a = i0 + i8, b = i0 - i8
                let c = ((i4 * sine) >> 16) - (i12 + ((i12 * cosMinusOne) >> 16))
                let d = (i4 + ((i4 * cosMinusOne) >> 16)) + ((i12 * sine) >> 16)
                t[i] = a + d
                t[12 + i] = a - d
                t[4 + i] = b + c
                t[8 + i] = b - c
            }
            for r in 0..<4 {
                let i0 = t[r * 4], i1 = t[r * 4 + 1], i2 = t[r * 4 + 2], i3 = t[r * 4 + 3]
                let a = i0 + i2, b = i0 - i2
                let c = ((i1 * sine) >> 16) - (i3 + ((i3 * cosMinusOne) >> 16))
                let d = (i1 + ((i1 * cosMinusOne) >> 16)) + ((i3 * sine) >> 16)
                let p = prediction + r * predictionStride, o = destination + r * destinationStride
                o[0] = clamp255(Int32(p[0]) + ((a + d + 4) >> 3))
                o[3] = clamp255(Int32(p[3]) + ((a - d + 4) >> 3))
                o[1] = clamp255(Int32(p[1]) + ((b + c + 4) >> 3))
                o[2] = clamp255(Int32(p[2]) + ((b - c + 4) >> 3))
            }
        }
    }

    /// Forward Walsh-Hadamard transform of the 16 luma DC values (raster order of the subblocks): the exact
    /// inverse of section 14.3 up to rounding (H·X·H / 2, since the inverse computes H·Y·H / 8 and H·H = 4).
    static func forwardWHT(_ input: UnsafePointer<Int32>, out: UnsafeMutablePointer<Int32>) {
        var tmp = (Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0),
                   Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0))
        withUnsafeMutableBytes(of: &tmp) { raw in
            let t = raw.baseAddress!.assumingMemoryBound(to: Int32.self)
            for i in 0..<4 {
                let i0 = input[i * 4], i1 = input[i * 4 + 1], i2 = input[i * 4 + 2], i3 = input[i * 4 + 3]
                let a = i0 + i3, b = i1 + i2, c = i1 - i2, d = i0 - i3
                t[i * 4] = a + b; t[i * 4 + 1] = c + d; t[i * 4 + 2] = a - b; t[i * 4 + 3] = d - c
            }
            for i in 0..<4 {
                let a = t[i] + t[12 + i], b = t[4 + i] + t[8 + i], c = t[4 + i] - t[8 + i], d = t[i] - t[12 + i]
                out[i] = halve(a + b); out[4 + i] = halve(c + d); out[8 + i] = halve(a - b); out[12 + i] = halve(d - c)
            }
        }
    }

    /// Inverse WHT exactly as section 14.3: vertical pass, then horizontal with rounding by 8.
    static func inverseWHT(_ input: UnsafePointer<Int32>, out: UnsafeMutablePointer<Int32>) {
        var tmp = (Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0),
                   Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0))
        withUnsafeMutableBytes(of: &tmp) { raw in
            let t = raw.baseAddress!.assumingMemoryBound(to: Int32.self)
            for i in 0..<4 {
                let a = input[i] + input[12 + i], b = input[4 + i] + input[8 + i]
                let c = input[4 + i] - input[8 + i], d = input[i] - input[12 + i]
                t[i] = a + b; t[4 + i] = c + d
                t[8 + i] = a - b; t[12 + i] = d - c
            }
            for i in 0..<4 {
                let a = t[i * 4] + t[i * 4 + 3], b = t[i * 4 + 1] + t[i * 4 + 2]
                let c = t[i * 4 + 1] - t[i * 4 + 2], d = t[i * 4] - t[i * 4 + 3]
                out[i * 4] = (a + b + 3) >> 3; out[i * 4 + 1] = (c + d + 3) >> 3
                out[i * 4 + 2] = (a - b + 3) >> 3; out[i * 4 + 3] = (d - c + 3) >> 3
            }
        }
    }

    @inline(__always) static func halve(_ v: Int32) -> Int32 { v >= 0 ? (v + 1) >> 1 : -((1 - v) >> 1) }

    @inline(__always) static func clamp255(_ v: Int32) -> UInt8 { UInt8(truncatingIfNeeded: v < 0 ? 0 : (v > 255 ? 255 : v)) }
}
