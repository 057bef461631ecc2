#if canImport(Glibc)
import Glibc
#endif

/// Precomputed 1-D Lanczos-3 weights for one axis of a resize: for each output sample, the first source index,
/// the number of taps and the normalised weights.
///
/// Output sample i covers the source interval [start + i·s, start + (i+1)·s) with s = window / outputs; its centre
/// is sampled with the Lanczos-3 kernel L(x) = sinc(x)·sinc(x/3), |x| < 3, stretched by max(s, 1) when
/// downscaling so the filter's support (3·s source pixels each side) covers every input the output stands for —
/// this is what keeps large reductions (5120 → 160) from aliasing. Taps that would fall outside the image are
/// dropped and the remaining weights renormalised to sum to 1, so borders neither darken (no implicit black) nor
/// let a single edge pixel dominate (as folding all outside taps onto it would).
struct FilterBank {
    let outputCount: Int
    /// Weights per output, padded with zeros: `weights[i * taps + t]`.
    let taps: Int
    let starts: [Int]
    let counts: [Int]
    let weights: [Float]
    /// The source range any output reads: [firstSource, endSource).
    let firstSource: Int
    let endSource: Int

    static let lobes = 3.0

    static func kernel(_ x: Double) -> Double {
        let ax = abs(x)
        if ax < 1e-9 { return 1 }
        if ax >= lobes { return 0 }
        let px = Double.pi * x
        return lobes * sin(px) * sin(px / lobes) / (px * px)
    }

    init(sourceLength: Int, outputCount: Int, windowStart: Double, windowLength: Double) {
        let scale = windowLength / Double(outputCount)
        let stretch = max(scale, 1)
        let support = FilterBank.lobes * stretch
        let maxTaps = min(sourceLength, Int((2 * support).rounded(.up)) + 2)
        var starts = [Int](repeating: 0, count: outputCount)
        var counts = [Int](repeating: 0, count: outputCount)
        var weights = [Float](repeating: 0, count: outputCount * maxTaps)
        var raw = [Double](repeating: 0, count: maxTaps)
        var first = Int.max, end = 0
        for i in 0..<outputCount {
            let centre = windowStart + (Double(i) + 0.5) * scale
            let lo = Int((centre - support).rounded(.down))
            let hi = Int((centre + support).rounded(.up))
            let start = min(max(lo, 0), sourceLength - 1)
            let last = max(min(hi, sourceLength - 1), start)
            let count = min(last - start + 1, maxTaps)
            var total = 0.0
            for t in 0..<count {
                let w = FilterBank.kernel((Double(start + t) + 0.5 - centre) / stretch)
                raw[t] = w
                total += w
            }
            if abs(total) < 1e-12 {
                // Cannot happen while the centre lies inside the image; keep the nearest pixel rather than divide by 0.
                for t in 0..<count { raw[t] = 0 }
                raw[min(max(Int(centre) - start, 0), count - 1)] = 1
                total = 1
            }
            for t in 0..<count { weights[i * maxTaps + t] = Float(raw[t] / total) }
            starts[i] = start
            counts[i] = count
            first = min(first, start)
            end = max(end, start + count)
        }
        self.outputCount = outputCount
        self.taps = maxTaps
        self.starts = starts
        self.counts = counts
        self.weights = weights
        self.firstSource = first
        self.endSource = end
    }
}
