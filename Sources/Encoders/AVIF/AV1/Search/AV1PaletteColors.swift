/// Palette colours of a block and the colour index maps (the decisions behind palette_mode_info, §5.11.46, and
/// palette_tokens, §5.11.49).
enum AV1PaletteColors {
    /// The distinct values of a w×h area, ascending, when there are 2...maxColors of them; else nil (one colour:
    /// DC prediction codes it as well). With `lambda`, an area of more colours gets the k-means palette that
    /// minimises the estimated cost (`chooseByKMeans`) instead of nil.
    static func choose(_ p: UnsafePointer<UInt8>, stride: Int, width w: Int, height h: Int, maxColors: Int,
                       lambda: Double? = nil, budget: Double = .infinity) -> [UInt8]? {
        if lambda == nil {
            // Distinct values only, leaving as soon as there are too many (the screen-content statistics).
            var seen = SIMD4<UInt64>(repeating: 0)   // 256-bit set of the values met
            var count = 0
            for y in 0..<h {
                let row = p + y * stride
                for x in 0..<w {
                    let v = Int(row[x])
                    let bit: UInt64 = 1 << UInt64(v & 63)
                    if seen[v >> 6] & bit == 0 {
                        seen[v >> 6] |= bit
                        count += 1
                        if count > maxColors { return nil }
                    }
                }
            }
            guard count >= 2 else { return nil }
            var out: [UInt8] = []
            for v in 0..<256 where seen[v >> 6] & (1 << UInt64(v & 63)) != 0 { out.append(UInt8(v)) }
            return out
        }
        var hist = [Int](repeating: 0, count: 256)
        for y in 0..<h {
            let row = p + y * stride
            for x in 0..<w { hist[Int(row[x])] += 1 }
        }
        var points: [WeightedColor] = []
        for v in 0..<256 where hist[v] > 0 { points.append(WeightedColor(a: v, b: 0, count: hist[v])) }
        if points.count < 2 { return nil }
        if points.count <= maxColors { return points.map { UInt8($0.a) } }
        guard let lambda, let best = chooseByKMeans(points, samples: w * h, maxColors: maxColors, lambda: lambda, colorBits: 6,
                                                    budget: budget)
        else { return nil }
        return best.map { UInt8($0.a) }
    }

    /// A colour (luma in `a`, or a (U, V) pair) and how many samples have it.
    struct WeightedColor {
        var a: Int, b: Int, count: Int
    }

