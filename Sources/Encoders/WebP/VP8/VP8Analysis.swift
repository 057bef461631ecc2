import Glibc
import Raster

/// Macroblock analysis before coding: how hard each macroblock is to compress ("susceptibility"), and from that
/// the segment map (RFC 6386 section 9.3 allows four segments, each with its own quantiser and filter level).
///
/// Susceptibility comes from the spread of transform coefficients of cheap predictions (16x16 DC and TrueMotion
/// from the source's own neighbours, chroma the same): a histogram of |coefficient|/8, whose last occupied bin
/// over its peak count measures how far energy reaches into large coefficients. Segments are a 1-D k-means over
/// the per-macroblock values.
struct VP8Analysis {
    /// Per macroblock: 0 (busiest) ... 255 (smoothest).
    var alpha: [UInt8]
    /// Segment of each macroblock.
    var segmentOfMB: [UInt8]
    /// Per segment: alpha relative to the frame (−127...127, positive = smoother) and beta (0...255, 0 = busiest).
    var segmentAlphas: [Int], segmentBetas: [Int]
    /// Mean chroma complexity (higher = busier chroma), for the chroma quantiser delta.
    var uvAlpha: Int

    /// Histogram bins of |coefficient| >> 3.
    static let bins = 32
    static let kMeansIterations = 6

    init(picture: VP8Picture, segments wanted: Int) {
        let mbw = picture.mbWidth, mbh = picture.mbHeight, count = mbw * mbh
        var alpha = [UInt8](repeating: 0, count: count)
        var uvComplexity = [Int32](repeating: 0, count: count)
        alpha.withUnsafeMutableBufferPointer { a in uvComplexity.withUnsafeMutableBufferPointer { u in
            let ap = a.baseAddress!, up = u.baseAddress!
            Job.parallelFor(mbh) { mbY in
                let scratch = VP8AnalysisScratch()
                for mbX in 0..<mbw {
                    let (value, uv) = scratch.analyze(picture: picture, mbX: mbX, mbY: mbY)
                    ap[mbY * mbw + mbX] = value
                    up[mbY * mbw + mbX] = uv
                }
            }
        } }
        self.alpha = alpha
        uvAlpha = Int(uvComplexity.reduce(0) { $0 + Int($1) } / max(count, 1))
        let nb = min(max(wanted, 1), 4)
        if nb == 1 || count < 2 * nb {
            segmentOfMB = [UInt8](repeating: 0, count: count)
            segmentAlphas = [0]; segmentBetas = [0]
            return
        }
        var histogram = [Int](repeating: 0, count: 256)
        for v in alpha { histogram[Int(v)] += 1 }
        let (map, centres, mid) = VP8Analysis.kMeans(histogram: histogram, clusters: nb)
        segmentOfMB = alpha.map { map[Int($0)] }
        let lo = centres.min()!, hi = max(centres.max()!, lo + 1)
        segmentAlphas = centres.map { min(max(255 * ($0 - mid) / (hi - lo), -127), 127) }
        segmentBetas = centres.map { min(max(255 * ($0 - lo) / (hi - lo), 0), 255) }
    }

    /// 1-D k-means over a 256-bin histogram: centres start evenly spread over the occupied range; returns the
    /// value → cluster map, the centres and their count-weighted mean.
    static func kMeans(histogram: [Int], clusters nb: Int) -> ([UInt8], [Int], Int) {
        var lo = 0
        while lo < 255 && histogram[lo] == 0 { lo += 1 }
        var hi = 255
        while hi > lo && histogram[hi] == 0 { hi -= 1 }
        var centres = (0..<nb).map { lo + (2 * $0 + 1) * (hi - lo) / (2 * nb) }
        var map = [UInt8](repeating: 0, count: 256)
        var weightedMean = lo
        for _ in 0..<kMeansIterations {
            var sums = [Int](repeating: 0, count: nb), counts = [Int](repeating: 0, count: nb)
            var n = 0
            for a in lo...hi where histogram[a] > 0 {
                while n + 1 < nb && abs(a - centres[n + 1]) < abs(a - centres[n]) { n += 1 }
                map[a] = UInt8(n)
                sums[n] += a * histogram[a]; counts[n] += histogram[a]
            }
            var moved = 0, total = 0, weight = 0
            for k in 0..<nb where counts[k] > 0 {
                let c = (sums[k] + counts[k] / 2) / counts[k]
                moved += abs(centres[k] - c)
                centres[k] = c
                total += c * counts[k]; weight += counts[k]
            }
            weightedMean = (total + weight / 2) / max(weight, 1)
            if moved < 5 { break }
        }
        return (map, centres, weightedMean)
    }
}

