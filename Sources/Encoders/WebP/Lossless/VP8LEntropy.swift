import Glibc

/// Entropy estimates and histogram clustering for VP8L's entropy image (RFC 9649 §6.2.2): tiles whose symbol
/// statistics are alike share one prefix-code group.
enum VP8LEntropy {
    /// c·log2(c) for small counts, so estimates avoid a logarithm per bin.
    static let xLogXTable: [Double] = (0..<4096).map { $0 == 0 ? 0 : Double($0) * log2(Double($0)) }

    @inline(__always)
    static func xLogX(_ c: UInt32) -> Double {
        c < 4096 ? xLogXTable[Int(c)] : Double(c) * log2(Double(c))
    }

    /// Bits an ideal entropy coder spends on the symbols counted in `counts`.
    static func shannonBits(_ counts: [UInt32]) -> Double {
        counts.withUnsafeBufferPointer { shannonBits($0) }
    }

    static func shannonBits(_ counts: UnsafeBufferPointer<UInt32>) -> Double {
        var total: UInt32 = 0
        var sum = 0.0
        for c in counts where c > 0 { total &+= c; sum += xLogX(c) }
        return xLogX(total) - sum
    }

    /// Shannon bits plus a rough price for transmitting the code itself.
    @inline(__always)
    static func codeBits(_ counts: UnsafeBufferPointer<UInt32>) -> Double {
        var total: UInt32 = 0
        var sum = 0.0
        var used = 0
        for c in counts where c > 0 { total &+= c; sum += xLogX(c); used += 1 }
        if used <= 1 { return 4 }
        return xLogX(total) - sum + 24 + 3.2 * Double(used)
    }
}

/// Symbol counts of one prefix-code group, the five alphabets side by side in one flat array:
/// green + length prefixes + cache (256 + 24 + cache size), red (256), blue (256), alpha (256), distance (40).
struct VP8LHistogramLayout {
    let greenSize: Int
    var redOffset: Int { greenSize }
    var blueOffset: Int { greenSize + 256 }
    var alphaOffset: Int { greenSize + 512 }
    var distanceOffset: Int { greenSize + 768 }
    var size: Int { greenSize + 808 }
    var ranges: [Range<Int>] {
        [0..<greenSize, redOffset..<(redOffset + 256), blueOffset..<(blueOffset + 256),
         alphaOffset..<(alphaOffset + 256), distanceOffset..<(distanceOffset + 40)]
    }

    init(cacheBits: Int) { greenSize = 256 + 24 + (cacheBits > 0 ? 1 << cacheBits : 0) }

    /// Adds one token's symbols to the histogram at `h`.
    @inline(__always)
    func add(_ t: VP8LToken, to h: UnsafeMutablePointer<UInt32>) {
        switch t.kind {
        case VP8LToken.literal:
            let v = t.value
            h[Int((v >> 8) & 0xff)] += 1
            h[redOffset + Int((v >> 16) & 0xff)] += 1
            h[blueOffset + Int(v & 0xff)] += 1
            h[alphaOffset + Int(v >> 24)] += 1
        case VP8LToken.cacheIndex:
            h[280 + Int(t.value)] += 1
        default:
            h[256 + VP8LBackwardReferences.prefixEncode(Int(t.length)).symbol] += 1
            h[distanceOffset + VP8LBackwardReferences.prefixEncode(Int(t.value)).symbol] += 1
        }
    }

    /// Estimated bits of a group with these counts.
    func cost(_ h: UnsafePointer<UInt32>) -> Double {
        var bits = 0.0
        for r in ranges {
            bits += VP8LEntropy.codeBits(UnsafeBufferPointer(start: h + r.lowerBound, count: r.count))
        }
        return bits
    }

    /// Estimated bits of the union of two groups, without materialising it.
    func combinedCost(_ a: UnsafePointer<UInt32>, _ b: UnsafePointer<UInt32>) -> Double {
        var bits = 0.0
        for r in ranges {
            var total: UInt32 = 0
            var sum = 0.0
            var used = 0
            for i in r {
                let c = a[i] &+ b[i]
                if c > 0 { total &+= c; sum += VP8LEntropy.xLogX(c); used += 1 }
            }
            bits += used <= 1 ? 4 : VP8LEntropy.xLogX(total) - sum + 24 + 3.2 * Double(used)
        }
        return bits
    }
}

/// Groups tiles into prefix-code groups: entropy binning, greedy merging while it saves bits, then each tile is
/// moved to the group that codes it cheapest.
enum VP8LHistogramClustering {
    struct Result {
        /// Group of every tile (row-major over the tile grid).
        var tileGroups: [Int]
        var groupCount: Int
    }

