import Raster
import Glibc

/// Cost-based choice of backward references: the longest matches at every position are found once, a first
/// (greedy) parse gives symbol statistics, and a shortest-path pass over the pixel positions then picks, for each
/// position, the literal, cache hit or match length that minimises the estimated bits of the whole image.
enum VP8LOptimalParse {
    /// Longest match per position (length 0 = none) and the longest among the cheap distances 1 and width.
    struct Matches {
        var length: [UInt16]
        var distance: [UInt32]
        var shortLength: [UInt16]
        /// 1 when the short candidate is the previous pixel, 0 when it is the pixel above.
        var shortIsLeft: [UInt8]
    }

    /// Finds the matches of every position. The hash chain (previous position with the same pixel-pair hash) is
    /// built first, so the searches only read it and the two halves of the image run on both cores.
    static func findMatches(_ pixels: [UInt32], width: Int, chainDepth: Int) -> Matches {
        let count = pixels.count
        var m = Matches(length: [UInt16](repeating: 0, count: count), distance: [UInt32](repeating: 0, count: count),
                        shortLength: [UInt16](repeating: 0, count: count), shortIsLeft: [UInt8](repeating: 0, count: count))
        var hashBits = 14
        while hashBits < 22 && (1 << hashBits) < count * 2 { hashBits += 1 }
        var chain = [Int32](repeating: -1, count: count)
        let shift = UInt32(32 - hashBits)
        pixels.withUnsafeBufferPointer { px in
            chain.withUnsafeMutableBufferPointer { chain in
                var head = [Int32](repeating: -1, count: 1 << hashBits)
                head.withUnsafeMutableBufferPointer { head in
                    let p = px.baseAddress!
                    for i in 0..<(count - 1) {
                        let h = Int(((p[i] &* 0x9E37_79B1) ^ (p[i + 1] &* 0x85EB_CA77 &+ 0x27d4_eb2f)) >> shift)
                        chain[i] = head[h]
                        head[h] = Int32(i)
                    }
                }
            }
        }
        let parts = count >= 1 << 16 ? 2 : 1
        pixels.withUnsafeBufferPointer { px in
            chain.withUnsafeBufferPointer { chainBuffer in
                m.length.withUnsafeMutableBufferPointer { lengthBuffer in
                    m.distance.withUnsafeMutableBufferPointer { distanceBuffer in
                        m.shortLength.withUnsafeMutableBufferPointer { shortBuffer in
                            m.shortIsLeft.withUnsafeMutableBufferPointer { leftBuffer in
                                let p = px.baseAddress!, chain = chainBuffer.baseAddress!
                                let lengthOut = lengthBuffer.baseAddress!, distanceOut = distanceBuffer.baseAddress!
                                let shortOut = shortBuffer.baseAddress!, leftOut = leftBuffer.baseAddress!
                                Job.parallelFor(parts) { part in
                                    searchRange((part * count / parts)..<((part + 1) * count / parts), p: p, count: count,
                                                width: width, chain: chain, chainDepth: chainDepth,
                                                lengthOut: lengthOut, distanceOut: distanceOut,
                                                shortOut: shortOut, leftOut: leftOut)
                                }
                            }
                        }
                    }
                }
            }
        }
        return m
    }