/// Per-thread buffers of the analysis: source block and neighbours, one prediction, coefficients.
private final class VP8AnalysisScratch {
    let src = UnsafeMutablePointer<UInt8>.allocate(capacity: 256 + 128)   // Y 16x16, then U|V 16x8
    let pred = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
    let edges = UnsafeMutablePointer<UInt8>.allocate(capacity: 128)      // see `loadEdges`
    let coeffs = UnsafeMutablePointer<Int32>.allocate(capacity: 16)
    deinit { src.deallocate(); pred.deallocate(); edges.deallocate(); coeffs.deallocate() }

    /// The predictions the analysis measures against (the larger complexity of the two counts).
    static let modes = [VP8Predict.dc, VP8Predict.trueMotion]

    // Edge layout: luma corner at 0, top 1..16, left 17..32; U corner 33, top 34..41, left 42..49; V 50, 51..58, 59..66.

    /// (final susceptibility 0...255, chroma complexity) of one macroblock, predicted from source neighbours.
    func analyze(picture: VP8Picture, mbX: Int, mbY: Int) -> (UInt8, Int32) {
        picture.y.withUnsafeBufferPointer { y in picture.u.withUnsafeBufferPointer { u in
        picture.v.withUnsafeBufferPointer { v in
            let ys = picture.yStride, cs = picture.uvStride
            for r in 0..<16 { (src + r * 16).update(from: y.baseAddress! + (mbY * 16 + r) * ys + mbX * 16, count: 16) }
            for r in 0..<8 {
                (src + 256 + r * 16).update(from: u.baseAddress! + (mbY * 8 + r) * cs + mbX * 8, count: 8)
                (src + 256 + r * 16 + 8).update(from: v.baseAddress! + (mbY * 8 + r) * cs + mbX * 8, count: 8)
            }
            loadEdges(y.baseAddress!, ys, size: 16, mbX: mbX, mbY: mbY, at: 0)
            loadEdges(u.baseAddress!, cs, size: 8, mbX: mbX, mbY: mbY, at: 33)
            loadEdges(v.baseAddress!, cs, size: 8, mbX: mbX, mbY: mbY, at: 50)
        } } }
        var luma: Int32 = -1
        for mode in VP8AnalysisScratch.modes {
            VP8Predict.block(mode: mode, size: 16, top: edges + 1, left: edges + 17, hasTop: mbY > 0,
                             hasLeft: mbX > 0, out: pred)
            luma = max(luma, complexity(source: src, prediction: pred, predictionStride: 16, blocks: 16, chroma: false))
        }
        var chroma: Int32 = -1
        for mode in VP8AnalysisScratch.modes {
            VP8Predict.block(mode: mode, size: 8, top: edges + 34, left: edges + 42, hasTop: mbY > 0,
                             hasLeft: mbX > 0, out: pred)
            VP8Predict.block(mode: mode, size: 8, top: edges + 51, left: edges + 59, hasTop: mbY > 0,
                             hasLeft: mbX > 0, out: pred + 64)
            chroma = max(chroma, complexity(source: src + 256, prediction: pred, predictionStride: 8, blocks: 8,
                                            chroma: true))
        }
        let mixed = (3 * luma + chroma + 2) >> 2
        return (UInt8(min(max(255 - mixed, 0), 255)), chroma)
    }