    static func cluster(tileHistograms: [UInt32], tileCount: Int, layout: VP8LHistogramLayout,
                        maxGroups: Int, refine: Bool) -> Result {
        let size = layout.size
        // Tile totals and per-tile bits per symbol of green/red/blue for binning.
        var clusterOfTile = [Int](repeating: -1, count: tileCount)
        var clusters: [[UInt32]] = []
        var binToCluster = [Int: Int]()
        tileHistograms.withUnsafeBufferPointer { all in
            for tile in 0..<tileCount {
                let h = all.baseAddress! + tile * size
                var total: UInt32 = 0
                for i in 0..<size { total &+= h[i] }
                if total == 0 { continue }
                var key = 0
                for r in layout.ranges.prefix(3) {
                    let part = UnsafeBufferPointer(start: h + r.lowerBound, count: r.count)
                    var n: UInt32 = 0
                    for c in part { n &+= c }
                    let perSymbol = n == 0 ? 0 : VP8LEntropy.shannonBits(part) / Double(n)
                    key = key * 6 + min(5, Int(perSymbol * 0.75))
                }
                if let c = binToCluster[key] {
                    clusters[c].withUnsafeMutableBufferPointer { dst in
                        for i in 0..<size { dst[i] &+= h[i] }
                    }
                    clusterOfTile[tile] = c
                } else {
                    binToCluster[key] = clusters.count
                    clusterOfTile[tile] = clusters.count
                    clusters.append(Array(UnsafeBufferPointer(start: h, count: size)))
                }
            }
        }
        if clusters.isEmpty {
            return Result(tileGroups: [Int](repeating: 0, count: tileCount), groupCount: 1)
        }
        // Greedy merging of the pair that saves the most bits.
        var alive = [Bool](repeating: true, count: clusters.count)
        var costs = clusters.map { c in c.withUnsafeBufferPointer { layout.cost($0.baseAddress!) } }
        let n = clusters.count
        var delta = [Double](repeating: .infinity, count: n * n)
        func pairDelta(_ i: Int, _ j: Int) -> Double {
            clusters[i].withUnsafeBufferPointer { a in
                clusters[j].withUnsafeBufferPointer { b in
                    layout.combinedCost(a.baseAddress!, b.baseAddress!)
                }
            } - costs[i] - costs[j]
        }
        for i in 0..<n { for j in (i + 1)..<max(i + 1, n) { delta[i * n + j] = pairDelta(i, j) } }
        var aliveCount = n
        while aliveCount > 1 {
            var best = Double.infinity, bi = -1, bj = -1
            for i in 0..<n where alive[i] {
                for j in (i + 1)..<max(i + 1, n) where alive[j] && delta[i * n + j] < best {
                    best = delta[i * n + j]; bi = i; bj = j
                }
            }
            if bi < 0 || (best >= 0 && aliveCount <= maxGroups) { break }
            let other = clusters[bj]
            clusters[bi].withUnsafeMutableBufferPointer { dst in
                for k in 0..<size { dst[k] &+= other[k] }
            }
            clusters[bj] = []
            alive[bj] = false
            aliveCount -= 1
            costs[bi] = clusters[bi].withUnsafeBufferPointer { layout.cost($0.baseAddress!) }
            for k in 0..<n where alive[k] && k != bi {
                let (i, j) = k < bi ? (k, bi) : (bi, k)
                delta[i * n + j] = pairDelta(i, j)
            }
            for tile in 0..<tileCount where clusterOfTile[tile] == bj { clusterOfTile[tile] = bi }
        }
        var live = (0..<n).filter { alive[$0] }
        if refine && live.count > 1 {
            clusterOfTile = reassign(tileHistograms: tileHistograms, tileCount: tileCount, layout: layout,
                                     clusters: live.map { clusters[$0] }, current: clusterOfTile.map { c in
                                         c < 0 ? -1 : live.firstIndex(of: c)! })
            live = Array(0..<live.count)
            var used = [Int](repeating: -1, count: live.count)
            var next = 0
            for tile in 0..<tileCount where clusterOfTile[tile] >= 0 {
                let c = clusterOfTile[tile]
                if used[c] < 0 { used[c] = next; next += 1 }
                clusterOfTile[tile] = used[c]
            }
            return Result(tileGroups: clusterOfTile.map { max($0, 0) }, groupCount: max(next, 1))
        }
        var renumber = [Int](repeating: 0, count: n)
        for (k, c) in live.enumerated() { renumber[c] = k }
        return Result(tileGroups: clusterOfTile.map { $0 < 0 ? 0 : renumber[$0] }, groupCount: live.count)
    }

    /// Moves every tile to the cluster whose statistics code it in the fewest bits (cross-entropy of the tile's
    /// symbols under each cluster's distribution).
    private static func reassign(tileHistograms: [UInt32], tileCount: Int, layout: VP8LHistogramLayout,
                                 clusters: [[UInt32]], current: [Int]) -> [Int] {
        let size = layout.size
        let ranges = layout.ranges
        // Per cluster, -log2(probability) of each symbol, with a floor for unseen symbols.
        var bitsTable = [Float](repeating: 0, count: clusters.count * size)
        for (c, h) in clusters.enumerated() {
            for r in ranges {
                var total: UInt32 = 0
                for i in r { total &+= h[i] }
                let denominator = log2(Double(total) + 1)
                for i in r {
                    let count = h[i]
                    bitsTable[c * size + i] = count > 0 ? Float(denominator - log2(Double(count))) : Float(denominator + 4)
                }
            }
        }
        var result = current
        tileHistograms.withUnsafeBufferPointer { all in
            bitsTable.withUnsafeBufferPointer { table in
                for tile in 0..<tileCount where current[tile] >= 0 {
                    let h = all.baseAddress! + tile * size
                    var nonzero: [Int] = []
                    for i in 0..<size where h[i] > 0 { nonzero.append(i) }
                    var best = Float.infinity
                    for c in 0..<clusters.count {
                        let t = table.baseAddress! + c * size
                        var bits: Float = 0
                        for i in nonzero { bits += Float(h[i]) * t[i] }
                        if bits < best { best = bits; result[tile] = c }
                    }
                }
            }
        }
        return result
    }
}
