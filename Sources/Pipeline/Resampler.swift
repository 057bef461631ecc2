import Raster

/// Separable Lanczos-3 resampling on premultiplied alpha, 8- and 16-bit (SPEC §2.1).
///
/// Two passes over `FilterBank` weights: horizontal (each needed source row → an intermediate row of the output
/// width, in premultiplied Float), then vertical (each output row = weighted sum of intermediate rows, a loop the
/// compiler vectorises). Output rows are processed in strips spread across cores. Colour is premultiplied by alpha before filtering so
/// transparent pixels (whose colour is meaningless) cannot bleed dark fringes into opaque ones; results are clamped
/// (alpha to [0, max], colour to [0, alpha]) so Lanczos' negative lobes cannot ring past the valid range.
public enum Resampler {
    /// Resamples `window` of `raster` (in its pixel coordinates) to `width`×`height`.
    public static func resample(_ raster: Raster, window: SourceWindow, width: Int, height: Int) throws -> Raster {
        guard width >= 1, height >= 1, window.width > 0, window.height > 0, window.x >= 0, window.y >= 0,
              window.x + window.width <= Double(raster.width) + 1e-6,
              window.y + window.height <= Double(raster.height) + 1e-6 else {
            throw CodecError(codec: "resampler", kind: .malformed,
                             message: "cannot resample a \(window.width)x\(window.height) window of a \(raster.width)x\(raster.height) image to \(width)x\(height)")
        }
        let horizontal = FilterBank(sourceLength: raster.width, outputCount: width, windowStart: window.x, windowLength: window.width)
        let vertical = FilterBank(sourceLength: raster.height, outputCount: height, windowStart: window.y, windowLength: window.height)
        var out = raster
        out.isPremultiplied = false
        if raster.bitDepth == .eight {
            let samples: [UInt8] = run(raster.samples8, raster: raster, horizontal: horizontal, vertical: vertical)
            out.reshape(width: width, height: height, layout: raster.layout, bitDepth: .eight, samples8: samples)
        } else {
            let samples: [UInt16] = run(raster.samples16, raster: raster, horizontal: horizontal, vertical: vertical)
            out.reshape(width: width, height: height, layout: raster.layout, bitDepth: .sixteen, samples16: samples)
        }
        try Job.checkpoint()
        return out
    }

    /// Resizes the whole image.
    public static func resize(_ raster: Raster, width: Int, height: Int) throws -> Raster {
        try resample(raster, window: SourceWindow(x: 0, y: 0, width: Double(raster.width), height: Double(raster.height)),
                     width: width, height: height)
    }

    /// Output rows per work item. Each item filters horizontally only the source rows its outputs need, so memory
    /// stays at a strip (not a whole intermediate image: a 50 MP source would need 800 MB of Float pixels) and the
    /// items run in parallel; the re-filtered overlap between strips costs about 6 / stripRows of the horizontal pass.
    static let stripRows = 32

    private static func run<T: FixedWidthInteger & UnsignedInteger>(_ source: [T], raster: Raster,
                                                                    horizontal h: FilterBank, vertical v: FilterBank) -> [T] {
        let outW = h.outputCount, outH = v.outputCount
        let columns = h.firstSource..<h.endSource
        let layout = raster.layout
        let channels = raster.channels
        let stride = raster.rowStride
        let maxValue = Float(raster.bitDepth.maxValue)
        let strips = (outH + stripRows - 1) / stripRows

        return [T](unsafeUninitializedCapacity: outW * outH * channels) { out, count in
            count = 0
            source.withUnsafeBufferPointer { src in
            h.weights.withUnsafeBufferPointer { hw in
            h.starts.withUnsafeBufferPointer { hs in
            h.counts.withUnsafeBufferPointer { hc in
            v.weights.withUnsafeBufferPointer { vw in
            v.starts.withUnsafeBufferPointer { vs in
            v.counts.withUnsafeBufferPointer { vc in
                guard let sp = src.baseAddress, let op = out.baseAddress, let hwp = hw.baseAddress, let vwp = vw.baseAddress else { return }
                Parallel.forEach(strips) { strip in
                    if Job.current.isStopped { return }  // `resample` throws at its checkpoint
                    let y0 = strip * stripRows, y1 = min(outH, y0 + stripRows)
                    var firstRow = Int.max, endRow = 0
                    for y in y0..<y1 { firstRow = min(firstRow, vs[y]); endRow = max(endRow, vs[y] + vc[y]) }
                    let rows = endRow - firstRow
                    let middle = UnsafeMutablePointer<SIMD4<Float>>.allocate(capacity: rows * outW)
                    let line = UnsafeMutablePointer<SIMD4<Float>>.allocate(capacity: columns.count)
                    let acc = UnsafeMutablePointer<SIMD4<Float>>.allocate(capacity: outW)
                    defer { middle.deallocate(); line.deallocate(); acc.deallocate() }
                    // Horizontal: the strip's source rows → intermediate rows of the output width.
                    for r in 0..<rows {
                        Alpha.loadPremultiplied(sp + (firstRow + r) * stride + columns.lowerBound * channels, count: columns.count,
                             layout: layout, maxValue: maxValue, into: line)
                        let dst = middle + r * outW
                        for x in 0..<outW {
                            let w = hwp + x * h.taps
                            let s = line + (hs[x] - columns.lowerBound)
                            var sum = SIMD4<Float>(repeating: 0)
                            for t in 0..<hc[x] { sum += w[t] * s[t] }
                            dst[x] = sum
                        }
                    }
                    // Vertical: each output row is a weighted sum of intermediate rows (vectorised over x).
                    for y in y0..<y1 {
                        acc.initialize(repeating: SIMD4<Float>(repeating: 0), count: outW)
                        let w = vwp + y * v.taps
                        for t in 0..<vc[y] {
                            let weight = w[t]
                            let row = middle + (vs[y] - firstRow + t) * outW
                            for x in 0..<outW { acc[x] += weight * row[x] }
                        }
                        Alpha.storeUnpremultiplied(acc, count: outW, layout: layout, maxValue: maxValue, into: op + y * outW * channels)
                    }
                }
            }}}}}}}
            count = outW * outH * channels
        }
    }
}
