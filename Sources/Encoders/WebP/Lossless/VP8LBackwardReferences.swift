/// One coded element of a VP8L entropy-coded image (RFC 9649 §5.2): a literal ARGB pixel, a colour-cache index,
/// or a backward reference (length, distance code).
struct VP8LToken {
    static let literal: UInt8 = 0
    static let cacheIndex: UInt8 = 1
    static let copy: UInt8 = 2

    /// Literal: the ARGB value. Cache: the index. Copy: the distance code (1-based, after the 2-D plane mapping).
    var value: UInt32
    /// Copy length in pixels (1 for literals and cache indices).
    var length: UInt16
    var kind: UInt8
}

/// Backward references: LZ77 with hash chains and the 2-D distance codes (RFC 9649 §5.2.2), and the colour cache
/// (§5.2.3).
enum VP8LBackwardReferences {
    static let maxLength = 4096
    /// Largest linear distance a distance code can carry: codes reach 2^20, the first 120 are plane codes.
    static let maxDistance = (1 << 20) - 120

    /// Distance map (RFC 9649 §5.2.2): (xi, yi) for distance codes 1...120, transcribed from the spec.
    static let distanceMap: [(Int, Int)] = [
        (0, 1), (1, 0), (1, 1), (-1, 1), (0, 2), (2, 0), (1, 2),
        (-1, 2), (2, 1), (-2, 1), (2, 2), (-2, 2), (0, 3), (3, 0),
        (1, 3), (-1, 3), (3, 1), (-3, 1), (2, 3), (-2, 3), (3, 2),
        (-3, 2), (0, 4), (4, 0), (1, 4), (-1, 4), (4, 1), (-4, 1),
        (3, 3), (-3, 3), (2, 4), (-2, 4), (4, 2), (-4, 2), (0, 5),
        (3, 4), (-3, 4), (4, 3), (-4, 3), (5, 0), (1, 5), (-1, 5),
        (5, 1), (-5, 1), (2, 5), (-2, 5), (5, 2), (-5, 2), (4, 4),
        (-4, 4), (3, 5), (-3, 5), (5, 3), (-5, 3), (0, 6), (6, 0),
        (1, 6), (-1, 6), (6, 1), (-6, 1), (2, 6), (-2, 6), (6, 2),
        (-6, 2), (4, 5), (-4, 5), (5, 4), (-5, 4), (3, 6), (-3, 6),
        (6, 3), (-6, 3), (0, 7), (7, 0), (1, 7), (-1, 7), (5, 5),
        (-5, 5), (7, 1), (-7, 1), (4, 6), (-4, 6), (6, 4), (-6, 4),
        (2, 7), (-2, 7), (7, 2), (-7, 2), (3, 7), (-3, 7), (7, 3),
        (-7, 3), (5, 6), (-5, 6), (6, 5), (-6, 5), (8, 0), (4, 7),
        (-4, 7), (7, 4), (-7, 4), (8, 1), (8, 2), (6, 6), (-6, 6),
        (8, 3), (5, 7), (-5, 7), (7, 5), (-7, 5), (8, 4), (6, 7),
        (-6, 7), (7, 6), (-7, 6), (8, 5), (7, 7), (-7, 7), (8, 6),
        (8, 7),
    ]

