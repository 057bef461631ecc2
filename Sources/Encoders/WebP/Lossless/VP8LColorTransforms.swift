import Glibc
import Raster

/// The VP8L colour transforms other than the predictor: subtract-green (RFC 9649 §4.3), cross-colour (§4.2) and
/// colour indexing with pixel bundling (§4.4).
enum VP8LColorTransforms {
    // MARK: Subtract green

    /// red −= green, blue −= green (mod 256), in place.
    static func subtractGreen(_ pixels: inout [UInt32]) {
        pixels.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count {
                let v = p[i]
                let green = (v >> 8) & 0xff
                let redBlue = (0x0100_0100 &+ (v & 0x00ff_00ff) &- (green << 16 | green)) & 0x00ff_00ff
                p[i] = (v & 0xff00_ff00) | redBlue
            }
        }
    }

    // MARK: Cross colour

    /// ColorTransformDelta (RFC 9649 §4.2): signed 3.5 fixed-point product.
    @inline(__always) static func delta(_ t: Int, _ c: Int) -> Int { (t * c) >> 5 }

    @inline(__always) static func signed(_ v: UInt32) -> Int { Int(Int8(truncatingIfNeeded: v)) }

    /// Chooses green_to_red, green_to_blue and red_to_blue per tile and transforms `pixels` in place; returns the
    /// transform image (red_to_blue in red, green_to_blue in green, green_to_red in blue).
    static func crossColor(_ pixels: inout [UInt32], width: Int, height: Int, tileBits: Int) -> [UInt32] {
        let tileSize = 1 << tileBits
        let tilesX = (width + tileSize - 1) >> tileBits
        let tilesY = (height + tileSize - 1) >> tileBits
        var elements = [UInt32](repeating: 0xff00_0000, count: tilesX * tilesY)
        let parts = tilesY >= 8 ? 2 : 1
        pixels.withUnsafeMutableBufferPointer { buffer in
            elements.withUnsafeMutableBufferPointer { elementBuffer in
                let p = buffer.baseAddress!
                let out = elementBuffer.baseAddress!
                Job.parallelFor(parts) { part in
                    var redHistogram = [UInt32](repeating: 0, count: 256)
                    var blueHistogram = [UInt32](repeating: 0, count: 256)
                    var redCost = residualCosts(redHistogram)
                    var blueCost = residualCosts(blueHistogram)
                    var previous = (0, 0, 0)
                    for ty in (part * tilesY / parts)..<((part + 1) * tilesY / parts) {
                        if Job.current.isStopped { break }  // the encoder's checkpoint throws
                        let y0 = ty << tileBits, y1 = min(height, y0 + tileSize)
                        for tx in 0..<tilesX {
                            let x0 = tx << tileBits, x1 = min(width, x0 + tileSize)
                            func redBits(_ g2r: Int) -> Float {
                                var bits: Float = 0
                                for y in y0..<y1 {
                                    for x in x0..<x1 {
                                        let v = p[y * width + x]
                                        let r = Int((v >> 16) & 0xff) - delta(g2r, signed(v >> 8))
                                        bits += redCost[r & 0xff]
                                    }
                                }
                                return bits
                            }
                            func blueBits(_ g2b: Int, _ r2b: Int) -> Float {
                                var bits: Float = 0
                                for y in y0..<y1 {
                                    for x in x0..<x1 {
                                        let v = p[y * width + x]
                                        let b = Int(v & 0xff) - delta(g2b, signed(v >> 8)) - delta(r2b, signed(v >> 16))
                                        bits += blueCost[b & 0xff]
                                    }
                                }
                                return bits
                            }
                            let g2r = descend(start: previous.0) { redBits($0) }
                            let g2b = descend(start: previous.1) { blueBits($0, previous.2) }
                            let r2b = descend(start: previous.2) { blueBits(g2b, $0) }
                            previous = (g2r, g2b, r2b)
                            out[ty * tilesX + tx] = 0xff00_0000 | UInt32(UInt8(truncatingIfNeeded: r2b)) << 16
                                | UInt32(UInt8(truncatingIfNeeded: g2b)) << 8 | UInt32(UInt8(truncatingIfNeeded: g2r))
                            for y in y0..<y1 {
                                for x in x0..<x1 {
                                    let v = p[y * width + x]
                                    let g = signed(v >> 8), r = signed(v >> 16)
                                    let newRed = (Int((v >> 16) & 0xff) - delta(g2r, g)) & 0xff
                                    let newBlue = (Int(v & 0xff) - delta(g2b, g) - delta(r2b, r)) & 0xff
                                    p[y * width + x] = (v & 0xff00_ff00) | UInt32(newRed) << 16 | UInt32(newBlue)
                                    redHistogram[newRed] += 1
                                    blueHistogram[newBlue] += 1
                                }
                            }
                        }
                        redCost = residualCosts(redHistogram)
                        blueCost = residualCosts(blueHistogram)
                    }
                }
            }
        }
        return elements
    }

    /// Coarse-to-fine search of an int8 parameter around `start` (steps 32, 16, ..., 1), keeping 0 as a candidate.
    private static func descend(start: Int, _ cost: (Int) -> Float) -> Int {
        var best = start
        var bestCost = cost(start)
        if start != 0 {
            let zero = cost(0)
            if zero <= bestCost { best = 0; bestCost = zero }
        }
        var step = 32
        while step >= 1 {
            for candidate in [best - step, best + step] where candidate >= -128 && candidate <= 127 {
                let c = cost(candidate)
                if c < bestCost { bestCost = c; best = candidate }
            }
            step >>= 1
        }
        return best
    }

    /// Bits per value from a running histogram, with a prior that favours values near 0 (mod 256).
    private static func residualCosts(_ histogram: [UInt32]) -> [Float] {
        var weights = [Float](repeating: 0, count: 256)
        var total: Float = 0
        for v in 0..<256 {
            let distance = v < 128 ? v : 256 - v
            weights[v] = Float(histogram[v]) + 4 / Float(1 + distance)
            total += weights[v]
        }
        return weights.map { log2f(total / $0) }
    }

    // MARK: Colour indexing

    /// The sorted distinct colours of `pixels` when there are at most 256, else nil.
    static func palette(of pixels: [UInt32]) -> [UInt32]? {
        var table = [UInt64](repeating: UInt64.max, count: 1024)
        var colors: [UInt32] = []
        var last: UInt64 = UInt64.max
        for v in pixels {
            if UInt64(v) == last { continue }
            last = UInt64(v)
            var slot = Int((v &* 0x9E37_79B1) >> 22)
            while true {
                if table[slot] == UInt64(v) { break }
                if table[slot] == UInt64.max {
                    if colors.count == 256 { return nil }
                    table[slot] = UInt64(v)
                    colors.append(v)
                    break
                }
                slot = (slot + 1) & 1023
            }
        }
        return colors.sorted()
    }

    /// The sorted palette reordered so that consecutive entries differ little: the table is stored delta-coded
    /// (§4.4), and a sorted table of colours that vary in several channels at once leaves deltas of every size.
    /// Greedy walk from the first entry to the nearest remaining one, the distance being the sum over the four
    /// channels of the wrapped absolute delta.
    static func deltaMinimizingOrder(_ sorted: [UInt32]) -> [UInt32] {
        var left = sorted
        var out: [UInt32] = []
        out.reserveCapacity(sorted.count)
        var current = left.removeFirst()
        out.append(current)
        @inline(__always) func distance(_ a: UInt32, _ b: UInt32) -> Int {
            let delta = VP8LPredictorKernels.subtractPixels(a, b)   // the per-channel deltas the table stores
            var sum = 0
            for shift in stride(from: 0, to: 32, by: 8) {
                let d = Int((delta >> UInt32(shift)) & 0xff)
                sum += min(d, 256 - d)
            }
            return sum
        }
        while !left.isEmpty {
            var best = 0
            var bestDistance = Int.max
            for (k, c) in left.enumerated() {
                let d = distance(c, current)
                if d < bestDistance { bestDistance = d; best = k }
            }
            current = left.remove(at: best)
            out.append(current)
        }
        return out
    }

    /// Pixel-bundling shift for a palette of `count` colours (RFC 9649 §4.4).
    static func bundleBits(paletteCount count: Int) -> Int {
        count <= 2 ? 3 : (count <= 4 ? 2 : (count <= 16 ? 1 : 0))
    }

    /// Replaces pixels by their palette index (in green) and bundles 2, 4 or 8 indices per pixel for small
    /// palettes; returns the packed image and its width.
    static func indexImage(_ pixels: [UInt32], width: Int, height: Int, palette: [UInt32]) -> (pixels: [UInt32], width: Int) {
        var keys = [UInt64](repeating: UInt64.max, count: 1024)
        var values = [UInt8](repeating: 0, count: 1024)
        for (index, color) in palette.enumerated() {
            var slot = Int((color &* 0x9E37_79B1) >> 22)
            while keys[slot] != UInt64.max { slot = (slot + 1) & 1023 }
            keys[slot] = UInt64(color); values[slot] = UInt8(index)
        }
        let bits = bundleBits(paletteCount: palette.count)
        let perPixel = 1 << bits
        let indexBits = 8 >> bits
        let packedWidth = (width + perPixel - 1) >> bits
        var packed = [UInt32](repeating: 0xff00_0000, count: packedWidth * height)
        var lastColor = UInt64.max
        var lastIndex: UInt32 = 0
        for y in 0..<height {
            for x in 0..<width {
                let v = pixels[y * width + x]
                if UInt64(v) != lastColor {
                    var slot = Int((v &* 0x9E37_79B1) >> 22)
                    while keys[slot] != UInt64(v) { slot = (slot + 1) & 1023 }
                    lastColor = UInt64(v); lastIndex = UInt32(values[slot])
                }
                let shift = UInt32((x & (perPixel - 1)) * indexBits + 8)
                packed[y * packedWidth + (x >> bits)] |= lastIndex << shift
            }
        }
        return (packed, packedWidth)
    }

    /// The colour table as stored: each entry minus the previous one per channel (RFC 9649 §4.4).
    static func deltaCodedPalette(_ palette: [UInt32]) -> [UInt32] {
        var out = palette
        for i in stride(from: palette.count - 1, to: 0, by: -1) {
            out[i] = VP8LPredictorKernels.subtractPixels(palette[i], palette[i - 1])
        }
        return out
    }
}
