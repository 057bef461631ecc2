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
        func fix(_ x: Double) -> Int { Int(x * 65536 + 0.5) }
        let yr = fix(0.299), yg = fix(0.587), yb = fix(0.114)
        let cbr = fix(0.168735892), cbg = fix(0.331264108), half = fix(0.5)
        let crg = fix(0.418687589), crb = fix(0.081312411)
        let rounding = 32767, chromaOffset = 128 << 16
        image.samples8.withUnsafeBufferPointer { src in
            y.withUnsafeMutableBufferPointer { yp in
                cb.withUnsafeMutableBufferPointer { cbp in
                    cr.withUnsafeMutableBufferPointer { crp in
                        for row in 0..<paddedHeight {
                            let sy = min(row, height - 1)
                            for col in 0..<paddedWidth {
                                let sx = min(col, width - 1)
                                let s = (sy * width + sx) * n
                                let o = row * paddedWidth + col
                                if !isColor { yp[o] = src[s]; continue }
                                let r = Int(src[s]), g = Int(src[s + 1]), b = Int(src[s + 2])
                                yp[o] = UInt8((yr * r + yg * g + yb * b + rounding + 1) >> 16)
                                cbp[o] = UInt8(clamping: (-cbr * r - cbg * g + half * b + chromaOffset + rounding) >> 16)
                                crp[o] = UInt8(clamping: (half * r - crg * g - crb * b + chromaOffset + rounding) >> 16)
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
                    for ox in 0..<outWidth {
                        var sum = 0
                        for dy in 0..<byY {
                            let rowStart = (oy * byY + dy) * width + ox * byX
                            for dx in 0..<byX { sum += Int(src[rowStart + dx]) }
                        }
                        let bias = area == 4 ? 1 + (ox & 1) : area == 2 ? (ox & 1) : 0
                        dst[oy * outWidth + ox] = UInt8((sum + bias) >> shift)
                    }
                }
            }
        }
        return out
    }
}
