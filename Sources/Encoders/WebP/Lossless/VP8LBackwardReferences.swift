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

    @inline(__always) static func literal(_ argb: UInt32) -> VP8LToken { VP8LToken(value: argb, length: 1, kind: literal) }
    @inline(__always) static func copy(code: Int, length: Int) -> VP8LToken {
        VP8LToken(value: UInt32(code), length: UInt16(length), kind: copy)
    }
}

/// Length and distance values as prefix symbols plus extra bits (RFC 9649 §5.2.2).
enum VP8LPrefixCoding {
    @inline(__always)
    static func symbol(_ value: Int) -> Int {
        let d = value - 1
        if d < 4 { return d }
        let highBit = (Int.bitWidth - 1) - d.leadingZeroBitCount
        return 2 * highBit + ((d >> (highBit - 1)) & 1)
    }

    /// Splits a length or distance value (>= 1) into its prefix symbol and extra bits.
    @inline(__always)
    static func encode(_ value: Int) -> (symbol: Int, extraBitCount: Int, extraBits: Int) {
        let d = value - 1
        if d < 4 { return (d, 0, 0) }
        let highBit = (Int.bitWidth - 1) - d.leadingZeroBitCount
        let extraBitCount = highBit - 1
        return (2 * highBit + ((d >> extraBitCount) & 1), extraBitCount, d & ((1 << extraBitCount) - 1))
    }

    /// Number of extra bits that follow prefix symbol `symbol`.
    @inline(__always) static func extraBitCount(symbol: Int) -> Int { symbol < 4 ? 0 : (symbol - 2) >> 1 }

    /// The largest value of every prefix symbol up to 4096: the lengths at which the length cost steps up.
    static let symbolEnds: [Int] = (0..<24).map { s in s < 4 ? s + 1 : ((2 + (s & 1)) << ((s - 2) >> 1)) + (1 << ((s - 2) >> 1)) }
}

/// Backward references: the 2-D distance codes (RFC 9649 §5.2.2), the simple parses that seed the cost-based one,
/// and the colour cache (§5.2.3).
enum VP8LBackwardReferences {
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
    static func distanceCode(_ distance: Int, width: Int) -> Int {
        let yi = distance / width
        let xi = distance - yi * width
        var best = distance + 120
        planeCodes.withUnsafeBufferPointer { planes in
            if yi <= 7 && xi <= 8 {
                let c = Int(planes[yi * 16 + xi + 7])
                if c != 0 && c < best { best = c }
            }
            if yi + 1 <= 7 && width - xi <= 7 {
                let c = Int(planes[(yi + 1) * 16 + (xi - width) + 7])
                if c != 0 && c < best { best = c }
            }
        }
        return best
    }

    /// Shortest copy the simple parses emit.
    static let minimumCopy = 4

    /// Greedy LZ77 over the match finder's matches: a match is taken, but cut short where the next match then
    /// reaches further (a one-pixel cut is a literal).
    static func greedy(_ pixels: [UInt32], width: Int, chain: VP8LHashChain) -> [VP8LToken] {
        let count = pixels.count
        var tokens: [VP8LToken] = []
        tokens.reserveCapacity(count / 4 + 16)
        chain.packed.withUnsafeBufferPointer { m in
            @inline(__always) func length(_ i: Int) -> Int { Int(m[i] & 0xfff) }
            var i = 0
            while i < count {
                let full = length(i)
                if full < minimumCopy {
                    tokens.append(.literal(pixels[i])); i += 1; continue
                }
                // Reach of a copy of j − i pixels followed by the best token at j.
                @inline(__always) func reach(_ j: Int) -> Int {
                    if j >= count { return count }
                    let next = length(j)
                    return j + (next >= minimumCopy ? next : 1)
                }
                var take = full
                var best = reach(i + full)
                var j = i + 1
                while j < i + full && best < count {
                    let r = reach(j)
                    if r > best { best = r; take = j - i }
                    j += 1
                }
                if take == 1 {
                    tokens.append(.literal(pixels[i]))
                } else {
                    tokens.append(.copy(code: distanceCode(Int(m[i] >> 12), width: width), length: take))
                }
                i += take
            }
        }
        return tokens
    }

    /// Copies of the left neighbour (runs) or of the row above only, at least `minimumCopy` long.
    static func runsOnly(_ pixels: [UInt32], width: Int) -> [VP8LToken] {
        let count = pixels.count
        var tokens: [VP8LToken] = []
        tokens.reserveCapacity(count / 4 + 16)
        pixels.withUnsafeBufferPointer { px in
            let p = px.baseAddress!
            @inline(__always) func run(_ i: Int, _ distance: Int) -> Int {
                let limit = min(VP8LHashChain.maxLength, count - i)
                var n = 0
                while n < limit && p[i + n] == p[i + n - distance] { n += 1 }
                return n
            }
            var i = 0
            while i < count {
                let left = i >= 1 ? run(i, 1) : 0
                let above = i >= width ? run(i, width) : 0
                if left >= above && left >= minimumCopy {
                    tokens.append(.copy(code: distanceCode(1, width: width), length: left)); i += left
                } else if above >= minimumCopy {
                    tokens.append(.copy(code: 1, length: above)); i += above
                } else {
                    tokens.append(.literal(p[i])); i += 1
                }
            }
        }
        return tokens
    }

    /// Literal-only tokens.
    static func literals(_ pixels: [UInt32]) -> [VP8LToken] {
        pixels.map { VP8LToken.literal($0) }
    }

    /// Colour-cache slot of `argb` for a cache of `bits` bits (RFC 9649 §5.2.3).
    @inline(__always)
    static func cacheSlot(_ argb: UInt32, bits: Int) -> Int {
        Int((argb &* 0x1e35_a7bd) >> UInt32(32 - bits))
    }

    /// Replaces literals that hit the colour cache by cache indices; every decoded pixel updates the cache.
    static func applyCache(tokens: inout [VP8LToken], pixels: [UInt32], bits: Int) {
        if bits == 0 { return }
        // Slots never written hold a value no pixel can have, so the decoder's initial contents never matter.
        var cache = [UInt64](repeating: UInt64.max, count: 1 << bits)
        cache.withUnsafeMutableBufferPointer { cacheBuffer in
            tokens.withUnsafeMutableBufferPointer { t in
                pixels.withUnsafeBufferPointer { px in
                    let c = cacheBuffer.baseAddress!
                    var position = 0
                    for index in 0..<t.count {
                        let token = t[index]
                        if token.kind == VP8LToken.copy {
                            var previous = UInt64.max
                            for k in position..<(position + Int(token.length)) where UInt64(px[k]) != previous {
                                previous = UInt64(px[k])
                                c[cacheSlot(px[k], bits: bits)] = previous
                            }
                            position += Int(token.length)
                            continue
                        }
                        let v = px[position]
                        let slot = cacheSlot(v, bits: bits)
                        if c[slot] == UInt64(v) {
                            t[index] = VP8LToken(value: UInt32(slot), length: 1, kind: VP8LToken.cacheIndex)
                        } else {
                            t[index] = .literal(v)
                            c[slot] = UInt64(v)
                        }
                        position += 1
                    }
                }
            }
        }
    }

    /// The tokens with every cache index turned back into its literal.
    static func withoutCache(_ tokens: [VP8LToken], pixels: [UInt32]) -> [VP8LToken] {
        var out = tokens
        var position = 0
        for index in out.indices {
            if out[index].kind == VP8LToken.cacheIndex { out[index] = .literal(pixels[position]) }
            position += Int(out[index].length)
        }
        return out
    }
}
