import Raster

/// The `ALPH` chunk of lossy files with transparency (WebP container spec, "Alpha"): the alpha plane, optionally
/// filtered by one of the level predictors, compressed as a headerless VP8L image stream with alpha in green.
enum WebPAlpha {
    enum Filter: Int, CaseIterable {
        case none = 0, horizontal = 1, vertical = 2, gradient = 3
    }

    /// The complete chunk payload: header byte (pre-processing 0, filter, compression 1) and the VP8L stream.
    static func encode(alpha: [UInt8], width: Int, height: Int, effort: Int) -> [UInt8] {
        // The estimate ignores that few levels code well through the palette, so from effort 3 the unfiltered
        // plane is tried too (on the other core).
        var candidates = [estimateBestFilter(alpha, width: width, height: height)]
        if effort >= 3 && candidates[0] != .none { candidates.append(.none) }
        var payloads = [[UInt8]](repeating: [], count: candidates.count)
        payloads.withUnsafeMutableBufferPointer { out in
            let slots = out.baseAddress!
            Job.parallelFor(candidates.count) { k in
                let filter = candidates[k]
                let filtered = apply(filter, to: alpha, width: width, height: height)
                let argb = filtered.map { 0xff00_0000 | UInt32($0) << 8 }
                let stream = VP8LEncoder.encodeImageStream(argb: argb, width: width, height: height, effort: effort)
                slots[k] = [UInt8(filter.rawValue << 2 | 1)] + stream
            }
        }
        return payloads.min { $0.count < $1.count }!
    }

    /// Residuals of `filter` (value − prediction mod 256) with the border rules of the container spec:
    /// (0, 0) predicts 0; the left column predicts from above and the top row from the left for the filters that
    /// would need a missing neighbour.
    static func apply(_ filter: Filter, to alpha: [UInt8], width: Int, height: Int) -> [UInt8] {
        if filter == .none { return alpha }
        var out = [UInt8](repeating: 0, count: alpha.count)
        alpha.withUnsafeBufferPointer { a in
            out.withUnsafeMutableBufferPointer { o in
                for y in 0..<height {
                    for x in 0..<width {
                        let i = y * width + x
                        let prediction: Int
                        if x == 0 && y == 0 {
                            prediction = 0
                        } else if y == 0 {
                            prediction = Int(a[i - 1])
                        } else if x == 0 {
                            prediction = Int(a[i - width])
                        } else {
                            switch filter {
                            case .horizontal: prediction = Int(a[i - 1])
                            case .vertical: prediction = Int(a[i - width])
                            default:
                                let g = Int(a[i - 1]) + Int(a[i - width]) - Int(a[i - width - 1])
                                prediction = g < 0 ? 0 : (g > 255 ? 255 : g)
                            }
                        }
                        o[i] = UInt8(truncatingIfNeeded: Int(a[i]) - prediction)
                    }
                }
            }
        }
        return out
    }

    /// The filter whose residuals have the lowest zeroth-order entropy (a cheap stand-in for the coded size).
    static func estimateBestFilter(_ alpha: [UInt8], width: Int, height: Int) -> Filter {
        var best = Filter.none
        var bestBits = Double.infinity
        for filter in Filter.allCases {
            var histogram = [UInt32](repeating: 0, count: 256)
            for v in apply(filter, to: alpha, width: width, height: height) { histogram[Int(v)] += 1 }
            // Few distinct values code well through the palette transform whatever their entropy.
            let bits = VP8LEntropy.shannonBits(histogram) * (filter == .none ? 0.97 : 1)
            if bits < bestBits { bestBits = bits; best = filter }
        }
        return best
    }
}
