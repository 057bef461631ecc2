import Raster

/// The frame as the encoder works on it: Y, U and V planes padded to whole macroblocks by replicating the last
/// column and row (RFC 6386 section 2: a frame is coded as complete 16x16 macroblocks; the decoder crops).
struct VP8Picture {
    let width: Int, height: Int
    let mbWidth: Int, mbHeight: Int
    let yStride: Int, uvStride: Int
    var y: [UInt8], u: [UInt8], v: [UInt8]

    /// Converts to BT.601 limited-range YUV 4:2:0 (the matrix libwebp and browsers assume for VP8:
    /// `FixedPointRGBToYCbCr.bt601Limited`). Chroma comes from the sum of each 2x2 block of gamma-coded RGB, at two
    /// extra bits of precision (`forSumsOfFour`). (Averaging in linear
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
        let w = width, h = height, ys = yStride, uvs = uvStride
        let cw = (w + 1) >> 1, ch = (h + 1) >> 1
        raster.samples8.withUnsafeBufferPointer { src in
            y.withUnsafeMutableBufferPointer { yp in u.withUnsafeMutableBufferPointer { up in
            v.withUnsafeMutableBufferPointer { vp in
                let s = src.baseAddress!, py = yp.baseAddress!, pu = up.baseAddress!, pv = vp.baseAddress!
                switch channels {
                case 3: VP8Picture.convert(s, channels: 3, green: 1, blue: 2, width: w, height: h, y: py, yStride: ys,
                                           u: pu, v: pv, uvStride: uvs)
                case 4: VP8Picture.convert(s, channels: 4, green: 1, blue: 2, width: w, height: h, y: py, yStride: ys,
                                           u: pu, v: pv, uvStride: uvs)
                default: VP8Picture.convert(s, channels: channels, green: 0, blue: 0, width: w, height: h, y: py,
                                            yStride: ys, u: pu, v: pv, uvStride: uvs)
                }
                // Padding to whole macroblocks: replicate the last column, then the last row.
                VP8Picture.pad(py, stride: ys, width: w, height: h, paddedHeight: paddedHeight)
                VP8Picture.pad(pu, stride: uvs, width: cw, height: ch, paddedHeight: paddedHeight / 2)
                VP8Picture.pad(pv, stride: uvs, width: cw, height: ch, paddedHeight: paddedHeight / 2)
            } } }
        }
    }

    /// RGB(A) or gray(+alpha) rows → Y, and 2x2 sums → U, V. Inlined per channel count so the addressing is constant.
    @inline(__always)
    private static func convert(_ s: UnsafePointer<UInt8>, channels: Int, green g: Int, blue b: Int, width w: Int,
                                height h: Int, y py: UnsafeMutablePointer<UInt8>, yStride ys: Int,
                                u pu: UnsafeMutablePointer<UInt8>, v pv: UnsafeMutablePointer<UInt8>, uvStride uvs: Int) {
        let cw = (w + 1) >> 1, ch = (h + 1) >> 1
        let matrix = FixedPointRGBToYCbCr.bt601Limited, sums = matrix.forSumsOfFour
        // Packed RGB: whole groups of 16 pixels of each row pair by the SIMD row kernel, the rest below.
        let vectorWidth = channels == 3 ? w & ~15 : 0
        if vectorWidth > 0 {
            for row in 0..<ch {
                let top = 2 * row, bottom = min(top + 1, h - 1)
                matrix.convertRowPairSummedChroma(s + top * w * 3, s + bottom * w * 3, count: vectorWidth,
                                                  y: py + top * ys, bottomY: py + bottom * ys,
                                                  cb: pu + row * uvs, cr: pv + row * uvs)
            }
        }
        for row in 0..<h {
            let line = s + row * w * channels, out = py + row * ys
            for x in vectorWidth..<w {
                let p = line + x * channels
                out[x] = matrix.y(Int32(p[0]), Int32(p[g]), Int32(p[b]))
            }
        }
        for row in 0..<ch {
            let line0 = s + 2 * row * w * channels
            let line1 = s + min(2 * row + 1, h - 1) * w * channels
            let outU = pu + row * uvs, outV = pv + row * uvs
            for x in (vectorWidth / 2)..<cw {
                let i0 = 2 * x * channels, i1 = min(2 * x + 1, w - 1) * channels
                let r = Int32(line0[i0]) + Int32(line0[i1]) + Int32(line1[i0]) + Int32(line1[i1])
                let gg = Int32(line0[i0 + g]) + Int32(line0[i1 + g]) + Int32(line1[i0 + g]) + Int32(line1[i1 + g])
                let bb = Int32(line0[i0 + b]) + Int32(line0[i1 + b]) + Int32(line1[i0 + b]) + Int32(line1[i1 + b])
                outU[x] = sums.cb(r, gg, bb)
                outV[x] = sums.cr(r, gg, bb)
            }
        }
    }

    private static func pad(_ p: UnsafeMutablePointer<UInt8>, stride: Int, width: Int, height: Int, paddedHeight: Int) {
        if width < stride {
            for row in 0..<height { (p + row * stride + width).update(repeating: p[row * stride + width - 1], count: stride - width) }
        }
        for row in height..<paddedHeight { (p + row * stride).update(from: p + (height - 1) * stride, count: stride) }
    }
}
