import Glibc

/// Groups the tiles of the entropy image (RFC 9649 §6.2.2) into prefix-code groups. Each group costs five code
/// descriptions, so tiles share a group when their statistics are alike enough that one set of codes serves them:
/// 1. with many tiles, tiles of similar green/red/blue entropy are first pooled when pooling saves a good share
///    of the tile's own bits;
/// 2. random pairs are sampled and the best-saving pair merged, until few groups remain or sampling stops finding
///    savings;
/// 3. then every pair is considered and the best-saving one merged while any merge saves bits;
/// 4. finally every tile moves to the group that codes its symbols in the fewest bits, and the groups are rebuilt.
enum VP8LHistogramClustering {
    struct Parameters {
        /// Groups left when random sampling hands over to the exhaustive greedy merge.
        var greedyFrom: Int
        /// Tile-to-group reassignment passes after merging.
        var refinePasses: Int
    }

    struct Result {
        /// Group of every tile (row-major over the tile grid).
        var tileGroups: [Int]
        var groupCount: Int
    }

    /// One group being formed: its summed counts and estimated bits.
    private struct Cluster {
        var counts: [UInt32]
        var bits: Double
    }

    static func cluster(tileHistograms: [UInt32], tileCount: Int, layout: VP8LHistogramLayout,
                        parameters: Parameters) -> Result {
        let size = layout.size
        func bits(_ h: UnsafePointer<UInt32>) -> Double {
            var total = 0.0
            for r in layout.ranges { total += VP8LEntropy.populationBits(h + r.lowerBound, nil, r.count) }
            return total
        }
        func combinedBits(_ a: [UInt32], _ b: [UInt32]) -> Double {
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    var total = 0.0
                    for r in layout.ranges {
                        total += VP8LEntropy.populationBits(pa.baseAddress! + r.lowerBound, pb.baseAddress! + r.lowerBound, r.count)
                    }
                    return total
                }
            }
        }
        func merge(_ into: inout Cluster, _ other: Cluster, bits: Double) {
            into.counts.withUnsafeMutableBufferPointer { dst in
                other.counts.withUnsafeBufferPointer { src in
                    for k in 0..<size { dst[k] &+= src[k] }
                }
            }
            into.bits = bits
        }

        // Tiles with symbols become clusters; empty tiles (covered by copies that started elsewhere) join later.
        var clusters: [Cluster] = []
        var clusterOfTile = [Int](repeating: -1, count: tileCount)
        var members: [[Int]] = []
        tileHistograms.withUnsafeBufferPointer { all in
            for tile in 0..<tileCount {
                let h = all.baseAddress! + tile * size
                var any: UInt32 = 0
                for i in 0..<size { any |= h[i] }
                if any == 0 { continue }
                clusterOfTile[tile] = clusters.count
                members.append([tile])
                clusters.append(Cluster(counts: Array(UnsafeBufferPointer(start: h, count: size)), bits: bits(h)))
            }
        }
        if clusters.isEmpty { return Result(tileGroups: [Int](repeating: 0, count: tileCount), groupCount: 1) }
        var alive = [Bool](repeating: true, count: clusters.count)
        var aliveCount = clusters.count

        func absorb(_ a: Int, _ b: Int, bits: Double) {
            merge(&clusters[a], clusters[b], bits: bits)
            clusters[b].counts = []
            alive[b] = false
            aliveCount -= 1
            members[a] += members[b]
            members[b] = []
        }

        // 1. Entropy bins.
        if aliveCount > 128 {
            var partial = [[Double]](repeating: [0, 0, 0], count: clusters.count)
            var low = [Double](repeating: .infinity, count: 3), high = [Double](repeating: 0, count: 3)
            for c in 0..<clusters.count {
                clusters[c].counts.withUnsafeBufferPointer { h in
                    for k in 0..<3 {
                        let r = layout.ranges[k]
                        partial[c][k] = VP8LEntropy.populationBits(h.baseAddress! + r.lowerBound, nil, r.count)
                        low[k] = min(low[k], partial[c][k]); high[k] = max(high[k], partial[c][k])
                    }
                }
            }
            // Pool only on a clear saving; fewer tiles afterwards need less.
            let share = aliveCount > 1024 ? 0.02 : (aliveCount > 512 ? 0.04 : (aliveCount > 256 ? 0.08 : 0.16))
            var firstOfBin = [Int](repeating: -1, count: 64)
            for c in 0..<clusters.count {
                var bin = 0
                for k in 0..<3 {
                    let range = high[k] - low[k]
                    let part = range > 0 ? Int(3.999 * (partial[c][k] - low[k]) / range) : 0
                    bin = bin * 4 + part
                }
                let first = firstOfBin[bin]
                if first < 0 { firstOfBin[bin] = c; continue }
                let combined = combinedBits(clusters[first].counts, clusters[c].counts)
                if combined - clusters[first].bits - clusters[c].bits < -share * clusters[c].bits {
                    absorb(first, c, bits: combined)
                }
            }
        }

        // 2. Random pairs while many clusters remain.
        if aliveCount > parameters.greedyFrom {
            var seed: UInt32 = 1
            func random() -> UInt32 { seed = UInt32((UInt64(seed) * 48271) % 2_147_483_647); return seed }
            var queue: [(a: Int, b: Int, delta: Double, bits: Double)] = []
            let queueLimit = 9
            var fruitless = 0
            while aliveCount > parameters.greedyFrom && fruitless < aliveCount / 2 {
                let live = (0..<clusters.count).filter { alive[$0] }
                let tries = live.count / 2
                for _ in 0..<tries {
                    let pick = Int(random() % UInt32(live.count * (live.count - 1)))
                    var x = pick / (live.count - 1), y = pick % (live.count - 1)
                    if y >= x { y += 1 }
                    x = live[x]; y = live[y]
                    let (a, b) = x < y ? (x, y) : (y, x)
                    if queue.contains(where: { $0.a == a && $0.b == b }) { continue }
                    let combined = combinedBits(clusters[a].counts, clusters[b].counts)
                    let delta = combined - clusters[a].bits - clusters[b].bits
                    if delta >= 0 { continue }
                    if queue.count < queueLimit {
                        queue.append((a, b, delta, combined))
                    } else if let worst = queue.indices.max(by: { queue[$0].delta < queue[$1].delta }),
                              queue[worst].delta > delta {
                        queue[worst] = (a, b, delta, combined)
                    }
                }
                guard let bestIndex = queue.indices.min(by: { queue[$0].delta < queue[$1].delta }) else {
                    fruitless += 1
                    continue
                }
                let best = queue[bestIndex]
                absorb(best.a, best.b, bits: best.bits)
                var kept: [(a: Int, b: Int, delta: Double, bits: Double)] = []
                for var pair in queue {
                    if pair.a == best.b { pair.a = best.a }
                    if pair.b == best.b { pair.b = best.a }
                    if pair.a == pair.b { continue }
                    if pair.a > pair.b { swap(&pair.a, &pair.b) }
                    if pair.a == best.a || pair.b == best.a {
                        let combined = combinedBits(clusters[pair.a].counts, clusters[pair.b].counts)
                        pair.delta = combined - clusters[pair.a].bits - clusters[pair.b].bits
                        pair.bits = combined
                        if pair.delta >= 0 { continue }
                    }
                    if !kept.contains(where: { $0.a == pair.a && $0.b == pair.b }) { kept.append(pair) }
                }
                queue = kept
                fruitless = 0
            }
        }

        // 3. Exhaustive greedy merging while a merge saves bits.
        var live = (0..<clusters.count).filter { alive[$0] }
        if live.count > 1 {
            let n = live.count
            var delta = [Double](repeating: .infinity, count: n * n)
            var pairBits = [Double](repeating: 0, count: n * n)
            func evaluate(_ i: Int, _ j: Int) {
                let combined = combinedBits(clusters[live[i]].counts, clusters[live[j]].counts)
                pairBits[i * n + j] = combined
                delta[i * n + j] = combined - clusters[live[i]].bits - clusters[live[j]].bits
            }
            for i in 0..<n { for j in (i + 1)..<n { evaluate(i, j) } }
            var present = [Bool](repeating: true, count: n)
            while true {
                var best = 0.0, bi = -1, bj = -1
                for i in 0..<n where present[i] {
                    for j in (i + 1)..<n where present[j] && delta[i * n + j] < best {
                        best = delta[i * n + j]; bi = i; bj = j
                    }
                }
                if bi < 0 { break }
                absorb(live[bi], live[bj], bits: pairBits[bi * n + bj])
                present[bj] = false
                for k in 0..<n where present[k] && k != bi { k < bi ? evaluate(k, bi) : evaluate(bi, k) }
            }
            live = (0..<clusters.count).filter { alive[$0] }
        }
        for (index, c) in live.enumerated() { for tile in members[c] { clusterOfTile[tile] = index } }
        var groups = live.map { clusters[$0].counts }

        // 4. Move every tile to the group that codes it cheapest, then rebuild the groups.
        if groups.count > 1 {
            for _ in 0..<parameters.refinePasses {
                clusterOfTile = reassign(tileHistograms: tileHistograms, tileCount: tileCount, layout: layout,
                                         groups: groups, current: clusterOfTile)
                var rebuilt = [[UInt32]](repeating: [UInt32](repeating: 0, count: size), count: groups.count)
                tileHistograms.withUnsafeBufferPointer { all in
                    for tile in 0..<tileCount where clusterOfTile[tile] >= 0 {
                        let h = all.baseAddress! + tile * size
                        rebuilt[clusterOfTile[tile]].withUnsafeMutableBufferPointer { dst in
                            for k in 0..<size { dst[k] &+= h[k] }
                        }
                    }
                }
                // Drop groups left empty.
                var renumber = [Int](repeating: -1, count: groups.count)
                var kept: [[UInt32]] = []
                for tile in 0..<tileCount where clusterOfTile[tile] >= 0 {
                    let g = clusterOfTile[tile]
                    if renumber[g] < 0 { renumber[g] = kept.count; kept.append(rebuilt[g]) }
                    clusterOfTile[tile] = renumber[g]
                }
                groups = kept
                if groups.count <= 1 { break }
            }
        }
        // Empty tiles take their left neighbour's group, which keeps the entropy image compressible.
        var previous = 0
        for tile in 0..<tileCount {
            if clusterOfTile[tile] < 0 { clusterOfTile[tile] = previous } else { previous = clusterOfTile[tile] }
        }
        return Result(tileGroups: clusterOfTile, groupCount: max(groups.count, 1))
    }

    /// Moves every tile to the group whose statistics code its symbols in the fewest bits (cross-entropy of the
    /// tile's counts under each group's distribution).
    private static func reassign(tileHistograms: [UInt32], tileCount: Int, layout: VP8LHistogramLayout,
                                 groups: [[UInt32]], current: [Int]) -> [Int] {
        let size = layout.size
        let ranges = layout.ranges
        // Per group, −log2(probability) of each symbol, with a penalty for symbols the group has not seen.
        var table = [Float](repeating: 0, count: groups.count * size)
        for (g, h) in groups.enumerated() {
            for r in ranges {
                var total: UInt32 = 0
                for i in r { total &+= h[i] }
                let logTotal = log2(Double(total) + 1)
                for i in r {
                    let count = h[i]
                    table[g * size + i] = count > 0 ? Float(logTotal - log2(Double(count))) : Float(logTotal + 4)
                }
            }
        }
        var result = current
        var nonzero = [Int32](repeating: 0, count: size)
        tileHistograms.withUnsafeBufferPointer { all in
            table.withUnsafeBufferPointer { tableBuffer in
                nonzero.withUnsafeMutableBufferPointer { nz in
                    for tile in 0..<tileCount where current[tile] >= 0 {
                        let h = all.baseAddress! + tile * size
                        var used = 0
                        for i in 0..<size where h[i] > 0 { nz[used] = Int32(i); used += 1 }
                        var best = Float.infinity
                        for g in 0..<groups.count {
                            let t = tableBuffer.baseAddress! + g * size
                            var bits: Float = 0
                            for k in 0..<used { let i = Int(nz[k]); bits += Float(h[i]) * t[i] }
                            if bits < best { best = bits; result[tile] = g }
                        }
                    }
                }
            }
        }
        return result
    }
}
