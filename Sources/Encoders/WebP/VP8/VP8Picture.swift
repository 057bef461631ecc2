import Raster

/// The frame as the encoder works on it: Y, U and V planes padded to whole macroblocks by replicating the last
/// column and row (RFC 6386 section 2: a frame is coded as complete 16x16 macroblocks; the decoder crops).
struct VP8Picture {
    let width: Int, height: Int
    let mbWidth: Int, mbHeight: Int
    let yStride: Int, uvStride: Int
    var y: [UInt8], u: [UInt8], v: [UInt8]

    /// Converts to BT.601 limited-range YUV 4:2:0 (the matrix libwebp and browsers assume for VP8:
    /// `FixedPointRGBToYCbCr.bt601Limited`). Chroma is averaged over each 2x2 block in linear light
    /// (`ChromaDownsampling.LinearLight`), so that fine coloured detail keeps its brightness.
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
        let toLinear = ChromaDownsampling.LinearLight.toLinear, toGamma = ChromaDownsampling.LinearLight.toGamma
        let matrix = FixedPointRGBToYCbCr.bt601Limited
        raster.samples8.withUnsafeBufferPointer { src in
            y.withUnsafeMutableBufferPointer { yp in
                u.withUnsafeMutableBufferPointer { up in
                    v.withUnsafeMutableBufferPointer { vp in
                        toLinear.withUnsafeBufferPointer { lin in
                            toGamma.withUnsafeBufferPointer { gam in
                                @inline(__always) func rgb(_ x: Int, _ yy: Int) -> (Int32, Int32, Int32) {
                                    let i = ((yy < h ? yy : h - 1) * w + (x < w ? x : w - 1)) * channels
                                    if isColor { return (Int32(src[i]), Int32(src[i + 1]), Int32(src[i + 2])) }
                                    let g = Int32(src[i]); return (g, g, g)
                                }
                                for row in 0..<paddedHeight {
                                    for x in 0..<ys {
                                        let (r, g, b) = rgb(x, row)
                                        yp[row * ys + x] = matrix.y(r, g, b)
                                    }
                                }
                                for row in 0..<(paddedHeight / 2) {
                                    for x in 0..<uvs {
                                        let p0 = rgb(2 * x, 2 * row), p1 = rgb(2 * x + 1, 2 * row)
                                        let p2 = rgb(2 * x, 2 * row + 1), p3 = rgb(2 * x + 1, 2 * row + 1)
                                        typealias Light = ChromaDownsampling.LinearLight
                                        let r = Light.mean(p0.0, p1.0, p2.0, p3.0, linear: lin, gamma: gam)
                                        let g = Light.mean(p0.1, p1.1, p2.1, p3.1, linear: lin, gamma: gam)
                                        let b = Light.mean(p0.2, p1.2, p2.2, p3.2, linear: lin, gamma: gam)
                                        up[row * uvs + x] = matrix.cb(r, g, b)
                                        vp[row * uvs + x] = matrix.cr(r, g, b)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