    /// Neighbours from the source itself, with the decoder's conventions outside the frame (127 above, 129 left).
    private func loadEdges(_ plane: UnsafePointer<UInt8>, _ stride: Int, size: Int, mbX: Int, mbY: Int, at o: Int) {
        let x0 = mbX * size, y0 = mbY * size
        if mbY == 0 {
            (edges + o).update(repeating: 127, count: size + 1)
        } else {
            edges[o] = mbX == 0 ? 129 : plane[(y0 - 1) * stride + x0 - 1]
            (edges + o + 1).update(from: plane + (y0 - 1) * stride + x0, count: size)
        }
        for r in 0..<size { edges[o + 1 + size + r] = mbX == 0 ? 129 : plane[(y0 + r) * stride + x0 - 1] }
    }

    /// Adds one row of four bins to the histogram: lane k counts into its own copy (k · bins), so increments of
    /// the same bin — most coefficients fall in the first bins — do not wait on each other through memory; the
    /// copies are summed at the end.
    @inline(__always)
    private func countBins(_ bins: UnsafeRawBufferPointer, into histogram: UnsafeMutablePointer<Int32>) {
        let b = bins.baseAddress!.assumingMemoryBound(to: Int32.self), n = VP8Analysis.bins
        histogram[Int(b[0])] &+= 1; histogram[n + Int(b[1])] &+= 1
        histogram[2 * n + Int(b[2])] &+= 1; histogram[3 * n + Int(b[3])] &+= 1
    }

    /// 510 · (last occupied bin) / (peak bin count) of the |coefficient| >> 3 histogram over `blocks` 4x4 blocks.
    /// Luma blocks are in a 16-wide source with prediction stride 16; chroma are U then V, 8 wide, side by side
    /// in the 16-wide source (U columns 0–7, V 8–15) and stacked in the prediction (U rows 0–7, V rows 8–15).
    private func complexity(source: UnsafePointer<UInt8>, prediction: UnsafePointer<UInt8>, predictionStride: Int,
                            blocks: Int, chroma: Bool) -> Int32 {
        return withUnsafeTemporaryAllocation(of: Int32.self, capacity: 4 * VP8Analysis.bins) { storage in
            let h = storage.baseAddress!
            h.initialize(repeating: 0, count: 4 * VP8Analysis.bins)
            for b in 0..<blocks {
                let s: UnsafePointer<UInt8>, p: UnsafePointer<UInt8>
                if chroma {
                    let plane = b >> 2, k = b & 3
                    s = source + plane * 8 + (k >> 1) * 64 + (k & 1) * 4
                    p = prediction + plane * 64 + (k >> 1) * 32 + (k & 1) * 4
                } else {
                    s = source + (b >> 2) * 64 + (b & 3) * 4
                    p = prediction + (b >> 2) * 64 + (b & 3) * 4
                }
                let d = (VP8Transform.load4(s) &- VP8Transform.load4(p),
                         VP8Transform.load4(s + 16) &- VP8Transform.load4(p + predictionStride),
                         VP8Transform.load4(s + 32) &- VP8Transform.load4(p + 2 * predictionStride),
                         VP8Transform.load4(s + 48) &- VP8Transform.load4(p + 3 * predictionStride))
                let c = VP8Transform.forwardDCT(residualRows: d)
                let top = SIMD4<Int32>(repeating: Int32(VP8Analysis.bins - 1))
                // The bins go through memory: reading lanes back one by one costs more than storing them once.
                var bins = (c.0.magnitude &>> 3).minimum(top), bins1 = (c.1.magnitude &>> 3).minimum(top)
                var bins2 = (c.2.magnitude &>> 3).minimum(top), bins3 = (c.3.magnitude &>> 3).minimum(top)
                withUnsafeBytes(of: &bins) { countBins($0, into: h) }
                withUnsafeBytes(of: &bins1) { countBins($0, into: h) }
                withUnsafeBytes(of: &bins2) { countBins($0, into: h) }
                withUnsafeBytes(of: &bins3) { countBins($0, into: h) }
            }
            let n = VP8Analysis.bins
            for k in 0..<n { h[k] = h[k] &+ h[n + k] &+ h[2 * n + k] &+ h[3 * n + k] }
            var peak: Int32 = 0, last = 0
            for k in 0..<n where h[k] > 0 { peak = max(peak, h[k]); last = k }
            return peak > 1 ? 510 * Int32(last) / peak : 0
        }
    }
}