    private static func searchRange(_ range: Range<Int>, p: UnsafePointer<UInt32>, count: Int, width: Int,
                                    chain: UnsafePointer<Int32>, chainDepth: Int,
                                    lengthOut: UnsafeMutablePointer<UInt16>, distanceOut: UnsafeMutablePointer<UInt32>,
                                    shortOut: UnsafeMutablePointer<UInt16>, leftOut: UnsafeMutablePointer<UInt8>) {
        let maxLength = VP8LBackwardReferences.maxLength
        let maxDistance = VP8LBackwardReferences.maxDistance
        @inline(__always) func matchLength(_ a: Int, _ b: Int, _ limit: Int) -> Int {
            var n = 0
            while n < limit && p[a + n] == p[b + n] { n += 1 }
            return n
        }
        var leftRun = 0, aboveRun = 0
        var previousLength = 0, previousDistance = 0
        for i in range {
            let limit = min(maxLength, count - i)
            // Runs against the left and upper neighbours, continued from i − 1 (a run of n at i − 1 is one of
            // at least n − 1 at i).
            if i > 0 {
                leftRun = leftRun > 1 ? leftRun - 1 : matchLength(i, i - 1, limit)
            }
            if i >= width {
                aboveRun = aboveRun > 1 ? aboveRun - 1 : matchLength(i, i - width, limit)
            }
            var bestLength = max(leftRun, aboveRun)
            var bestDistance = leftRun >= aboveRun ? 1 : width
            shortOut[i] = UInt16(bestLength)
            leftOut[i] = leftRun >= aboveRun ? 1 : 0
            if previousLength > 32 && previousLength - 1 > bestLength {
                // Continue the previous long match instead of searching again.
                bestLength = previousLength - 1
                bestDistance = previousDistance
            } else if bestLength < limit {
                var candidate = Int(chain[i])
                var depth = chainDepth
                while candidate >= 0 && depth > 0 {
                    let distance = i - candidate
                    if distance > maxDistance { break }
                    if p[candidate + bestLength] == p[i + bestLength] {
                        let n = matchLength(i, candidate, limit)
                        if n > bestLength {
                            bestLength = n; bestDistance = distance
                            if n == limit { break }
                        }
                    }
                    candidate = Int(chain[candidate])
                    depth -= 1
                }
            }
            lengthOut[i] = UInt16(bestLength)
            distanceOut[i] = UInt32(bestDistance)
            previousLength = bestLength
            previousDistance = bestDistance
        }
    }

    /// Bits of each symbol under the statistics of `tokens` (cache already applied).
    struct CostModel {
        var literal: [Float]   // 4 × 256: alpha, red, green, blue
        var cache: [Float]
        var length: [Float]    // per length 1...4096 (prefix + extra bits)
        var distancePrefix: [Float]

        init(tokens: [VP8LToken], cacheBits: Int) {
            var green = [UInt32](repeating: 0, count: 256 + 24 + (cacheBits > 0 ? 1 << cacheBits : 0))
            var channels = [UInt32](repeating: 0, count: 3 * 256)
            var distances = [UInt32](repeating: 0, count: 40)
            for t in tokens {
                switch t.kind {
                case VP8LToken.literal:
                    let v = t.value
                    green[Int((v >> 8) & 0xff)] += 1
                    channels[Int(v >> 24)] += 1
                    channels[256 + Int((v >> 16) & 0xff)] += 1
                    channels[512 + Int(v & 0xff)] += 1
                case VP8LToken.cacheIndex:
                    green[280 + Int(t.value)] += 1
                default:
                    green[256 + VP8LBackwardReferences.prefixEncode(Int(t.length)).symbol] += 1
                    distances[VP8LBackwardReferences.prefixEncode(Int(t.value)).symbol] += 1
                }
            }
            func bits(_ counts: ArraySlice<UInt32>) -> [Float] {
                var total: UInt32 = 0
                var used = 0
                for c in counts { total &+= c; if c > 0 { used += 1 } }
                if used <= 1 { return counts.map { $0 > 0 ? 0 : 8 } }
                let logTotal = log2f(Float(total))
                return counts.map { $0 > 0 ? logTotal - log2f(Float($0)) : logTotal + 2 }
            }
            let greenBits = bits(green[...])
            let alphaBits = bits(channels[0..<256]), redBits = bits(channels[256..<512])
            let blueBits = bits(channels[512..<768])
            literal = alphaBits + redBits + Array(greenBits[0..<256]) + blueBits
            cache = Array(greenBits[280...])
            length = [Float](repeating: 0, count: VP8LBackwardReferences.maxLength + 1)
            for l in 1...VP8LBackwardReferences.maxLength {
                let code = VP8LBackwardReferences.prefixEncode(l)
                length[l] = greenBits[256 + code.symbol] + Float(code.extraBitCount)
            }
            distancePrefix = bits(distances[...])
        }

