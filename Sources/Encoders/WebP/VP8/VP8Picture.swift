import Raster

/// The frame as the encoder works on it: Y, U and V planes padded to whole macroblocks by replicating the last
/// column and row (RFC 6386 section 2: a frame is coded as complete 16x16 macroblocks; the decoder crops).
struct VP8Picture {
    let width: Int, height: Int
    let mbWidth: Int, mbHeight: Int
    let yStride: Int, uvStride: Int
    var y: [UInt8], u: [UInt8], v: [UInt8]

    /// Converts to BT.601 limited-range YUV 4:2:0 (the matrix libwebp and browsers assume for VP8). Chroma comes
    /// from the sum of each 2x2 block of gamma-coded RGB, at two extra bits of precision. (Averaging in linear
    /// light instead was measured: it keeps fine coloured detail brighter but costs 1–8 % BD-rate on dark
    /// saturated gradients, and is worse on average over the benchmark corpus.)
    init(raster input: Raster) throws {
        let raster = input.to8Bit()
        width = raster.width; height = raster.height
        mbWidth = (width + 15) >> 4; mbHeight = (height + 15) >> 4
        yStride = mbWidth * 16; uvStride = mbWidth * 8
        let paddedHeight = mbHeight * 16
        y = [UInt8](repeating: 0, count: yStride * paddedHeight)
        u = [UInt8](repeating: 0, count: uvStride * paddedHeight / 2)
        v = [UInt8](repeating: 0, count: uvStride * paddedHeight / 2)
        let channels = raster.channels
        let isColor = raster.layout.isColor
        let w = width, h = height, ys = yStride, uvs = uvStride
        raster.samples8.withUnsafeBufferPointer { src in
            y.withUnsafeMutableBufferPointer { yp in
                u.withUnsafeMutableBufferPointer { up in
                    v.withUnsafeMutableBufferPointer { vp in
                        @inline(__always) func rgb(_ x: Int, _ yy: Int) -> (Int32, Int32, Int32) {
                            let i = ((yy < h ? yy : h - 1) * w + (x < w ? x : w - 1)) * channels
                            if isColor { return (Int32(src[i]), Int32(src[i + 1]), Int32(src[i + 2])) }
                            let g = Int32(src[i]); return (g, g, g)
                        }
                        for row in 0..<paddedHeight {
                            for x in 0..<ys {
                                let (r, g, b) = rgb(x, row)
                                yp[row * ys + x] = VP8Picture.luma(r, g, b)
                            }
                        }
                        for row in 0..<(paddedHeight / 2) {
                            for x in 0..<uvs {
                                let p0 = rgb(2 * x, 2 * row), p1 = rgb(2 * x + 1, 2 * row)
                                let p2 = rgb(2 * x, 2 * row + 1), p3 = rgb(2 * x + 1, 2 * row + 1)
                                let r = p0.0 + p1.0 + p2.0 + p3.0, g = p0.1 + p1.1 + p2.1 + p3.1
                                let b = p0.2 + p1.2 + p2.2 + p3.2
                                up[row * uvs + x] = VP8Picture.chromaU(sum4: r, g, b)
                                vp[row * uvs + x] = VP8Picture.chromaV(sum4: r, g, b)
                            }
                        }
                    }
                }
            }
        }
    }

    // BT.601 limited range in 16-bit fixed point: Y = 16 + 219·(0.299R + 0.587G + 0.114B)/255,
    // U/V = 128 + 224·(B−Y' or R−Y')/(255·1.772 or 1.402); chroma from sums of four pixels (2 more bits).
    @inline(__always) static func luma(_ r: Int32, _ g: Int32, _ b: Int32) -> UInt8 {
        UInt8(truncatingIfNeeded: (16829 * r + 33039 * g + 6416 * b + (16 << 16) + (1 << 15)) >> 16)
    }
    @inline(__always) static func chromaU(sum4 r: Int32, _ g: Int32, _ b: Int32) -> UInt8 {
        let v = (-9714 * r - 19071 * g + 28784 * b + (128 << 18) + (1 << 17)) >> 18
        return UInt8(truncatingIfNeeded: v < 0 ? 0 : (v > 255 ? 255 : v))
    }
    @inline(__always) static func chromaV(sum4 r: Int32, _ g: Int32, _ b: Int32) -> UInt8 {
        let v = (28784 * r - 24103 * g - 4681 * b + (128 << 18) + (1 << 17)) >> 18
        return UInt8(truncatingIfNeeded: v < 0 ? 0 : (v > 255 ? 255 : v))
    }
}
