import Raster

/// Emits RGB(A) rows from YUV 4:2:0 planes as they become final, in dwebp's order: row 0 alone (its chroma row
/// paired with itself), then rows (2k-1, 2k) from chroma rows k-1 and k, and for an even height the last row alone.
struct WebPFancyRowEmitter {
    let width: Int
    let height: Int
    let channels: Int
    /// Next output row to produce.
    private(set) var nextRow = 0
    /// Upsampled chroma of the two rows being produced: U top, V top, U bottom, V bottom.
    private var chroma: [UInt8]

    init(width: Int, height: Int, channels: Int) {
        self.width = width; self.height = height; self.channels = channels
        chroma = [UInt8](repeating: 0, count: 4 * width)
    }

    /// Emits every row whose luma rows are below `lumaRows` and chroma rows below `chromaRows` (both final), reading
    /// the planes' rows from `planes`. `alpha` is the full alpha plane for RGBA output (nil: opaque).
    mutating func emit(lumaRows: Int, chromaRows: Int, planes: VP8PlaneRing, alpha: UnsafePointer<UInt8>?,
                       out: UnsafeMutablePointer<UInt8>) {
        let width = self.width, channels = self.channels, outStride = width * channels
        chroma.withUnsafeMutableBufferPointer { buffer in
            let uTop = buffer.baseAddress!, vTop = uTop + width, uBottom = vTop + width, vBottom = uBottom + width
            /// Rows `row` (and `row + 1` when `pair`) from chroma rows `above` and `below`.
            func produce(_ row: Int, pair: Bool, above: Int, below: Int) {
                WebPFancyUpsampler.upsampleRows(top: planes.chromaRow(planes.u, above), current: planes.chromaRow(planes.u, below),
                                                topOut: uTop, bottomOut: pair ? uBottom : nil, width: width)
                WebPFancyUpsampler.upsampleRows(top: planes.chromaRow(planes.v, above), current: planes.chromaRow(planes.v, below),
                                                topOut: vTop, bottomOut: pair ? vBottom : nil, width: width)
                WebPFancyUpsampler.convertRow(y: planes.lumaRow(row), u: uTop, v: vTop, alpha: alpha.map { $0 + row * width },
                                              out: out + row * outStride, count: width, channels: channels)
                if pair {
                    WebPFancyUpsampler.convertRow(y: planes.lumaRow(row + 1), u: uBottom, v: vBottom,
                                                  alpha: alpha.map { $0 + (row + 1) * width },
                                                  out: out + (row + 1) * outStride, count: width, channels: channels)
                }
            }
            if nextRow == 0 && lumaRows >= 1 && chromaRows >= 1 {
                produce(0, pair: false, above: 0, below: 0)
                nextRow = 1
            }
            guard nextRow > 0 else { return }
            while nextRow + 1 < height {
                let k = (nextRow + 1) / 2
                guard nextRow + 1 < lumaRows, k < chromaRows else { return }
                produce(nextRow, pair: true, above: k - 1, below: k)
                nextRow += 2
            }
            // Even height: the last row pairs the last chroma row with itself.
            let k = (height - 1) / 2
            if nextRow == height - 1 && lumaRows >= height && k < chromaRows {
                produce(nextRow, pair: false, above: k, below: k)
                nextRow += 1
            }
        }
    }
}