        @inline(__always) func distanceBits(_ code: Int) -> Float {
            let c = VP8LBackwardReferences.prefixEncode(code)
            return distancePrefix[c.symbol] + Float(c.extraBitCount)
        }
    }

    /// Shortest path over positions under `model`. Lengths 1...`shortLengths` and the full match are tried for
    /// each candidate.
    static func parse(_ pixels: [UInt32], matches m: Matches, width: Int, cacheBits: Int, model: CostModel,
                      shortLengths: Int) -> [VP8LToken] {
        let count = pixels.count
        var cost = [Float](repeating: .infinity, count: count + 1)
        var stepLength = [UInt16](repeating: 0, count: count + 1)  // 0: literal / cache
        var stepCode = [UInt32](repeating: 0, count: count + 1)
        cost[0] = 0
        var cache = [UInt64](repeating: UInt64.max, count: cacheBits > 0 ? 1 << cacheBits : 1)
        VP8LBackwardReferences.planeCodes.withUnsafeBufferPointer { planes in
            cost.withUnsafeMutableBufferPointer { costBuffer in
                stepLength.withUnsafeMutableBufferPointer { lengthBuffer in
                    stepCode.withUnsafeMutableBufferPointer { codeBuffer in
                        model.literal.withUnsafeBufferPointer { lit in
                            model.length.withUnsafeBufferPointer { lengthBits in
                                let c = costBuffer.baseAddress!, sl = lengthBuffer.baseAddress!, sc = codeBuffer.baseAddress!
                                let l = lit.baseAddress!, lb = lengthBits.baseAddress!
                                @inline(__always) func relax(_ target: Int, _ value: Float, _ length: Int, _ code: Int) {
                                    if value < c[target] { c[target] = value; sl[target] = UInt16(length); sc[target] = UInt32(code) }
                                }
                                @inline(__always) func relaxMatch(_ i: Int, _ base: Float, _ full: Int, _ distance: Int) {
                                    let code = VP8LBackwardReferences.distanceCode(distance, width: width, planeCodes: planes.baseAddress!)
                                    let start = base + model.distanceBits(code)
                                    let shortest = min(full, shortLengths)
                                    if shortest >= 1 {
                                        for k in 1...shortest { relax(i + k, start + lb[k], k, code) }
                                    }
                                    if full > shortLengths { relax(i + full, start + lb[full], full, code) }
                                }
                                for i in 0..<count {
                                    let base = c[i]
                                    let v = pixels[i]
                                    var literalBits = l[Int(v >> 24)] + l[256 + Int((v >> 16) & 0xff)]
                                        + l[512 + Int((v >> 8) & 0xff)] + l[768 + Int(v & 0xff)]
                                    if cacheBits > 0 {
                                        let slot = VP8LBackwardReferences.cacheSlot(v, bits: cacheBits)
                                        if cache[slot] == UInt64(v) { literalBits = min(literalBits, model.cache[slot]) }
                                        cache[slot] = UInt64(v)
                                    }
                                    relax(i + 1, base + literalBits, 0, 0)
                                    let full = Int(m.length[i])
                                    if full > 0 { relaxMatch(i, base, full, Int(m.distance[i])) }
                                    let short = Int(m.shortLength[i])
                                    if short > 0 && (Int(m.distance[i]) != (m.shortIsLeft[i] == 1 ? 1 : width) || short != full) {
                                        relaxMatch(i, base, short, m.shortIsLeft[i] == 1 ? 1 : width)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // Trace back from the end.
        var reversed: [VP8LToken] = []
        reversed.reserveCapacity(count / 2)
        var j = count
        while j > 0 {
            let length = Int(stepLength[j])
            if length == 0 {
                reversed.append(VP8LToken(value: pixels[j - 1], length: 1, kind: VP8LToken.literal))
                j -= 1
            } else {
                reversed.append(VP8LToken(value: stepCode[j], length: UInt16(length), kind: VP8LToken.copy))
                j -= length
            }
        }
        return reversed.reversed()
    }
}
