import Raster
import Glibc

/// The VP8L predictor transform (RFC 9649 §4.1): each tile picks one of the 14 predictors, the one whose
/// residuals cost the fewest bits under the statistics of the residuals chosen so far (plus a pull towards the
/// modes of the left and upper tiles, which keeps the mode image cheap).
enum VP8LPredictor {
    /// Bits subtracted from a mode's cost when the left or the upper tile uses the same mode.
    static let neighbourBias: Float = 12

    /// Bits per residual value for each channel, from the residuals chosen so far (plus a prior favouring small
    /// residuals), as a flat 4 × 256 table.
    static func costTable(_ histogram: UnsafePointer<UInt32>) -> [Float] {
        var table = [Float](repeating: 0, count: 1024)
        for c in 0..<4 {
            var total = 0.0
            var weights = [Double](repeating: 0, count: 256)
            for v in 0..<256 {
                let signed = v < 128 ? v : 256 - v
                weights[v] = Double(histogram[c * 256 + v]) + 8.0 / Double(1 + signed)
                total += weights[v]
            }
            for v in 0..<256 { table[c * 256 + v] = Float(log2(total / weights[v])) }
        }
        return table
    }

    /// Chooses a mode per tile and returns (modes image, residual image). Tile rows split in two fixed halves that
    /// run on both cores, each with its own running statistics (so the result does not depend on the threads).
    static func apply(_ pixels: [UInt32], width: Int, height: Int, tileBits: Int,
                      modes candidateModes: [Int]) -> (modes: [UInt32], residuals: [UInt32]) {
        let tileSize = 1 << tileBits
        let tilesX = (width + tileSize - 1) >> tileBits
        let tilesY = (height + tileSize - 1) >> tileBits
        var modeImage = [UInt32](repeating: 0xff00_0000, count: tilesX * tilesY)
        var residuals = [UInt32](repeating: 0, count: pixels.count)
        let parts = tilesY >= 8 ? 2 : 1
        pixels.withUnsafeBufferPointer { src in
            modeImage.withUnsafeMutableBufferPointer { modeOut in
                residuals.withUnsafeMutableBufferPointer { resOut in
                    let p = src.baseAddress!
                    let modes = modeOut.baseAddress!
                    let out = resOut.baseAddress!
                    Job.parallelFor(parts) { part in
                        var histogram = [UInt32](repeating: 0, count: 1024)
                        var table = histogram.withUnsafeBufferPointer { costTable($0.baseAddress!) }
                        var scratch = [UInt32](repeating: 0, count: tileSize)
                        for ty in (part * tilesY / parts)..<((part + 1) * tilesY / parts) {
                            if Job.current.isStopped { break }  // the encoder's checkpoint throws
                            let y0 = ty << tileBits, y1 = min(height, y0 + tileSize)
                            for tx in 0..<tilesX {
                                let x0 = tx << tileBits, x1 = min(width, x0 + tileSize)
                                // The top row and the left column predict the same way under every mode.
                                let inner = max(x0, 1)
                                let rowStart = max(y0, 1)
                                let left = tx > 0 ? Int((modes[ty * tilesX + tx - 1] >> 8) & 0xff) : -1
                                let above = ty > 0 ? Int((modes[(ty - 1) * tilesX + tx] >> 8) & 0xff) : -1
                                var bestMode = candidateModes[0]
                                var bestCost = Float.infinity
                                table.withUnsafeBufferPointer { costBuffer in
                                    scratch.withUnsafeMutableBufferPointer { scratchBuffer in
                                        let c = costBuffer.baseAddress!, s = scratchBuffer.baseAddress!
                                        for mode in candidateModes {
                                            var bits: Float = 0
                                            if mode == left { bits -= neighbourBias }
                                            if mode == above { bits -= neighbourBias }
                                            var y = rowStart
                                            while y < y1 && inner < x1 {
                                                VP8LPredictorKernels.residuals(mode: mode, p, start: y * width + inner,
                                                                               count: x1 - inner, width: width, out: s)
                                                for k in 0..<(x1 - inner) {
                                                    let r = s[k]
                                                    bits += c[Int(r >> 24)] + c[256 + Int((r >> 16) & 0xff)]
                                                        + c[512 + Int((r >> 8) & 0xff)] + c[768 + Int(r & 0xff)]
                                                }
                                                if bits >= bestCost { break }
                                                y += 1
                                            }
                                            if bits < bestCost { bestCost = bits; bestMode = mode }
                                        }
                                    }
                                }
                                modes[ty * tilesX + tx] = 0xff00_0000 | UInt32(bestMode) << 8
                                histogram.withUnsafeMutableBufferPointer { hb in
                                    let h = hb.baseAddress!
                                    for y in y0..<y1 {
                                        let row = out + y * width
                                        if y == 0 || x0 == 0 {
                                            for x in x0..<(y == 0 ? x1 : 1) {
                                                row[x] = VP8LPredictorKernels.residual(p, x: x, y: y, width: width, mode: bestMode)
                                            }
                                        }
                                        if y > 0 && inner < x1 {
                                            VP8LPredictorKernels.residuals(mode: bestMode, p, start: y * width + inner,
                                                                           count: x1 - inner, width: width, out: row + inner)
                                        }
                                        for x in x0..<x1 {
                                            let r = row[x]
                                            h[Int(r >> 24)] &+= 1
                                            h[256 + Int((r >> 16) & 0xff)] &+= 1
                                            h[512 + Int((r >> 8) & 0xff)] &+= 1
                                            h[768 + Int(r & 0xff)] &+= 1
                                        }
                                    }
                                }
                            }
                            table = histogram.withUnsafeBufferPointer { costTable($0.baseAddress!) }
                        }
                    }
                }
            }
        }
        return (modeImage, residuals)
    }
}