    /// k-means (Lloyd) over weighted colours: centroids start at the count quantiles of the colours in their given
    /// order, at most 10 rounds. Returns the distinct rounded centroids in (a, b) order and the squared error of
    /// assigning each colour to its nearest centroid.
    static func kMeans(_ points: [WeightedColor], k: Int) -> (centroids: [WeightedColor], sse: Int) {
        let total = points.reduce(0) { $0 + $1.count }
        var centroids: [(a: Double, b: Double)] = []
        var cumulative = 0, next = 0
        for pt in points {
            cumulative += pt.count
            while next < k && Double(cumulative) > (Double(next) + 0.5) * Double(total) / Double(k) {
                centroids.append((Double(pt.a), Double(pt.b))); next += 1
            }
        }
        var assignment = [Int](repeating: -1, count: points.count)
        let oneDimensional = points.allSatisfy { $0.b == 0 }
        for _ in 0..<10 {
            var changed = false
            if oneDimensional {
                // Sorted colours and centroids: the nearest centroid only moves forward (a sweep, not k tests).
                centroids.sort { $0.a < $1.a }
                var j = 0
                for (i, pt) in points.enumerated() {
                    let a = Double(pt.a)
                    while j + 1 < centroids.count && abs(centroids[j + 1].a - a) < abs(centroids[j].a - a) { j += 1 }
                    if assignment[i] != j { assignment[i] = j; changed = true }
                }
            } else {
                for (i, pt) in points.enumerated() {
                    var best = 0, bestD = Double.infinity
                    for (j, c) in centroids.enumerated() {
                        let da = Double(pt.a) - c.a, db = Double(pt.b) - c.b
                        let d = da * da + db * db
                        if d < bestD { bestD = d; best = j }
                    }
                    if assignment[i] != best { assignment[i] = best; changed = true }
                }
            }
            if !changed { break }
            var sums = [(a: Double, b: Double, n: Double)](repeating: (0, 0, 0), count: centroids.count)
            for (i, pt) in points.enumerated() {
                let n = Double(pt.count)
                sums[assignment[i]].a += Double(pt.a) * n; sums[assignment[i]].b += Double(pt.b) * n; sums[assignment[i]].n += n
            }
            for j in 0..<centroids.count where sums[j].n > 0 { centroids[j] = (sums[j].a / sums[j].n, sums[j].b / sums[j].n) }
        }
        var rounded: [WeightedColor] = []
        for c in centroids {
            let r = WeightedColor(a: min(255, max(0, Int(c.a.rounded()))), b: min(255, max(0, Int(c.b.rounded()))), count: 0)
            if !rounded.contains(where: { $0.a == r.a && $0.b == r.b }) { rounded.append(r) }
        }
        rounded.sort { ($0.a, $0.b) < ($1.a, $1.b) }
        var sse = 0
        for pt in points {
            var bestD = Int.max, best = 0
            for (j, c) in rounded.enumerated() {
                let d = (pt.a - c.a) * (pt.a - c.a) + (pt.b - c.b) * (pt.b - c.b)
                if d < bestD { bestD = d; best = j }
            }
            sse += bestD * pt.count
            rounded[best].count += pt.count
        }
        return (rounded, sse)
    }

    /// The k-means palette of 2...maxColors colours with the least estimated cost: squared error + λ·(colour bits
    /// + index bits), the index bits estimated as half the entropy of the colours' populations per sample (the
    /// neighbourhood contexts of §5.11.50 code runs of one colour in well under their entropy). Sizes whose bits
    /// alone cost more than `budget` (the cost of the block's other mode) are not tried; the search stops at the
    /// first size that costs more than the one before.
    static func chooseByKMeans(_ points: [WeightedColor], samples: Int, maxColors: Int, lambda: Double,
                               colorBits: Int, budget: Double) -> [WeightedColor]? {
        var best: [WeightedColor]? = nil
        var bestCost = Double.infinity
        for k in 2...maxColors {
            // The bits of k colours with the index entropy of k equal populations halved: a lower estimate of
            // what any k-colour palette costs here.
            if lambda * (Double(8 + colorBits * (k - 1)) + 0.5 * Double(samples) * AV1PaletteColors.log2Table[k] * 0.25) > budget { break }
            let (centroids, sse) = kMeans(points, k: k)
            guard centroids.count >= 2 else { continue }
            var entropy = 0.0
            for c in centroids where c.count > 0 {
                let p = Double(c.count) / Double(samples)
                entropy += p * Double(AV1CDF.bitCost[max(1, Int(p * 32768))]) / 512   // −p·log2 p
            }
            let bits = Double(8 + colorBits * (centroids.count - 1)) + 0.5 * entropy * Double(samples)
            let cost = Double(sse) + lambda * bits
            if cost < bestCost { bestCost = cost; best = centroids } else { break }
            if centroids.count < k { break }   // fewer distinct centroids than asked: more will not help
        }
        return bestCost <= budget * 1.5 ? best : nil
    }

    /// log2 of 0...8 (index 0 unused).
    static let log2Table: [Double] = [0, 0, 1, 1.585, 2, 2.322, 2.585, 2.807, 3]

    /// Index of the nearest colour to `v` (the first on ties).
    @inline(__always) static func nearest(_ v: Int, _ colors: [UInt8]) -> Int {
        var best = 0, bestD = Int.max
        for (i, c) in colors.enumerated() {
            let d = abs(v - Int(c))
            if d < bestD { bestD = d; best = i }
        }
        return best
    }