    /// Plane code (1...120) for each (yi, xi + 7), or 0: the inverse of `distanceMap`.
    static let planeCodes: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 8 * 16)
        for (index, (xi, yi)) in distanceMap.enumerated() {
            table[yi * 16 + xi + 7] = UInt8(index + 1)
        }
        return table
    }()

    /// The distance code for a linear distance in an image `width` pixels wide: the smallest plane code whose
    /// offset lands exactly on that distance, or `distance + 120`.
    @inline(__always)
    static func distanceCode(_ distance: Int, width: Int, planeCodes: UnsafePointer<UInt8>) -> Int {
        let yi = distance / width
        let xi = distance - yi * width
        var best = distance + 120
        if yi <= 7 && xi <= 8 {
            let c = Int(planeCodes[yi * 16 + xi + 7])
            if c != 0 && c < best { best = c }
        }
        if yi + 1 <= 7 && width - xi <= 7 {
            let c = Int(planeCodes[(yi + 1) * 16 + (xi - width) + 7])
            if c != 0 && c < best { best = c }
        }
        return best
    }

    /// Splits a length or distance value (>= 1) into its prefix symbol and extra bits (RFC 9649 §5.2.2).
    @inline(__always)
    static func prefixEncode(_ value: Int) -> (symbol: Int, extraBitCount: Int, extraBits: Int) {
        let d = value - 1
        if d < 4 { return (d, 0, 0) }
        let highBit = (Int.bitWidth - 1) - d.leadingZeroBitCount
        let second = (d >> (highBit - 1)) & 1
        let extraBitCount = highBit - 1
        return (2 * highBit + second, extraBitCount, d & ((1 << extraBitCount) - 1))
    }

    /// Parameters of the match search.
    struct SearchParameters {
        /// Hash-chain candidates examined per position.
        var chainDepth: Int
        /// Shortest match taken from the hash chain.
        var minimumLength: Int
    }

    /// Greedy LZ77 over `pixels` (width × height): at each position the longest of the run (distance 1), the row
    /// above (distance width) and the hash-chain candidates is taken when long enough, else a literal.
    static func compute(pixels: [UInt32], width: Int, height: Int, parameters: SearchParameters) -> [VP8LToken] {
        let count = pixels.count
        var tokens: [VP8LToken] = []
        tokens.reserveCapacity(count / 2 + 16)
        let hashBits = count > (1 << 16) ? 18 : 14
        var head = [Int32](repeating: -1, count: 1 << hashBits)
        var chain = [Int32](repeating: -1, count: count)
        let shift = UInt32(32 - hashBits)
        pixels.withUnsafeBufferPointer { px in
            head.withUnsafeMutableBufferPointer { head in
                chain.withUnsafeMutableBufferPointer { chain in
                    planeCodes.withUnsafeBufferPointer { planes in
                        let p = px.baseAddress!
                        @inline(__always) func hashAt(_ i: Int) -> Int {
                            let h = (p[i] &* 0x9E37_79B1) ^ (p[i + 1] &* 0x85EB_CA77 &+ 0x27d4_eb2f)
                            return Int(h >> shift)
                        }
                        @inline(__always) func insert(_ i: Int) {
                            if i + 1 < count {
                                let h = hashAt(i)
                                chain[i] = head[h]
                                head[h] = Int32(i)
                            }
                        }
                        @inline(__always) func matchLength(_ a: Int, _ b: Int, _ limit: Int) -> Int {
                            var n = 0
                            while n < limit && p[a + n] == p[b + n] { n += 1 }
                            return n
                        }
                        var i = 0
                        while i < count {
                            let limit = min(maxLength, count - i)
                            var bestLength = 0
                            var bestDistance = 0
                            if i > 0 {
                                let n = matchLength(i, i - 1, limit)
                                if n > bestLength { bestLength = n; bestDistance = 1 }
                            }
                            if i >= width && bestLength < limit {
                                let n = matchLength(i, i - width, limit)
                                if n > bestLength { bestLength = n; bestDistance = width }
                            }
                            if i + 1 < count && bestLength < limit && parameters.chainDepth > 0 {
                                var candidate = Int(head[hashAt(i)])
                                var depth = parameters.chainDepth
                                while candidate >= 0 && depth > 0 {
                                    let distance = i - candidate
                                    if distance > maxDistance { break }
                                    if p[candidate + bestLength] == p[i + bestLength] || bestLength == 0 {
                                        let n = matchLength(i, candidate, limit)
                                        if n > bestLength { bestLength = n; bestDistance = distance; if n == limit { break } }
                                    }
                                    candidate = Int(chain[candidate])
                                    depth -= 1
                                }
                            }
                            let shortDistance = bestDistance == 1 || bestDistance == width
                            if bestLength >= parameters.minimumLength || (shortDistance && bestLength >= 2) {
                                let code = distanceCode(bestDistance, width: width, planeCodes: planes.baseAddress!)
                                tokens.append(VP8LToken(value: UInt32(code), length: UInt16(bestLength), kind: VP8LToken.copy))
                                for k in i..<(i + bestLength) { insert(k) }
                                i += bestLength
                            } else {
                                tokens.append(VP8LToken(value: p[i], length: 1, kind: VP8LToken.literal))
                                insert(i)
                                i += 1
                            }
                        }
                    }
                }
            }
        }
        return tokens
    }

    /// Literal-only tokens (used for tiny sub-images and the fastest effort).
    static func literals(_ pixels: [UInt32]) -> [VP8LToken] {
        pixels.map { VP8LToken(value: $0, length: 1, kind: VP8LToken.literal) }
    }

    /// Colour-cache slot of `argb` for a cache of `bits` bits (RFC 9649 §5.2.3).
    @inline(__always)
    static func cacheSlot(_ argb: UInt32, bits: Int) -> Int {
        Int((argb &* 0x1e35_a7bd) >> UInt32(32 - bits))
    }

    /// Chooses the colour-cache size (0 = none, else 1...maxBits bits) with the smallest entropy estimate of the
    /// literal / cache symbols, simulating every size in one pass.
    static func chooseCacheBits(tokens: [VP8LToken], pixels: [UInt32], maxBits: Int) -> Int {
        if maxBits <= 0 { return 0 }
        let sizes = maxBits + 1
        // Flat storage: cache of b bits at cacheOffset[b]; per size one histogram of green + cache symbols
        // (256 + 2^maxBits) and red, blue, alpha (256 each).
        var cacheOffset = [Int](repeating: 0, count: sizes + 1)
        for b in 0..<sizes { cacheOffset[b + 1] = cacheOffset[b] + (b == 0 ? 0 : 1 << b) }
        var caches = [UInt64](repeating: UInt64.max, count: cacheOffset[sizes])
        let stride = 256 + (1 << maxBits) + 768
        var histograms = [UInt32](repeating: 0, count: sizes * stride)
        caches.withUnsafeMutableBufferPointer { cacheBuffer in
            histograms.withUnsafeMutableBufferPointer { histogramBuffer in
                pixels.withUnsafeBufferPointer { px in
                    let cache = cacheBuffer.baseAddress!, h = histogramBuffer.baseAddress!
                    let literalBase = 256 + (1 << maxBits)
                    var position = 0
                    for t in tokens {
                        if t.kind == VP8LToken.copy {
                            for k in position..<(position + Int(t.length)) {
                                let argb = px[k]
                                let key = argb &* 0x1e35_a7bd
                                for b in 1..<sizes { cache[cacheOffset[b] + Int(key >> UInt32(32 - b))] = UInt64(argb) }
                            }
                            position += Int(t.length)
                            continue
                        }
                        let argb = t.value
                        let key = argb &* 0x1e35_a7bd
                        let g = Int((argb >> 8) & 0xff), r = Int((argb >> 16) & 0xff)
                        let bl = Int(argb & 0xff), a = Int(argb >> 24)
                        for b in 0..<sizes {
                            let histogram = h + b * stride
                            if b > 0 {
                                let slot = Int(key >> UInt32(32 - b))
                                if cache[cacheOffset[b] + slot] == UInt64(argb) {
                                    histogram[256 + slot] += 1
                                    continue
                                }
                                cache[cacheOffset[b] + slot] = UInt64(argb)
                            }
                            histogram[g] += 1
                            histogram[literalBase + r] += 1
                            histogram[literalBase + 256 + bl] += 1
                            histogram[literalBase + 512 + a] += 1
                        }
                        position += 1
                    }
                }
            }
        }
        var best = 0
        var bestCost = Double.infinity
        histograms.withUnsafeBufferPointer { h in
            for b in 0..<sizes {
                let base = h.baseAddress! + b * stride
                let greenPart = UnsafeBufferPointer(start: base, count: 256 + (b == 0 ? 0 : 1 << b))
                var cost = VP8LEntropy.shannonBits(greenPart) + Double(1 << b) * 0.1
                for c in 0..<3 {
                    cost += VP8LEntropy.shannonBits(UnsafeBufferPointer(start: base + 256 + (1 << maxBits) + 256 * c,
                                                                        count: 256))
                }
                if cost < bestCost { bestCost = cost; best = b }
            }
        }
        return best
    }

    /// Replaces literals that hit the colour cache by cache indices; every decoded pixel updates the cache.
    static func applyCache(tokens: inout [VP8LToken], pixels: [UInt32], bits: Int) {
        if bits == 0 { return }
        // Slots never written hold a value no pixel can have, so the decoder's initial contents never matter.
        var cache = [UInt64](repeating: UInt64.max, count: 1 << bits)
        var position = 0
        for index in tokens.indices {
            let t = tokens[index]
            if t.kind == VP8LToken.copy {
                for k in position..<(position + Int(t.length)) {
                    cache[cacheSlot(pixels[k], bits: bits)] = UInt64(pixels[k])
                }
                position += Int(t.length)
                continue
            }
            let slot = cacheSlot(t.value, bits: bits)
            if cache[slot] == UInt64(t.value) {
                tokens[index] = VP8LToken(value: UInt32(slot), length: 1, kind: VP8LToken.cacheIndex)
            } else {
                cache[slot] = UInt64(t.value)
            }
            position += 1
        }
    }
}
