import Raster

/// The component planes of a JPEG frame: colour converted, edge-padded to whole MCUs and downsampled.
struct JPEGPlanes {
    struct Component {
        let id: UInt8
        let horizontal: Int
        let vertical: Int
        let quantTable: Int
        /// Samples, `blocksWide * 8` by `blocksHigh * 8` (covering whole MCUs).
        var samples: [UInt8]
        let blocksWide: Int
        let blocksHigh: Int
        /// Blocks that hold image data (T.81 §A.2.2: a non-interleaved scan covers only these).
        let dataBlocksWide: Int
        let dataBlocksHigh: Int
    }

    var components: [Component] = []
    let mcusWide: Int
    let mcusHigh: Int
    let maxHorizontal: Int
    let maxVertical: Int

    init(_ raster: Raster, subsampling: ChromaSubsampling) {
        let width = raster.width, height = raster.height
        let isColor = raster.layout.isColor
        let (h, v): (Int, Int) = !isColor ? (1, 1) : subsampling == .s420 ? (2, 2) : subsampling == .s422 ? (2, 1) : (1, 1)
        maxHorizontal = h; maxVertical = v
        mcusWide = (width + 8 * h - 1) / (8 * h)
        mcusHigh = (height + 8 * v - 1) / (8 * v)
        let paddedWidth = mcusWide * 8 * h, paddedHeight = mcusHigh * 8 * v
        let planes = Self.convert(raster, paddedWidth: paddedWidth, paddedHeight: paddedHeight)
        for (index, plane) in planes.enumerated() {
            let ch = index == 0 ? h : 1, cv = index == 0 ? v : 1
            let samples = (ch == h && cv == v) ? plane
                : Self.downsample(plane, width: paddedWidth, height: paddedHeight, byX: h / ch, byY: v / cv)
            // T.81 §A.1.1: component dimensions are ceil(X * Hi / Hmax), ceil(Y * Vi / Vmax).
            let componentWidth = (width * ch + h - 1) / h, componentHeight = (height * cv + v - 1) / v
            components.append(Component(id: UInt8(index + 1), horizontal: ch, vertical: cv, quantTable: index == 0 ? 0 : 1,
                                        samples: samples, blocksWide: mcusWide * ch, blocksHigh: mcusHigh * cv,
                                        dataBlocksWide: (componentWidth + 7) / 8, dataBlocksHigh: (componentHeight + 7) / 8))
        }
    }

    /// Y (and Cb, Cr for colour input) planes of the padded size; the last column and row are repeated into the
    /// padding. Alpha is ignored. RGB→YCbCr as JFIF 1.02 defines it, in 16-bit fixed point.
    private static func convert(_ raster: Raster, paddedWidth: Int, paddedHeight: Int) -> [[UInt8]] {
        let image = raster.bitDepth == .eight ? raster : raster.to8Bit()
        let width = image.width, height = image.height, n = image.channels
        let isColor = image.layout.isColor
        let count = paddedWidth * paddedHeight
        var y = [UInt8](repeating: 0, count: count)
        var cb = isColor ? [UInt8](repeating: 0, count: count) : []
        var cr = isColor ? [UInt8](repeating: 0, count: count) : []
        // The weights are positive and sum to 1 per output, so each result stays in 0...255 before the shift.
        func fix(_ x: Double) -> Int32 { Int32(x * 65536 + 0.5) }
        let yr = fix(0.299), yg = fix(0.587), yb = fix(0.114)
        let cbr = fix(0.168735892), cbg = fix(0.331264108), half = fix(0.5)
        let crg = fix(0.418687589), crb = fix(0.081312411)
        let rounding: Int32 = 32767, chromaOffset: Int32 = 128 << 16
        image.samples8.withUnsafeBufferPointer { src in
            y.withUnsafeMutableBufferPointer { yp in
                cb.withUnsafeMutableBufferPointer { cbp in
                    cr.withUnsafeMutableBufferPointer { crp in
                        for row in 0..<height {
                            var s = row * width * n
                            let o = row * paddedWidth
                            if !isColor {
                                for col in 0..<width { yp[o + col] = src[s]; s += n }
                                continue
                            }
                            for col in 0..<width {
                                let r = Int32(src[s]), g = Int32(src[s + 1]), b = Int32(src[s + 2])
                                s += n
                                yp[o + col] = UInt8(truncatingIfNeeded: (yr * r + yg * g + yb * b + rounding + 1) >> 16)
                                cbp[o + col] = UInt8(truncatingIfNeeded: (half * b - cbr * r - cbg * g + chromaOffset + rounding) >> 16)
                                crp[o + col] = UInt8(truncatingIfNeeded: (half * r - crg * g - crb * b + chromaOffset + rounding) >> 16)
                            }
                        }
                        // Padding: repeat the last column, then the last row.
                        for plane in [yp, cbp, crp] where plane.count == count {
                            for row in 0..<height {
                                let o = row * paddedWidth
                                let edge = plane[o + width - 1]
                                for col in width..<paddedWidth { plane[o + col] = edge }
                            }
                            for row in height..<paddedHeight {
                                for col in 0..<paddedWidth { plane[row * paddedWidth + col] = plane[(height - 1) * paddedWidth + col] }
                            }
                        }
                    }
                }
            }
        }
        return isColor ? [y, cb, cr] : [y]
    }

    /// Box-filter downsampling by 2 in x and/or y; the rounding bias alternates between neighbouring outputs so it
    /// averages out instead of drifting the plane up.
    private static func downsample(_ plane: [UInt8], width: Int, height: Int, byX: Int, byY: Int) -> [UInt8] {
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
}
