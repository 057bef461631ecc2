import Raster
import Glibc

/// The VP8L predictor transform (RFC 9649 §4.1): each tile of the image picks one of the 14 predictors; the
/// encoder stores the residual pixel − prediction per channel (mod 256).
enum VP8LPredictor {
    @inline(__always) static func average2(_ a: UInt32, _ b: UInt32) -> UInt32 {
        (((a ^ b) & 0xfefe_fefe) >> 1) &+ (a & b)
    }

    @inline(__always) static func channel(_ p: UInt32, _ shift: UInt32) -> Int { Int((p >> shift) & 0xff) }

    @inline(__always) static func select(_ l: UInt32, _ t: UInt32, _ tl: UInt32) -> UInt32 {
        // RFC 9649 §4.1: Manhattan distances of the gradient estimate L + T − TL to L and to T.
        var pl = 0, pt = 0
        var shift: UInt32 = 0
        while shift < 32 {
            let estimate = channel(l, shift) + channel(t, shift) - channel(tl, shift)
            pl += abs(estimate - channel(l, shift))
            pt += abs(estimate - channel(t, shift))
            shift += 8
        }
        return pl < pt ? l : t
    }

    @inline(__always) static func clamp255(_ v: Int) -> UInt32 { UInt32(v < 0 ? 0 : (v > 255 ? 255 : v)) }

    @inline(__always) static func clampAddSubtractFull(_ a: UInt32, _ b: UInt32, _ c: UInt32) -> UInt32 {
        var out: UInt32 = 0
        var shift: UInt32 = 0
        while shift < 32 {
            out |= clamp255(channel(a, shift) + channel(b, shift) - channel(c, shift)) << shift
            shift += 8
        }
        return out
    }

    @inline(__always) static func clampAddSubtractHalf(_ a: UInt32, _ b: UInt32) -> UInt32 {
        var out: UInt32 = 0
        var shift: UInt32 = 0
        while shift < 32 {
            let ca = channel(a, shift)
            out |= clamp255(ca + (ca - channel(b, shift)) / 2) << shift
            shift += 8
        }
        return out
    }

    /// Prediction of mode `mode` (0...13) from the left, top, top-left and top-right neighbours.
    @inline(__always)
    static func predict(_ mode: Int, l: UInt32, t: UInt32, tl: UInt32, tr: UInt32) -> UInt32 {
        switch mode {
        case 0: return 0xff00_0000
        case 1: return l
        case 2: return t
        case 3: return tr
        case 4: return tl
        case 5: return average2(average2(l, tr), t)
        case 6: return average2(l, tl)
        case 7: return average2(l, t)
        case 8: return average2(tl, t)
        case 9: return average2(t, tr)
        case 10: return average2(average2(l, tl), average2(t, tr))
        case 11: return select(l, t, tl)
        case 12: return clampAddSubtractFull(l, t, tl)
        default: return clampAddSubtractHalf(average2(l, t), tl)
        }
    }

    /// Per-channel a − b (mod 256).
    @inline(__always) static func subtractPixels(_ a: UInt32, _ b: UInt32) -> UInt32 {
        let alphaGreen = 0x00ff_00ff &+ (a & 0xff00_ff00) &- (b & 0xff00_ff00)
        let redBlue = 0xff00_ff00 &+ (a & 0x00ff_00ff) &- (b & 0x00ff_00ff)
        return (alphaGreen & 0xff00_ff00) | (redBlue & 0x00ff_00ff)
    }

    /// Residual of the pixel at (x, y) under `mode`, with the border rules of RFC 9649 §4.1 (top-left: black,
    /// top row: L, left column: T; the top-right of the last column is the row's first pixel, i.e. index − w + 1).
    @inline(__always)
    static func residual(_ p: UnsafePointer<UInt32>, x: Int, y: Int, width: Int, mode: Int) -> UInt32 {
        let i = y * width + x
        let prediction: UInt32
        if y == 0 {
            prediction = x == 0 ? 0xff00_0000 : p[i - 1]
        } else if x == 0 {
            prediction = p[i - width]
        } else {
            prediction = predict(mode, l: p[i - 1], t: p[i - width], tl: p[i - width - 1], tr: p[i - width + 1])
        }
        return subtractPixels(p[i], prediction)
    }

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

    /// Chooses a mode per tile and returns (modes image, residual image). Tile rows split in two halves that run
    /// on both cores, each with its own running statistics.
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
                    let modesPtr = modeOut.baseAddress!
                    let out = resOut.baseAddress!
                    Job.parallelFor(parts) { part in
                        let firstRow = part * tilesY / parts, endRow = (part + 1) * tilesY / parts
                        var histogram = [UInt32](repeating: 0, count: 1024)
                        var table = histogram.withUnsafeBufferPointer { costTable($0.baseAddress!) }
                        for ty in firstRow..<endRow {
                            if Job.current.isStopped { break }  // the encoder's checkpoint throws
                            let y0 = ty << tileBits, y1 = min(height, y0 + tileSize)
                            for tx in 0..<tilesX {
                                let x0 = tx << tileBits, x1 = min(width, x0 + tileSize)
                                var bestMode = candidateModes[0]
                                var bestCost = Float.infinity
                                table.withUnsafeBufferPointer { cost in
                                    let c = cost.baseAddress!
                                    for mode in candidateModes {
                                        var bits: Float = 0
                                        for y in y0..<y1 {
                                            for x in x0..<x1 {
                                                let r = residual(p, x: x, y: y, width: width, mode: mode)
                                                bits += c[Int(r >> 24)] + c[256 + Int((r >> 16) & 0xff)]
                                                    + c[512 + Int((r >> 8) & 0xff)] + c[768 + Int(r & 0xff)]
                                            }
                                            if bits >= bestCost { break }
                                        }
                                        if bits < bestCost { bestCost = bits; bestMode = mode }
                                    }
                                }
                                modesPtr[ty * tilesX + tx] = 0xff00_0000 | UInt32(bestMode) << 8
                                for y in y0..<y1 {
                                    for x in x0..<x1 {
                                        let r = residual(p, x: x, y: y, width: width, mode: bestMode)
                                        out[y * width + x] = r
                                        histogram[Int(r >> 24)] += 1
                                        histogram[256 + Int((r >> 16) & 0xff)] += 1
                                        histogram[512 + Int((r >> 8) & 0xff)] += 1
                                        histogram[768 + Int(r & 0xff)] += 1
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