    /// ColorMapY of a side×side block: the nearest colour of each on-screen sample, the rest replicated from the
    /// last on-screen column and row (palette_tokens, §5.11.49).
    static func indexMap(_ p: UnsafePointer<UInt8>, stride: Int, side: Int, onscreenW: Int, onscreenH: Int, colors: [UInt8]) -> [UInt8] {
        var map = [UInt8](repeating: 0, count: side * side)
        for y in 0..<onscreenH {
            for x in 0..<onscreenW { map[y * side + x] = UInt8(nearest(Int(p[y * stride + x]), colors)) }
        }
        replicate(&map, stride: side, width: side, height: side, onscreenW: onscreenW, onscreenH: onscreenH)
        return map
    }

    static func replicate(_ map: inout [UInt8], stride: Int, width: Int, height: Int, onscreenW: Int, onscreenH: Int) {
        for y in 0..<onscreenH where onscreenW < width {
            for x in onscreenW..<width { map[y * stride + x] = map[y * stride + onscreenW - 1] }
        }
        for y in onscreenH..<height {
            for x in 0..<width { map[y * stride + x] = map[(onscreenH - 1) * stride + x] }
        }
    }

    /// The distinct (U, V) pairs of a w×h chroma area ordered by U then V, when there are 2...maxColors of them; with
    /// `lambda`, the k-means pairs of an area of more (as `choose`); else nil.
    static func choosePairs(_ u: UnsafePointer<UInt8>, _ v: UnsafePointer<UInt8>, stride: Int, width w: Int, height h: Int,
                            maxColors: Int, lambda: Double? = nil, budget: Double = .infinity) -> (u: [UInt8], v: [UInt8])? {
        var keys: [UInt16] = []
        keys.reserveCapacity(w * h)
        for y in 0..<h {
            for x in 0..<w { keys.append(UInt16(u[y * stride + x]) << 8 | UInt16(v[y * stride + x])) }
        }
        keys.sort()
        var points: [WeightedColor] = []
        for key in keys {
            if let last = points.last, last.a == Int(key >> 8) && last.b == Int(key & 0xFF) {
                points[points.count - 1].count += 1
            } else {
                points.append(WeightedColor(a: Int(key >> 8), b: Int(key & 0xFF), count: 1))
            }
        }
        guard points.count >= 2 else { return nil }
        var chosen = points
        if points.count > maxColors {
            guard let lambda, let best = chooseByKMeans(points, samples: w * h, maxColors: maxColors, lambda: lambda, colorBits: 14,
                                                        budget: budget)
            else { return nil }
            chosen = best
        }
        return (chosen.map { UInt8($0.a) }, chosen.map { UInt8($0.b) })
    }

    /// ColorMapUV: the nearest (U, V) entry (squared distance) of each on-screen sample, the rest replicated.
    static func pairIndexMap(_ u: UnsafePointer<UInt8>, _ v: UnsafePointer<UInt8>, stride: Int, width: Int, height: Int,
                             onscreenW: Int, onscreenH: Int, u pu: [UInt8], v pv: [UInt8]) -> [UInt8] {
        var map = [UInt8](repeating: 0, count: width * height)
        for y in 0..<onscreenH {
            for x in 0..<onscreenW {
                let su = Int(u[y * stride + x]), sv = Int(v[y * stride + x])
                var best = 0, bestD = Int.max
                for i in 0..<pu.count {
                    let du = su - Int(pu[i]), dv = sv - Int(pv[i])
                    let d = du * du + dv * dv
                    if d < bestD { bestD = d; best = i }
                }
                map[y * width + x] = UInt8(best)
            }
        }
        replicate(&map, stride: width, width: width, height: height, onscreenW: onscreenW, onscreenH: onscreenH)
        return map
    }
}
