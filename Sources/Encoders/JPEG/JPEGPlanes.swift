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
                : ChromaDownsampling.boxAlternatingBias(plane, width: paddedWidth, height: paddedHeight, byX: h / ch, byY: v / cv)
            // T.81 §A.1.1: component dimensions are ceil(X * Hi / Hmax), ceil(Y * Vi / Vmax).
            let componentWidth = (width * ch + h - 1) / h, componentHeight = (height * cv + v - 1) / v
            components.append(Component(id: UInt8(index + 1), horizontal: ch, vertical: cv, quantTable: index == 0 ? 0 : 1,
                                        samples: samples, blocksWide: mcusWide * ch, blocksHigh: mcusHigh * cv,
                                        dataBlocksWide: (componentWidth + 7) / 8, dataBlocksHigh: (componentHeight + 7) / 8))
        }
    }

    /// Y (and Cb, Cr for colour input) planes of the padded size; the last column and row are repeated into the
    /// padding. Alpha is ignored. RGB→YCbCr as JFIF 1.02 defines it, in libjpeg's 16-bit fixed point
    /// (`FixedPointRGBToYCbCr.jfif`).
    private static func convert(_ raster: Raster, paddedWidth: Int, paddedHeight: Int) -> [[UInt8]] {
        let image = raster.bitDepth == .eight ? raster : raster.to8Bit()
        let width = image.width, height = image.height, n = image.channels
        let isColor = image.layout.isColor
        let count = paddedWidth * paddedHeight
        var y = [UInt8](repeating: 0, count: count)
        var cb = isColor ? [UInt8](repeating: 0, count: count) : []
        var cr = isColor ? [UInt8](repeating: 0, count: count) : []
        let matrix = FixedPointRGBToYCbCr.jfif
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
                                yp[o + col] = matrix.y(r, g, b)
                                cbp[o + col] = matrix.cb(r, g, b)
                                crp[o + col] = matrix.cr(r, g, b)
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
}
