import Glibc

/// Chroma downsampling, in the variants the encoders use (each keeps its codec's output bit for bit).
public enum ChromaDownsampling {
    /// Box filter by 2 in x and/or y over a plane of `width`×`height` (both multiples of the factors): the mean of
    /// each 2×2 (or 2×1, 1×2) block. The rounding bias alternates between neighbouring outputs (1, 2 for four
    /// samples; 0, 1 for two) so it averages out instead of drifting the plane up — libjpeg's downsampler, used by
    /// the JPEG encoder.
    public static func boxAlternatingBias(_ plane: [UInt8], width: Int, height: Int, byX: Int, byY: Int) -> [UInt8] {
        let outWidth = width / byX, outHeight = height / byY
        var out = [UInt8](repeating: 0, count: outWidth * outHeight)
        let area = byX * byY
        let shift = area == 4 ? 2 : area == 2 ? 1 : 0
        plane.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for oy in 0..<outHeight {
                    let top = oy * byY * width
                    let bottom = byY == 2 ? top + width : top
                    let o = oy * outWidth
                    if byX == 2 {
                        for ox in 0..<outWidth {
                            let x = 2 * ox
                            var sum = Int(src[top + x]) + Int(src[top + x + 1])
                            if byY == 2 { sum += Int(src[bottom + x]) + Int(src[bottom + x + 1]) }
                            let bias = area == 4 ? 1 + (ox & 1) : (ox & 1)
                            dst[o + ox] = UInt8(truncatingIfNeeded: (sum + bias) >> shift)
                        }
                    } else {
                        for ox in 0..<outWidth {
                            let sum = Int(src[top + ox]) + (byY == 2 ? Int(src[bottom + ox]) : 0)
                            let bias = area == 2 ? (ox & 1) : 0
                            dst[o + ox] = UInt8(truncatingIfNeeded: (sum + bias) >> shift)
                        }
                    }
                }
            }
        }
        return out
    }

    /// Mean of each (1 + subX)×(1 + subY) block of a full-resolution Float chroma plane, edges replicated (a
    /// block past the right or bottom edge repeats the last column or row), rounded to the nearest code. With
    /// subX = subY = 0 it only rounds. Used by the AV1 encoder.
    public static func averageFloat(_ plane: [Float], width: Int, height: Int, subX: Int, subY: Int) -> [UInt8] {
        let cw = (width + subX) >> subX, chh = (height + subY) >> subY
        var out = [UInt8](repeating: 0, count: cw * chh)
        for cy in 0..<chh {
            for cx in 0..<cw {
                var sum: Float = 0, count: Float = 0
                for dy in 0...subY {
                    for dx in 0...subX {
                        let yy = min(cy << subY | dy, height - 1), xx = min(cx << subX | dx, width - 1)
                        sum += plane[yy * width + xx]; count += 1
                    }
                }
                out[cy * cw + cx] = FloatRGBToYCbCr.code(sum / count)
            }
        }
        return out
    }
}
